"""The figures that summary and compare report for a result, each with its unit and practical floor.

Floors are the smallest change that matters in practice; `compare` never calls a change smaller
than the floor a regression, whatever the statistics say (noise.py). Growth floors are a quarter
of docs/design.md's default bound (threads and fds 2/min and 2 per 1,000 rotations, RSS 1 MiB/min and
4 MiB per 1,000 rotations, metric series 5 per 1,000 rotations): a change that eats a quarter of
the allowed budget deserves a look, while repeated clean runs of one engine differ by far less
(reports/README.md: at most 0.02 MiB/min and 0 threads/fds per minute across 4 reruns of
gate-steady; 0.05 MiB/min across 4 of gate-churn).
"""

import math
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from .result import MIB, criterion_status


@dataclass
class Measure:
    value: Optional[float]          # None: not available (why says why)
    ci: Optional[tuple] = None      # 95% CI for slopes
    why: str = ""


@dataclass(frozen=True)
class FigureSpec:
    key: str
    label: str
    unit: str
    extract: Callable                  # Result -> Measure
    floor: Callable                    # (reference value, Result) -> float
    slope: bool = False                # has a 95% CI (noise.decide checks it)
    gating: bool = True                # a regression here makes compare exit 1


def _na(why):
    return Measure(None, None, why)


def _per_minute(key):
    def extract(r):
        g = r.growth(key)
        if g is None:
            return _na("too few samples after the warm-up to fit a slope" if key != "metric_series" or r.is_log_capturer
                       else "the target has no /metrics")
        ci = tuple(g["per_minute_ci"])
        ci = ci if all(isinstance(v, (int, float)) and math.isfinite(v) for v in ci) else None
        return Measure(float(g["per_minute"]), ci)
    return extract


def _per_1000(key):
    """The per-1,000-rotations slope. Its CI is the per-minute CI rescaled by this run's rotation rate
    (the judge fits against the fake's closed-stream count, which grows at a steady rate)."""
    def extract(r):
        g = r.growth(key)
        if g is None or g.get("per_1000_rotations") is None:
            return _na("too few samples after the warm-up to fit a slope")
        rate = r.rotations_per_minute()
        if rate is None or rate <= 0:
            return _na("no rotations after the warm-up")
        ci = tuple(g["per_minute_ci"])
        ci = (tuple(v * 1000.0 / rate for v in ci)
              if all(isinstance(v, (int, float)) and math.isfinite(v) for v in ci) else None)
        return Measure(float(g["per_1000_rotations"]), ci)
    return extract


def _figure(key, why=""):
    def extract(r):
        v = r.figures.get(key)
        return Measure(float(v)) if isinstance(v, (int, float)) and math.isfinite(v) else _na(why or f"no figures.{key}")
    return extract


def _rotated_ages_figure(key):
    """Median age: needs streams closed by the target; the writer puts 0 when there were none."""
    def extract(r):
        if not r.figures.get("streams_closed_by_target"):
            return _na("no stream was closed by the target")
        return _figure(key)(r)
    return extract


