"""The daemon-side plots: the open fds, threads and RSS of each daemon process sampled beside the target."""

import numpy as np

from . import plots as P
from .fmt import ci as fmt_ci, num
from .result import MIB

COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:purple")


def _fit_label(g, unit):
    label = f"{num(g.get('per_minute'), signed=True)} {unit}/min"
    if g.get("per_minute_ci") and fmt_ci(g["per_minute_ci"]):
        label += f" {fmt_ci(g['per_minute_ci'])}"
    return label + f", {num(g.get('per_1000_streams'), signed=True)} per 1,000 streams"


def _draw(r, key, figure_key, ylabel, unit, scale=1.0, bound_id=None):
    names = r.daemon_processes()
    if not names:
        raise P.NotAvailable("no daemon process was sampled in this run")
    div, _ = P._time_unit(r)
    fig = P._new()
    ax = fig.subplots()
    P._shade_warmup(ax, r)
    x = P._fit_x(r)
    for i, name in enumerate(names):
        y = r.daemon_column(name, key)
        if y is None or not np.isfinite(y).any():
            continue
        color = COLORS[i % len(COLORS)]
        ax.plot(r.t / div, y * scale, drawstyle="steps-post", color=color, lw=1.2, label=name)
        g = r.daemon_figures(name).get(figure_key)
        if isinstance(g, dict) and (g.get("points") or 0) >= 3 and isinstance(g.get("intercept"), (int, float)):
            slope = float(g["per_minute"]) / 60.0
            fit = g["intercept"] + slope * x
            ax.plot(x / div, fit, color=P.FIT_COLOR, lw=1.4, ls="-", label=f"{name} fit {_fit_label(g, unit)}", zorder=5)
            bound = r.judged_bound(bound_id) if bound_id else None
            if bound is not None and bound > 0:
                ax.plot(x / div, fit[0] + bound / 60.0 * (x - x[0]), color=P.BOUND_COLOR, lw=1.2, ls="--",
                        label=f"{bound_id} bound: slope {num(bound)} {unit}/min")
    P._finish(ax, r, ylabel)
    return fig


def fds(r):
    return _draw(r, "fds", "fds", "open file descriptors", "fds", bound_id="daemon_fd_growth")


def threads(r):
    return _draw(r, "threads", "threads", "threads", "threads")


def memory(r):
    return _draw(r, "rss_bytes", "rss_mib", "MiB", "MiB", scale=1.0 / MIB)


CATALOGUE = [
    ("daemon_fds", "Daemon: open fds", fds,
     "The daemon's open fds (dockerd and the containerd leakbench started, or fake-dockerd), sampled as the "
     "target is. A follower that makes the daemon leak (moby#37391: follow streams leaking json-log fds) shows "
     "here as a staircase; daemon_fd_growth judges it per minute and per 1,000 follow streams opened."),
    ("daemon_threads", "Daemon: threads", threads,
     "The daemon's threads. Every open follow stream costs dockerd goroutines, not threads; a climb here is "
     "the daemon's own trouble."),
    ("daemon_memory", "Daemon: resident memory", memory,
     "The daemon's RSS. Its CPU (cores used, CPU seconds per 1,000 follow streams) is in the key figures."),
]
