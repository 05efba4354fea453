"""Checks that a parsed result.json has the shape leakbench's writer gives it (schema_version 1 or 2).

Version 2 adds the verdict "inconclusive", `criteria[].status` (required), `exit_code`, `repeat`,
`figures.delivery`, `figures.goroutines`, `figures.processes` and the sample columns `goroutines`,
`streams_open_min`, `streams_open_max`, `processes`. Each new field is checked when present, in
either version: a version-1 file holding one is read the same way.
"""

import math

from .errors import ReportError

SUPPORTED_SCHEMA = 2
# Ordered so that a message naming them still reads "pass, fail, error" first, as version 1 had them.
VERDICTS = ("pass", "fail", "error", "inconclusive")
# criteria[].status (version 2). Version 1 has none: result.criterion_status derives one.
STATUSES = ("pass", "fail", "inconclusive", "off")
GROWTH_KEYS = ("threads", "fds", "rss_mib", "metric_series")
OPTIONAL_GROWTH_KEYS = ("goroutines",)
DELIVERY_KEYS = ("lines_emitted", "lines_delivered", "lost_at_source", "delivered_twice", "containers",
                 "containers_delivered", "containers_too_young", "containers_gone")
# Sample columns the reports read; every one but `t` may hold nulls (NaN in the writer, or
# no value from /metrics). Only t, threads, fds and rss_bytes are required.
REQUIRED_COLUMNS = ("t", "threads", "fds", "rss_bytes")
OPTIONAL_COLUMNS = (
    "fds_socket", "fds_pipe", "fds_file", "fds_other", "pss_bytes", "cpu_seconds",
    "streams_open", "streams_closed", "metric_streams_active", "metric_rotations",
    "metric_series", "metric_containers_waiting", "capture_lag_max_s", "capture_lag_median_s",
    "goroutines", "streams_open_min", "streams_open_max", "processes",  # version 2
    "threads_max_per_process", "target_open_fds", "target_rss_bytes",  # version 2
)

_TYPE_NAMES = {dict: "an object", list: "a list", str: "a string", bool: "true/false",
               int: "an integer", float: "a number", type(None): "null"}


def _describe(value):
    """How a wrong value is named in an error message: 'a string ("abc")'."""
    kind = _TYPE_NAMES.get(type(value), type(value).__name__)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = repr(value) if not isinstance(value, str) else '"' + value[:40] + ('…' if len(value) > 40 else '') + '"'
        return f"{kind} ({text})"
    return kind


class _Checker:
    """Walks a document and raises ReportError('<file>: ...') at the first problem."""

    def __init__(self, name):
        self.name = name

    def fail(self, message):
        raise ReportError(f"{self.name}: {message}")

    def get(self, obj, path, key, kind, required=True, nullable=False):
        """obj[key] checked against kind ('obj','list','str','bool','num','int'); None if absent and optional."""
        full = f"{path}.{key}" if path else key
        if key not in obj:
            if required:
                self.fail(f"missing '{full}'")
            return None
        value = obj[key]
        self.check(value, full, kind, nullable)
        return value

    def check(self, value, full, kind, nullable=False):
        if value is None:
            if nullable:
                return
            self.fail(f"'{full}' is null, expected {self._want(kind)}")
        ok = {
            "obj": isinstance(value, dict),
            "list": isinstance(value, list),
            "str": isinstance(value, str),
            "bool": isinstance(value, bool),
            "num": isinstance(value, (int, float)) and not isinstance(value, bool),
            "int": (isinstance(value, int) and not isinstance(value, bool))
                   or (isinstance(value, float) and math.isfinite(value) and value.is_integer()),
        }[kind]
        if not ok:
            self.fail(f"'{full}' is {_describe(value)}, expected {self._want(kind)}" + (" or null" if nullable else ""))

    @staticmethod
    def _want(kind):
        return {"obj": "an object", "list": "a list", "str": "a string", "bool": "true or false",
                "num": "a number", "int": "an integer"}[kind]

    def one_of(self, value, full, allowed):
        """A string that must be one of `allowed` (already checked to be a string)."""
        if value not in allowed:
            self.fail(f"'{full}' is \"{value[:40]}\", expected one of {', '.join(allowed)}")

    def numbers(self, values, full, nullable):
        for i, v in enumerate(values):
            if v is None and nullable:
                continue
            if not (isinstance(v, (int, float)) and not isinstance(v, bool)):
                self.fail(f"'{full}[{i}]' is {_describe(v)}, expected a number" + (" or null" if nullable else ""))


