"""A validated leakbench result with typed accessors: samples as NumPy arrays, fits, criteria, outcome."""

import math

import numpy as np

from .fmt import is_num

MIB = 1024.0 * 1024.0

# criterion_status() values, in the order reports list them: what went wrong first, what could not
# be judged next, then what passed, then what was not judged at all. "not judged" is a version-1
# criterion with judged=false: the file does not say whether it was switched off or could not be
# judged (version 1 counted it as passed, which is why version 2 splits it).
NOT_JUDGED = "not judged"
STATUS_ORDER = ("fail", "inconclusive", "pass", NOT_JUDGED, "off")
OUTCOMES = ("pass", "fail", "inconclusive", "error")


def criterion_status(c):
    """'pass' | 'fail' | 'inconclusive' | 'off' (version 2's criteria[].status), or for a version-1
    criterion without one: pass / fail when judged, else 'not judged'."""
    status = c.get("status")
    if status is not None:
        return status
    if c["judged"]:
        return "pass" if c["pass"] else "fail"
    return NOT_JUDGED


# figures.<key> -> how to get its series from the samples (the judge's Extract()).
_SERIES = {
    "threads": ("threads", 1.0, False),
    "fds": ("fds", 1.0, False),
    "rss_mib": ("rss_bytes", 1.0 / MIB, False),
    "metric_series": ("metric_series", 1.0, True),  # 0 means "no /metrics scrape": excluded, as the judge does
    "goroutines": ("goroutines", 1.0, False),
}


