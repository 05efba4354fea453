"""Draws the HTML report's plots as PNG bytes (matplotlib Agg, no pyplot); missing data gives a note instead."""

import io
import math
from dataclasses import dataclass
from typing import Optional

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402  (after use("Agg"))
import numpy as np  # noqa: E402

from .fmt import ci as fmt_ci, num  # noqa: E402
from .result import MIB  # noqa: E402

WIDTH_IN, HEIGHT_IN, DPI = 10.5, 3.4, 100
# Every plot has its axes at the same place, the legend in the right 29% of the figure.
LAYOUT = dict(left=0.07, right=0.70, bottom=0.15, top=0.96)
WARMUP_COLOR, FIT_COLOR, BOUND_COLOR = "0.82", "black", "tab:red"


class NotAvailable(Exception):
    """The plot's data is not in this result; the message says why."""


@dataclass
class Plot:
    id: str
    title: str
    caption: str
    png: Optional[bytes] = None
    note: str = ""           # why the plot is not available (png is None)
    error: bool = False      # the note is a drawing failure, not missing data


# --- shared pieces ----------------------------------------------------------------------------

def _time_unit(r):
    t = r.t
    span = float(np.nanmax(t)) if len(t) else 0.0
    if span > 2 * 3600:
        return 3600.0, "hours since the target started"
    if span > 20 * 60:
        return 60.0, "minutes since the target started"
    return 1.0, "seconds since the target started"


def _new(height=HEIGHT_IN):
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    fig.subplots_adjust(**LAYOUT)
    return fig


def _png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def _legend(ax, handles, labels, x=1.01):
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(x, 1.0), fontsize=8, frameon=False,
              markerscale=3)


def _finish(ax, r, ylabel, legend=True):
    div, xlabel = _time_unit(r)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    t = r.t
    if len(t):
        lo, hi = min(0.0, float(np.nanmin(t))) / div, float(np.nanmax(t)) / div
        if hi > lo:
            ax.set_xlim(lo, hi)
    handles, labels = ax.get_legend_handles_labels()
    if handles and legend:
        _legend(ax, handles, labels)


def _shade_warmup(ax, r):
    div, _ = _time_unit(r)
    w = r.warmup_s
    if w > 0:
        ax.axvspan(min(0.0, float(np.nanmin(r.t)) if len(r.t) else 0.0) / div, w / div,
                   color=WARMUP_COLOR, alpha=0.6, lw=0, label=f"warm-up {num(w)} s (not fitted)")


def _require(r, y, what):
    if y is None:
        raise NotAvailable(f"this result has no samples.{what}")
    if not np.isfinite(y).any():
        raise NotAvailable(f"samples.{what} holds no values")


def _fit_x(r):
    """Seconds from the warm-up to the last sample: where the fitted line is drawn."""
    t = r.t
    end = float(np.nanmax(t)) if len(t) else r.warmup_s
    return np.array([min(r.warmup_s, end), end])


def _draw_fit(ax, r, key, unit, scale_per_min=1.0):
    """The Theil-Sen line of figures.<key> after the warm-up; returns (x seconds, y) or None."""
    line = r.fit_line(key)
    if line is None:
        return None
    slope, intercept, recomputed = line
    g = r.growth(key)
    div, _ = _time_unit(r)
    x = _fit_x(r)
    y = intercept + slope * x
    label = f"Theil-Sen fit {num(g['per_minute'] * scale_per_min, signed=True)} {unit}/min"
    ci = g.get("per_minute_ci")
    if ci and fmt_ci(ci):
        label += f"\n95% CI {fmt_ci(ci)}"
    if recomputed:
        label += "\n(intercept recomputed from the samples)"
    ax.plot(x / div, y, color=FIT_COLOR, lw=1.6, ls="-", label=label, zorder=5)
    return x, y


def _draw_growth_bound(ax, r, fit, cid, unit):
    """A line with the criterion's per-minute growth bound as slope, starting where the fit starts."""
    bound = r.judged_bound(cid)
    if fit is None or bound is None or bound <= 0:
        return
    div, _ = _time_unit(r)
    x, y = fit
    ax.plot(x / div, y[0] + bound / 60.0 * (x - x[0]), color=BOUND_COLOR, lw=1.2, ls="--",
            label=f"{cid} bound: slope {num(bound)} {unit}/min")