def validate(doc, name):
    """Raises ReportError naming `name` when `doc` is not a usable leakbench result."""
    c = _Checker(name)
    if not isinstance(doc, dict):
        c.fail(f"the top level is {_describe(doc)}, expected an object (a leakbench result.json)")
    tool = c.get(doc, "", "tool", "str")
    if tool != "leakbench":
        c.fail(f"'tool' is \"{tool[:40]}\", expected \"leakbench\" (not a leakbench result)")
    version = c.get(doc, "", "schema_version", "int")
    if version > SUPPORTED_SCHEMA:
        c.fail(f"schema_version {version} is newer than this report supports (up to {SUPPORTED_SCHEMA}); "
               "use the reports/ of the leakbench that wrote it")
    if version < 1:
        c.fail(f"schema_version {version} is not a valid version (1 or more)")
    verdict = c.get(doc, "", "verdict", "str")
    c.one_of(verdict, "verdict", VERDICTS)
    c.get(doc, "", "exit_code", "int", required=False)

    run = c.get(doc, "", "run", "obj")
    c.get(run, "run", "completed", "bool")
    c.get(run, "run", "failure", "str")
    c.get(run, "run", "started_at", "str", required=False)
    c.get(run, "run", "wall_seconds", "num", required=False)
    c.get(run, "run", "interrupted", "bool", required=False)

    sc = c.get(doc, "", "scenario", "obj")
    c.get(sc, "scenario", "name", "str")
    c.get(sc, "scenario", "target", "str")
    for key in ("warmup_s", "duration_s", "rotation_interval_s", "max_streams"):
        c.get(sc, "scenario", key, "num")
    for key in ("containers", "rate", "sample_interval_s", "inject_leak_every"):
        c.get(sc, "scenario", key, "num", required=False)
    for key in ("description", "file", "inject_leak"):
        c.get(sc, "scenario", key, "str", required=False)
    tags = c.get(sc, "scenario", "tags", "list", required=False)
    for i, tag in enumerate(tags or []):
        c.check(tag, f"scenario.tags[{i}]", "str")

    exp = c.get(doc, "", "expectation", "obj", required=False)
    if exp is not None:
        c.get(exp, "expectation", "expect_fail", "str")
        c.get(exp, "expectation", "met", "bool")

    is_error = verdict == "error"
    criteria = c.get(doc, "", "criteria", "list", required=not is_error) or []
    for i, cr in enumerate(criteria):
        p = f"criteria[{i}]"
        c.check(cr, p, "obj")
        for key in ("id", "description", "unit", "detail"):
            c.get(cr, p, key, "str")
        for key in ("judged", "pass"):
            c.get(cr, p, key, "bool")
        for key in ("measured", "bound"):
            c.get(cr, p, key, "num", nullable=True)
        status = c.get(cr, p, "status", "str", required=version >= 2)
        if status is not None:
            c.one_of(status, f"{p}.status", STATUSES)

    figures = c.get(doc, "", "figures", "obj", required=not is_error) or {}
    if not is_error:
        for key in GROWTH_KEYS + OPTIONAL_GROWTH_KEYS:
            g = c.get(figures, "figures", key, "obj", required=key in GROWTH_KEYS)
            if g is not None:
                _growth(c, g, f"figures.{key}")
        for key in ("follow_streams_peak", "stream_age_max_s", "stream_age_median_s",
                    "lines_emitted", "lines_captured", "duplicates"):
            c.get(figures, "figures", key, "num", nullable=True)
        for key in ("streams_closed_by_target", "target_stop_ms", "sample_cost_ms_mean", "sample_cost_ms_max"):
            c.get(figures, "figures", key, "num", required=False, nullable=True)
        c.get(figures, "figures", "target_exit", "str", required=False)
        delivery = c.get(figures, "figures", "delivery", "obj", required=False)
        for key in DELIVERY_KEYS if delivery is not None else ():
            c.get(delivery, "figures.delivery", key, "num", required=False, nullable=True)
        processes = c.get(figures, "figures", "processes", "list", required=False)
        for i, proc in enumerate(processes or []):
            p = f"figures.processes[{i}]"
            c.check(proc, p, "obj")
            c.get(proc, p, "pid", "int")
            c.get(proc, p, "comm", "str")
            for key in ("threads_max", "fds_max", "rss_max_bytes"):
                c.get(proc, p, key, "num", nullable=True)
    else:
        c.get(figures, "figures", "failure", "str", required=False)

    samples = c.get(doc, "", "samples", "obj", required=not is_error)
    if samples is not None:
        columns = REQUIRED_COLUMNS if not is_error else ("t",)
        t = None
        for key in columns + tuple(k for k in REQUIRED_COLUMNS + OPTIONAL_COLUMNS if k not in columns):
            values = c.get(samples, "samples", key, "list", required=key in columns and (not is_error or key == "t"))
            if values is None:
                continue
            c.numbers(values, f"samples.{key}", nullable=key != "t")
            if key == "t":
                t = values
            elif t is not None and len(values) != len(t):
                c.fail(f"'samples.{key}' has {len(values)} entries but 'samples.t' has {len(t)} "
                       "(columns must have equal length)")
        _daemon_samples(c, samples, t)

    rot = c.get(doc, "", "rotations", "obj", required=False)
    if rot is not None:
        rt = c.get(rot, "rotations", "t", "list")
        ra = c.get(rot, "rotations", "age_s", "list")
        c.get(rot, "rotations", "total", "int")
        c.numbers(rt, "rotations.t", nullable=False)
        c.numbers(ra, "rotations.age_s", nullable=False)
        if len(rt) != len(ra):
            c.fail(f"'rotations.age_s' has {len(ra)} entries but 'rotations.t' has {len(rt)}")

    rep = c.get(doc, "", "repeat", "obj", required=False)
    if rep is not None:
        _repeat(c, rep)