class Result:
    """One result.json (already validated by schema.validate)."""

    def __init__(self, doc, name):
        self.doc = doc
        self.name = name  # the path as the user gave it, for messages
        self.scenario = doc["scenario"]
        self.run = doc["run"]
        self.verdict = doc["verdict"]
        self.criteria = doc.get("criteria") or []
        self.figures = doc.get("figures") or {}
        self.samples = doc.get("samples") or {}
        self.expectation = doc.get("expectation")
        self.rotations = doc.get("rotations")
        self.repeat = doc.get("repeat")          # version 2, `leakbench --repeat N`
        self.exit_code = doc.get("exit_code")    # version 2
        self.daemon = doc.get("daemon") or {}    # which daemon ran (absent before issue 13)

    # --- identity and outcome -------------------------------------------------------------
    @property
    def scenario_name(self):
        return self.scenario["name"]

    @property
    def is_error(self):
        return self.verdict == "error"

    @property
    def failure(self):
        return self.run.get("failure") or self.figures.get("failure") or "no reason recorded"

    @property
    def is_inconclusive(self):
        return self.verdict == "inconclusive"

    @property
    def outcome(self):
        """'pass' | 'fail' | 'inconclusive' | 'error': the verdict, except that a negative control
        passes when it failed where it had to and fails when it came out pass. A negative control
        that came out inconclusive stays inconclusive (it neither caught the leak nor missed it)."""
        if self.is_error:
            return "error"
        if self.expectation is not None:
            if self.expectation.get("met"):
                return "pass"
            return "inconclusive" if self.is_inconclusive else "fail"
        return self.verdict if self.verdict in OUTCOMES else "fail"

    @property
    def outcome_ok(self):
        """True when the run came out as it should: pass, or a negative control that failed as expected."""
        return self.outcome == "pass"

    def outcome_word(self):
        """PASS / FAIL / INCONCLUSIVE / ERROR, for a negative control whether its expectation was met."""
        return self.outcome.upper()

    def outcome_note(self):
        """'' or a phrase explaining a negative control's outcome."""
        if self.expectation is None or self.is_error:
            return ""
        want = self.expectation.get("expect_fail", "?")
        if self.expectation.get("met"):
            return f"negative control: failed on {want} as expected (verdict {self.verdict})"
        if self.is_inconclusive:
            return (f"negative control: expected to fail on {want}; the result is inconclusive "
                    f"(verdict {self.verdict})")
        return f"negative control: expected to fail on {want} but did not (verdict {self.verdict})"

    @property
    def is_log_capturer(self):
        return self.scenario.get("target") == "log-capturer"

    @property
    def warmup_s(self):
        return float(self.scenario["warmup_s"])

    def criterion(self, cid):
        for c in self.criteria:
            if c["id"] == cid:
                return c
        return None

    def ordered_criteria(self):
        """Failed first, then inconclusive, passed, not judged (version 1), off; file order within each."""
        return sorted(self.criteria, key=lambda c: STATUS_ORDER.index(criterion_status(c))
                      if criterion_status(c) in STATUS_ORDER else 0)  # sorted() is stable

    def criteria_counts(self):
        """'2 failed, 1 inconclusive, 9 passed, 2 off' (in STATUS_ORDER; statuses with none left out)."""
        words = {"fail": "failed", "pass": "passed"}
        statuses = [criterion_status(c) for c in self.criteria]
        return ", ".join(f"{statuses.count(s)} {words.get(s, s)}" for s in STATUS_ORDER if s in statuses)

    def criteria_with(self, *statuses):
        """The criteria whose criterion_status is one of `statuses`, in file order."""
        return [c for c in self.criteria if criterion_status(c) in statuses]

    def judged_bound(self, cid):
        """The bound of criterion `cid` if it exists, was judged and has a finite bound."""
        c = self.criterion(cid)
        if c is None or criterion_status(c) not in ("pass", "fail") or not is_num(c.get("bound")):
            return None
        return float(c["bound"])

    # --- repeated runs (version 2: `leakbench --repeat N`) ------------------------------------
    def repeat_line(self, with_shown_run=True):
        """'5 runs: 3 pass, 1 fail, 1 inconclusive' for a pooled result, else None; with the run whose
        figures the result holds when it says (shown_run). Without an `errors` count, runs not counted
        as passed, failed or inconclusive are the ones that could not be done."""
        rep = self.repeat
        if not isinstance(rep, dict):
            return None
        runs = int(rep["runs"])
        counts = [("pass", int(rep["passed"])), ("fail", int(rep["failed"])),
                  ("inconclusive", int(rep["inconclusive"]))]
        errors = int(rep["errors"]) if rep.get("errors") is not None else runs - sum(k for _, k in counts)
        if errors > 0:
            counts.append(("error", errors))
        line = f"{runs} run{'s' if runs != 1 else ''}: " + ", ".join(f"{k} {word}" for word, k in counts)
        if rep.get("shown_run") is not None and with_shown_run:
            line += f" (figures and plots from run {int(rep['shown_run'])})"
        return line

    def erratic(self):
        """[(criterion id, [(run number from 1, status or None, measured or None), ...])] for the
        criteria that failed in some runs and not in others; [] when there are none."""
        rep = self.repeat if isinstance(self.repeat, dict) else {}
        per_run = rep.get("per_run") or []
        out = []
        for cid in rep.get("erratic") or []:
            values = []
            for i, run in enumerate(per_run, 1):
                c = (run.get("criteria") or {}).get(cid)
                values.append((i, c.get("status") if c else None, c.get("measured") if c else None))
            out.append((cid, values))
        return out

    # --- samples ---------------------------------------------------------------------------
    def column(self, key):
        """samples[key] as a float array (null -> NaN), or None when the column is absent."""
        values = self.samples.get(key)
        if values is None:
            return None
        return np.array([math.nan if v is None else float(v) for v in values], dtype=float)

    def daemon_processes(self):
        """Names of the daemon processes sampled beside the target (samples.daemon), in figures order."""
        sampled = self.samples.get("daemon")
        if not isinstance(sampled, dict):
            return []
        named = [p.get("name") for p in self.figures.get("daemon") or [] if isinstance(p, dict)]
        return [n for n in named if n in sampled] + [n for n in sampled if n not in named]

    def daemon_column(self, name, key):
        """samples.daemon[name][key] as a float array (null -> NaN), or None."""
        values = (self.samples.get("daemon") or {}).get(name, {}).get(key)
        if values is None:
            return None
        return np.array([math.nan if v is None else float(v) for v in values], dtype=float)

    def daemon_figures(self, name):
        """figures.daemon[] entry of process `name`, or {}."""
        for p in self.figures.get("daemon") or []:
            if isinstance(p, dict) and p.get("name") == name:
                return p
        return {}

    def has_values(self, key):
        col = self.column(key)
        return col is not None and bool(np.isfinite(col).any())

    @property
    def t(self):
        t = self.column("t")
        return t if t is not None else np.array([], dtype=float)

    def after_warmup(self):
        """Boolean mask of samples the judge fits (t >= warm-up)."""
        return self.t >= self.warmup_s

    def series(self, key):
        """(t, y) of figures key 'threads'|'fds'|'rss_mib'|'metric_series' in the fit's unit; NaN where missing."""
        column, scale, zero_is_missing = _SERIES[key]
        y = self.column(column)
        if y is None:
            return self.t, np.full(len(self.t), math.nan)
        y = y * scale
        if zero_is_missing:
            y = np.where(y == 0, math.nan, y)
        return self.t, y

    def median_after_warmup(self, column, scale=1.0):
        y = self.column(column)
        if y is None:
            return None
        y = y[self.after_warmup()] * scale
        y = y[np.isfinite(y)]
        return float(np.median(y)) if len(y) else None

    def rotations_per_minute(self):
        """Streams closed at the fake per minute after the warm-up (what 'per 1,000 rotations' divides by)."""
        closed = self.column("streams_closed")
        if closed is None:
            return None
        m = self.after_warmup() & np.isfinite(closed)
        t, c = self.t[m], closed[m]
        if len(t) < 2 or t[-1] <= t[0]:
            return None
        return float((c[-1] - c[0]) / (t[-1] - t[0]) * 60.0)

    # --- growth fits -----------------------------------------------------------------------
    def growth(self, key):
        """figures[key] when its slope is valid (at least 3 points), else None."""
        g = self.figures.get(key)
        if not isinstance(g, dict) or (g.get("points") or 0) < 3 or not is_num(g.get("per_minute")):
            return None
        return g

    def fit_line(self, key):
        """(slope per second, intercept, recomputed) of the Theil-Sen line y = intercept + slope * t.

        The intercept comes from figures.<key>.intercept; results written before it existed get
        the judge's definition recomputed from the samples: median(y - slope * t) after the warm-up.
        """
        g = self.growth(key)
        if g is None:
            return None
        slope = float(g["per_minute"]) / 60.0
        if is_num(g.get("intercept")):
            return slope, float(g["intercept"]), False
        t, y = self.series(key)
        m = (t >= self.warmup_s) & np.isfinite(y)
        if not m.any():
            return None
        return slope, float(np.median(y[m] - slope * t[m])), True

    def rotation_ages(self):
        """Array of rotated streams' ages (rotations.age_s), or None when the result has no records."""
        if not isinstance(self.rotations, dict):
            return None
        return np.array(self.rotations.get("age_s") or [], dtype=float)