def _draw_level_bound(ax, r, y_max, level, label):
    """A horizontal bound; when it would squash the data (> 2.5x its maximum) a text note instead."""
    if level is None:
        return
    if y_max > 0 and level > 2.5 * y_max:
        ax.plot([], [], " ", label=f"{label}\n(far above this range)")
    else:
        ax.axhline(level, color=BOUND_COLOR, lw=1.2, ls=":", label=label)


# --- the plots --------------------------------------------------------------------------------

def _start(r, column):
    """A figure for one time series: (fig, ax with the warm-up shaded, time divisor, the column's values)."""
    div, _ = _time_unit(r)
    values = r.column(column)
    _require(r, values, column)
    fig = _new()
    ax = fig.subplots()
    _shade_warmup(ax, r)
    return fig, ax, div, values


def threads(r):
    fig, ax, div, y = _start(r, "threads")
    ax.plot(r.t / div, y, drawstyle="steps-post", color="tab:blue", lw=1.2, label="threads")
    fit = _draw_fit(ax, r, "threads", "threads")
    _draw_growth_bound(ax, r, fit, "thread_growth", "threads")
    b = r.judged_bound("threads_baseline")
    _draw_level_bound(ax, r, float(np.nanmax(y)), b, f"threads_baseline bound < {num(b)}")
    goroutines = r.column("goroutines")  # version 2, a Go target: on its own axis (often 10x the threads)
    if goroutines is None or not np.isfinite(goroutines).any():
        _finish(ax, r, "threads")
        return fig
    _finish(ax, r, "threads", legend=False)
    fig.subplots_adjust(right=0.64)  # room for the right axis between the plot and the legend
    gx = ax.twinx()
    gx.plot(r.t / div, goroutines, drawstyle="steps-post", color="tab:green", lw=1.0, ls="-.",
            label="goroutines (right axis)")
    g = r.growth("goroutines")
    if g is not None:
        gx.plot([], [], " ", label=f"goroutines {num(g['per_minute'], signed=True)}/min {fmt_ci(g['per_minute_ci'])}")
    gx.set_ylabel("goroutines")
    gx.set_ylim(0, 1.15 * float(np.nanmax(goroutines)))
    handles, labels = ax.get_legend_handles_labels()
    more_h, more_l = gx.get_legend_handles_labels()
    _legend(ax, handles + more_h, labels + more_l, x=1.09)  # clear of the right axis' ticks and label
    return fig


def fds(r):
    fig, ax, div, total = _start(r, "fds")
    kinds = [(k, r.column("fds_" + k)) for k in ("socket", "pipe", "file", "other")]
    kinds = [(k, v) for k, v in kinds if v is not None]
    if kinds:
        ax.stackplot(r.t / div, *[np.nan_to_num(v) for _, v in kinds], labels=[k + "s" if k != "other" else "other"
                                                                                for k, _ in kinds],
                     step="post", alpha=0.55, colors=["tab:blue", "tab:orange", "tab:green", "tab:purple"][:len(kinds)])
    ax.plot(r.t / div, total, drawstyle="steps-post", color="0.2", lw=1.2, label="total")
    fit = _draw_fit(ax, r, "fds", "fds")
    _draw_growth_bound(ax, r, fit, "fd_growth", "fds")
    _finish(ax, r, "open file descriptors")
    return fig


def memory(r):
    fig, ax, div, rss = _start(r, "rss_bytes")
    ax.plot(r.t / div, rss / MIB, color="tab:blue", lw=1.2, label="RSS")
    pss = r.column("pss_bytes")
    if pss is not None and np.isfinite(pss).any():
        ax.plot(r.t / div, pss / MIB, color="tab:green", lw=1.2, label="PSS (shared pages split)")
    fit = _draw_fit(ax, r, "rss_mib", "MiB")
    _draw_growth_bound(ax, r, fit, "memory_growth", "MiB")
    _finish(ax, r, "MiB")
    return fig