def _daemon_samples(c, samples, t):
    """samples.daemon (issue 13): per daemon process, columns as long as samples.t."""
    daemon = c.get(samples, "samples", "daemon", "obj", required=False)
    for name, cols in (daemon or {}).items():
        p = f"samples.daemon.{name}"
        c.check(cols, p, "obj")
        for key in ("threads", "fds", "rss_bytes", "cpu_seconds"):
            values = c.get(cols, p, key, "list")
            c.numbers(values, f"{p}.{key}", nullable=True)
            if t is not None and len(values) != len(t):
                c.fail(f"'{p}.{key}' has {len(values)} entries but 'samples.t' has {len(t)} "
                       "(columns must have equal length)")


def _growth(c, g, p):
    """A growth fit: figures.threads, .fds, .rss_mib, .metric_series, and (version 2) .goroutines."""
    for k in ("per_minute", "per_1000_rotations"):
        c.get(g, p, k, "num", nullable=True)
    for k in ("intercept", "trend_p_value"):
        c.get(g, p, k, "num", required=False, nullable=True)
    c.get(g, p, "trend_direction", "int", required=False)
    c.get(g, p, "points", "int")
    ci = c.get(g, p, "per_minute_ci", "list")
    if len(ci) != 2:
        c.fail(f"'{p}.per_minute_ci' has {len(ci)} entries, expected 2 (lower, upper)")
    c.numbers(ci, f"{p}.per_minute_ci", nullable=True)


def _repeat(c, rep):
    """repeat (version 2): the pooled result of `leakbench --repeat N`."""
    runs = c.get(rep, "repeat", "runs", "int")
    counts = [c.get(rep, "repeat", key, "int") for key in ("passed", "failed", "inconclusive")]
    counts.append(c.get(rep, "repeat", "errors", "int", required=False) or 0)
    if runs < 1 or any(k < 0 for k in counts) or sum(counts) > runs:
        c.fail(f"'repeat' counts {runs} runs but {counts[0]} passed, {counts[1]} failed, "
               f"{counts[2]} inconclusive, {counts[3]} errors (the counts must be 0 or more and add up to at most "
               "the runs)")
    shown = c.get(rep, "repeat", "shown_run", "int", required=False)
    if shown is not None and not 1 <= shown <= runs:
        c.fail(f"'repeat.shown_run' is {shown}, expected a run number from 1 to {runs}")
    erratic = c.get(rep, "repeat", "erratic", "list", required=False) or []
    for i, cid in enumerate(erratic):
        c.check(cid, f"repeat.erratic[{i}]", "str")
    per_run = c.get(rep, "repeat", "per_run", "list", required=False)
    if per_run is None:
        return
    if len(per_run) != runs:
        c.fail(f"'repeat.per_run' has {len(per_run)} entries but 'repeat.runs' is {runs}")
    for i, run in enumerate(per_run):
        p = f"repeat.per_run[{i}]"
        c.check(run, p, "obj")
        c.one_of(c.get(run, p, "verdict", "str"), f"{p}.verdict", VERDICTS)
        c.get(run, p, "exit_code", "int", required=False)
        criteria = c.get(run, p, "criteria", "obj", required=False) or {}
        for cid, cr in criteria.items():
            q = f"{p}.criteria.{cid}"
            c.check(cr, q, "obj")
            c.one_of(c.get(cr, q, "status", "str"), f"{q}.status", STATUSES)
            c.get(cr, q, "measured", "num", required=False, nullable=True)