def _p95_age(r):
    ages = r.rotation_ages()
    if ages is None:
        return _na("no rotations records in this result (older leakbench)")
    if len(ages) == 0:
        return _na("no stream was closed by the target")
    s = np.sort(ages)  # the harness's definition: sorted[min(n-1, n*95/100)]
    return Measure(float(s[min(len(s) - 1, len(s) * 95 // 100)]))


def _loss(r):
    c = r.criterion("log_loss")
    if c is None or criterion_status(c) not in ("pass", "fail") or c.get("measured") is None:
        return _na(f"{criterion_status(c)}: {c['detail']}" if c is not None else "no log_loss criterion")
    return Measure(float(c["measured"]))


def _median(column, scale=1.0, why=""):
    def extract(r):
        v = r.median_after_warmup(column, scale)
        return Measure(v) if v is not None else _na(why or f"no samples.{column} after the warm-up")
    return extract


def _series_median(r):
    """Median of the /metrics series count after the warm-up; 0 means no scrape (the judge drops it)."""
    t, y = r.series("metric_series")
    y = y[t >= r.warmup_s]
    y = y[np.isfinite(y)]
    return Measure(float(np.median(y))) if len(y) else _na("the target has no /metrics")


def _lag_p95(r):
    """95th percentile over the samples after the warm-up of the worst container's capture lag."""
    y = r.column("capture_lag_max_s")
    if y is None:
        return _na("no capture-lag samples in this result (older leakbench)")
    y = y[r.after_warmup()]
    y = y[np.isfinite(y)]
    if not len(y):
        return _na("the target exported no capture-lag metric")
    return Measure(float(np.percentile(y, 95)))


def age_floor(ref, r):
    """Half the rotation tolerance or a quarter of the rotation interval, whichever is smaller,
    and at least 0.5 s (scheduling jitter on a loaded 2-core runner)."""
    interval = float(r.scenario["rotation_interval_s"])
    bound = r.judged_bound("rotation")
    tolerance = bound - interval if bound is not None and bound > interval else 10.0
    return max(0.5, min(tolerance / 2.0, interval / 4.0))


def _const(x):
    return lambda ref, r: x


def _rel(absolute, fraction):
    return lambda ref, r: max(absolute, fraction * abs(ref))


SPECS = [
    FigureSpec("threads_per_min", "thread growth", "threads/min", _per_minute("threads"), _const(0.5), slope=True),
    FigureSpec("fds_per_min", "fd growth", "fds/min", _per_minute("fds"), _const(0.5), slope=True),
    FigureSpec("rss_per_min", "RSS growth", "MiB/min", _per_minute("rss_mib"), _const(0.25), slope=True),
    FigureSpec("series_per_min", "metric series growth", "series/min", _per_minute("metric_series"), _const(1.0), slope=True),
    FigureSpec("threads_per_1k", "thread growth per 1,000 rotations", "threads", _per_1000("threads"), _const(0.5), slope=True),
    FigureSpec("fds_per_1k", "fd growth per 1,000 rotations", "fds", _per_1000("fds"), _const(0.5), slope=True),
    FigureSpec("rss_per_1k", "RSS growth per 1,000 rotations", "MiB", _per_1000("rss_mib"), _const(1.0), slope=True),
    FigureSpec("series_per_1k", "metric series per 1,000 rotations", "series", _per_1000("metric_series"), _const(1.25), slope=True),
    FigureSpec("peak_streams", "peak follow streams (fake)", "streams", _figure("follow_streams_peak"), _const(1.0)),
    FigureSpec("age_max", "oldest follow stream", "s", _figure("stream_age_max_s"), age_floor),
    FigureSpec("age_p95", "p95 rotated stream age", "s", _p95_age, age_floor),
    FigureSpec("age_median", "median rotated stream age", "s", _rotated_ages_figure("stream_age_median_s"), age_floor),
    FigureSpec("loss", "lines lost + duplicated", "lines", _loss, _rel(1.0, 0.10)),
    FigureSpec("lag_p95", "capture lag, worst container (p95 over samples)", "s", _lag_p95, _rel(1.0, 0.5)),
    FigureSpec("threads_median", "threads (median after warm-up)", "threads", _median("threads"), _rel(2.0, 0.25)),
    FigureSpec("fds_median", "open fds (median after warm-up)", "fds", _median("fds"), _rel(4.0, 0.25)),
    FigureSpec("rss_median", "RSS (median after warm-up)", "MiB", _median("rss_bytes", 1.0 / MIB), _rel(4.0, 0.25)),
    FigureSpec("pss_median", "PSS (median after warm-up)", "MiB", _median("pss_bytes", 1.0 / MIB), _rel(4.0, 0.25),
               gating=False),
    FigureSpec("series_median", "metric series (median after warm-up)", "series",
               _series_median, _rel(10.0, 0.25), gating=False),
    FigureSpec("streams_median", "open follow streams (median after warm-up)", "streams", _median("streams_open"),
               _rel(2.0, 0.10), gating=False),
]

SPEC_BY_KEY = {s.key: s for s in SPECS}


def measure(result, key):
    """The Measure of figure `key` in `result`."""
    return SPEC_BY_KEY[key].extract(result)