def streams(r):
    fig, ax, div, open_ = _start(r, "streams_open")
    lo, hi = r.column("streams_open_min"), r.column("streams_open_max")  # version 2: between two samples
    if lo is not None and hi is not None and (np.isfinite(lo) & np.isfinite(hi)).any():
        ax.fill_between(r.t / div, lo, hi, step="post", color="tab:blue", alpha=0.18, lw=0,
                        label="open at the fake, min .. max between samples")
    ax.plot(r.t / div, open_, drawstyle="steps-post", color="tab:blue", lw=1.4, label="open at the fake (truth)")
    active = r.column("metric_streams_active")
    if active is not None and np.isfinite(active).any():
        ax.plot(r.t / div, active, drawstyle="steps-post", color="tab:orange", lw=1.0, ls="--",
                label="engine's streams_active metric")
    waiting = r.column("metric_containers_waiting")
    if waiting is not None and np.isfinite(waiting).any():
        ax.plot(r.t / div, waiting, drawstyle="steps-post", color="tab:purple", lw=1.0,
                label="containers waiting for a slot")
    cap = float(r.scenario["max_streams"])
    ax.axhline(cap, color=BOUND_COLOR, lw=1.2, ls=":", label=f"cap max_streams = {num(cap)}")
    bound = r.judged_bound("concurrency")
    if bound is not None and bound != cap:
        ax.axhline(bound, color=BOUND_COLOR, lw=1.0, ls="--", label=f"concurrency bound {num(bound)}")
    peak = r.figures.get("follow_streams_peak")
    if isinstance(peak, (int, float)):
        ax.text(0.01, 0.03, f"peak at the fake: {num(peak)}", transform=ax.transAxes, fontsize=8)
    _finish(ax, r, "follow streams")
    ax.set_ylim(bottom=0)
    return fig


def rotation(r):
    if not isinstance(r.rotations, dict):
        raise NotAvailable("this result has no per-stream rotation records (written by newer leakbench); "
                           f"summary: oldest stream {num(r.figures.get('stream_age_max_s'))} s, "
                           f"median {num(r.figures.get('stream_age_median_s'))} s")
    t = np.array(r.rotations.get("t") or [], dtype=float)
    age = np.array(r.rotations.get("age_s") or [], dtype=float)
    if len(age) == 0:
        raise NotAvailable("the target closed no follow stream (0 rotations); oldest stream "
                           f"{num(r.figures.get('stream_age_max_s'))} s")
    div, _ = _time_unit(r)
    fig = _new(3.6)
    ax, hx = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [4, 1], "wspace": 0.04})
    fig.subplots_adjust(right=0.66)
    _shade_warmup(ax, r)
    total = r.rotations.get("total", len(age))
    shown = f"{len(age):,} of {total:,}" if total != len(age) else f"{len(age):,}"
    ax.scatter(t / div, age, s=5, alpha=0.45, color="tab:blue", lw=0, label=f"rotated streams ({shown})")
    interval = float(r.scenario["rotation_interval_s"])
    bound = r.judged_bound("rotation")
    top = 1.15 * max(float(np.max(age)), interval)
    if bound is not None and bound > 2.5 * top:  # drawing it would squash the ages into a line
        ax.plot([], [], " ", label=f"bound {num(bound)} s (interval + tolerance)\n(far above this range)")
        bound = None
    for a in (ax, hx):
        a.axhline(interval, color="0.3", lw=1.0, ls="--",
                  label=f"rotation interval {num(interval)} s" if a is ax else None)
        if bound is not None:
            a.axhline(bound, color=BOUND_COLOR, lw=1.2, ls=":",
                      label=f"bound {num(bound)} s (interval + tolerance)" if a is ax else None)
    hx.hist(age, bins=min(60, max(5, int(math.sqrt(len(age))))), orientation="horizontal", color="tab:blue",
            alpha=0.7)
    hx.set_xlabel("streams")
    hx.grid(True, alpha=0.3)
    _finish(ax, r, "stream lifetime (s)", legend=False)
    _legend(hx, *ax.get_legend_handles_labels())
    ax.set_ylim(0, top if bound is None else max(top, 1.05 * bound))
    return fig


