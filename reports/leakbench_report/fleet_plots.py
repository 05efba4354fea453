"""Draws the fleet report's small multiples: one small PNG per failing instance, the resource its worst criterion
failed on, with the fitted slope over the judged segment (matplotlib Agg)."""

import io
from datetime import datetime

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402  (after use("Agg"))
import numpy as np  # noqa: E402

from .fmt import num  # noqa: E402
from .result import MIB  # noqa: E402

WIDTH_IN, HEIGHT_IN, DPI = 3.3, 2.1, 100
# figure (fleet.json's slope.figure) -> (samples column, divisor, axis label)
COLUMNS = {"threads": ("threads", 1.0, "threads"), "fds": ("fds", 1.0, "open fds"),
           "rss_mib": ("rss_bytes", MIB, "RSS MiB"), "goroutines": ("goroutines", 1.0, "goroutines")}


def _unix(text):
    return datetime.fromisoformat(text[:26].rstrip("Z") + "+00:00").timestamp()


def _shown_segment(r):
    """(from, to) in the result's t (seconds since the range start) of the segment the verdict shows, or None."""
    start = r.run.get("started_at")
    for seg in r.doc.get("segments") or []:
        if seg.get("shown") and start:
            origin = _unix(start)
            return _unix(seg["from"]) - origin, _unix(seg["to"]) - origin
    return None


def small_multiple(r, failing):
    """PNG bytes for one failing instance (fleet.json's `failing` entry), or None when it has nothing to draw."""
    slope = next((c["slope"] for c in failing["criteria"] if c.get("slope")), None)
    figure = slope["figure"] if slope else "threads"
    column, div, label = COLUMNS.get(figure, COLUMNS["threads"])
    y = r.column(column)
    if y is None or not np.isfinite(y).any():
        return None
    y = y / div
    t = r.t / 3600.0
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    fig.subplots_adjust(left=0.17, right=0.97, bottom=0.2, top=0.88)
    ax = fig.subplots()
    ax.plot(t, y, drawstyle="steps-post", color="tab:blue", lw=1.0)
    seg = _shown_segment(r)
    if slope and seg:
        inside = (r.t >= seg[0]) & (r.t <= seg[1]) & np.isfinite(y)
        if inside.any():
            tm, ym = float(np.median(r.t[inside])), float(np.median(y[inside]))
            x = np.array([seg[0], seg[1]])
            ax.plot(x / 3600.0, ym + slope["per_minute"] / 60.0 * (x - tm), color="black", lw=1.4)
    ax.set_title(f"{failing['instance']}: {num(slope['per_minute'], signed=True)}/min" if slope
                 else failing["instance"], fontsize=8)
    ax.set_xlabel("hours", fontsize=7)
    ax.set_ylabel(label, fontsize=7)
    ax.tick_params(labelsize=7)
    ax.grid(True, alpha=0.3)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()