def capture_lag(r):
    if r.column("capture_lag_max_s") is None:
        raise NotAvailable("this result has no capture-lag samples (written by newer leakbench)")
    if not r.has_values("capture_lag_max_s"):
        why = "the target has no /metrics" if not r.is_log_capturer else "the target exported no capture-lag metric"
        raise NotAvailable(why)
    div, _ = _time_unit(r)
    fig = _new()
    ax = fig.subplots()
    _shade_warmup(ax, r)
    ax.plot(r.t / div, r.column("capture_lag_max_s"), color="tab:red", lw=1.2, label="worst container")
    med = r.column("capture_lag_median_s")
    if med is not None and np.isfinite(med).any():
        ax.plot(r.t / div, med, color="tab:blue", lw=1.2, label="median container")
    _finish(ax, r, "capture lag (s)")
    ax.set_ylim(bottom=0)
    return fig


def metric_series(r):
    t, y = r.series("metric_series")
    if r.column("metric_series") is None:
        raise NotAvailable("this result has no samples.metric_series")
    if not np.isfinite(y).any():
        raise NotAvailable("the target has no /metrics" if not r.is_log_capturer
                           else "no /metrics scrape succeeded during the run")
    div, _ = _time_unit(r)
    fig = _new()
    ax = fig.subplots()
    _shade_warmup(ax, r)
    ax.plot(t / div, y, drawstyle="steps-post", color="tab:blue", lw=1.2, label="series in /metrics")
    _draw_fit(ax, r, "metric_series", "series")
    _finish(ax, r, "metric series")
    return fig


CATALOGUE = [
    ("threads", "Threads", threads,
     "Threads of the target over time (and its goroutines, for a Go target, on the right axis). Flat after the "
     "warm-up is healthy; the black line is the Theil-Sen fit the judge used, the dashed red line the steepest "
     "growth the thread_growth bound allows."),
    ("fds", "Open file descriptors by kind", fds,
     "Sockets, pipes, files and other fds stacked; the dark line is the total the fd_growth criterion fits. "
     "A leak shows as one band rising steadily."),
    ("memory", "Memory (RSS and PSS)", memory,
     "Resident memory; the fit and the memory_growth bound are on RSS. PSS splits shared pages between "
     "processes and moves when other processes map the same libraries."),
    ("streams", "Follow streams: fake's truth vs the engine's metric vs the cap", streams,
     "Follow streams the fake daemon sees open, the engine's own streams_active gauge, containers "
     "waiting for a slot, and the max_streams cap. The fake's line must never cross the cap."),
    ("rotation", "Rotation: lifetime of every rotated stream", rotation,
     "Each dot is one follow stream the target closed: when, and how long it had lived. Healthy: a band "
     "just under the rotation interval, nothing above the red bound. Histogram on the right."),
    ("capture_lag", "Capture lag", capture_lag,
     "Now minus the timestamp of the last captured line, for the worst and the median container (from the "
     "engine's /metrics). Growing lag means the engine falls behind."),
    ("metric_series", "Metric series in /metrics", metric_series,
     "Sample lines in the engine's /metrics. Series of removed containers must be deleted, so this must "
     "not grow with rotations or churn (the metrics criterion allows 5 per 1,000 rotations)."),
]


def render_all(r):
    """Every plot of CATALOGUE for result r, drawn or with the reason it is not available."""
    from . import daemon_plots  # noqa: PLC0415  (it imports this module)
    catalogue = CATALOGUE + (daemon_plots.CATALOGUE if r.daemon_processes() else [])
    out = []
    for pid, title, draw, caption in catalogue:
        plot = Plot(pid, title, caption)
        try:
            if not len(r.t):
                raise NotAvailable("the result has no samples")
            plot.png = _png(draw(r))
        except NotAvailable as e:
            plot.note = str(e)
        except Exception as e:  # a drawing bug must not lose the whole report
            plot.note = f"could not be drawn: {type(e).__name__}: {e}"
            plot.error = True
        out.append(plot)
    return out
