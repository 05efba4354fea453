"""Compares baseline and candidate runs of one scenario: verdicts, and every key figure against run-to-run noise.

The noise test is noise.py's (module docstring there); floors are keyfigures.py's. A regression is
a candidate verdict that went wrong where a baseline's was right (pass -> fail, or a negative control
that stopped failing), or a gating figure worse beyond noise. An inconclusive candidate (schema 2:
some criterion could not be judged, none failed) is not a verdict regression by itself: its figures
are compared like any other, and the criteria whose status changed are listed. Results of different scenarios (or the
same scenario run with different settings) are refused unless forced: their figures do not compare.
"""

import statistics
from dataclasses import dataclass, field

from .errors import ReportError
from .fmt import num
from .keyfigures import SPECS
from .noise import NA, REGRESSION, decide
from .result import criterion_status

# What makes two runs the same experiment. inject_leak and target are not here: they are the
# engine under test, which is exactly what a comparison varies.
SCENARIO_KEYS = ("name", "containers", "rate", "rotation_interval_s", "max_streams", "duration_s", "warmup_s",
                 "sample_interval_s")


@dataclass
class Row:
    spec: object
    base: list            # Measure per baseline run
    cand: list            # Measure per candidate run
    decision: object      # noise.Decision

    @property
    def regression(self):
        return self.spec.gating and self.decision.status == REGRESSION


@dataclass
class Comparison:
    baselines: list
    candidates: list
    rows: list
    verdict_regression: bool
    verdict_text: str
    newly_failing: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    # (criterion id, [baseline statuses], [candidate statuses]) where they differ; None = not in that result
    status_changes: list = field(default_factory=list)

    @property
    def regressions(self):
        return [row for row in self.rows if row.regression]

    @property
    def regressed(self):
        return self.verdict_regression or bool(self.regressions)


def _identity(r):
    return {k: r.scenario.get(k) for k in SCENARIO_KEYS}


def check_same_scenario(baselines, candidates, force):
    """[] when every result is a run of the same scenario; with force, the differences as warnings;
    otherwise ReportError naming the first difference."""
    ref = baselines[0]
    problems = []
    for r in baselines[1:] + candidates:
        a, b = _identity(ref), _identity(r)
        if a["name"] != b["name"]:
            problems.append(f"different scenarios: {ref.name} is '{a['name']}', {r.name} is '{b['name']}'")
            continue
        diff = [f"{k} {num(a[k]) if not isinstance(a[k], str) else a[k]} vs "
                f"{num(b[k]) if not isinstance(b[k], str) else b[k]}" for k in SCENARIO_KEYS if a[k] != b[k]]
        if diff:
            problems.append(f"scenario '{a['name']}' run with different settings: {', '.join(diff)} "
                            f"({ref.name} vs {r.name})")
    if problems and not force:
        raise ReportError(problems[0] + "; their figures do not compare (use --force to compare anyway)")
    return problems


def _verdicts(baselines, candidates):
    base_ok = [r.outcome_ok for r in baselines]
    cand_ok = [r.outcome_ok for r in candidates]
    words = lambda rs: ", ".join(r.outcome_word().lower() for r in rs)
    text = f"baseline {words(baselines)} → candidate {words(candidates)}"
    # An inconclusive candidate did not come out wrong, only unjudged: not a regression by itself.
    cand_wrong = [r.outcome in ("fail", "error") for r in candidates]
    cand_inconclusive = any(r.outcome == "inconclusive" for r in candidates)
    regression = any(base_ok) and any(cand_wrong)
    if regression:
        text += ": regression (a candidate run did not come out as the baseline did)"
    elif cand_inconclusive and not all(r.outcome == "inconclusive" for r in baselines):
        text += (": inconclusive (a candidate run could not be judged on some criterion; not a regression by "
                 "itself, its figures are compared below)")
    elif not any(base_ok) and all(cand_ok):
        text += ": improvement"
    else:
        text += ": unchanged"
    # Criteria failing in some candidate that passed in every baseline.
    newly = []
    for c in [c for r in candidates for c in r.criteria]:
        if criterion_status(c) != "fail" or c["id"] in newly:
            continue
        in_base = [b.criterion(c["id"]) for b in baselines]
        if in_base and all(x is not None and criterion_status(x) == "pass" for x in in_base):
            newly.append(c["id"])
    return regression, text, newly


def status_changes(baselines, candidates):
    """(id, baseline statuses, candidate statuses) of every criterion whose status is not the same in
    all baselines and candidates (None where a result does not have it), in order of appearance."""
    ids = []
    for r in baselines + candidates:
        ids += [c["id"] for c in r.criteria if c["id"] not in ids]

    def statuses(rs, cid):
        return [criterion_status(c) if c is not None else None for c in (r.criterion(cid) for r in rs)]
    out = []
    for cid in ids:
        base, cand = statuses(baselines, cid), statuses(candidates, cid)
        if set(base) != set(cand):
            out.append((cid, base, cand))
    return out


def compare(baselines, candidates, force=False):
    """The Comparison of candidate runs against baseline runs."""
    for r in baselines + candidates:
        if r.is_error:
            raise ReportError(f"{r.name}: the run could not be done (verdict error: {r.failure}); "
                              "it has no figures to compare")
    warnings = check_same_scenario(baselines, candidates, force)
    rows = []
    for spec in SPECS:
        base = [spec.extract(r) for r in baselines]
        cand = [spec.extract(r) for r in candidates]
        values = [m.value for m in base if m.value is not None]
        ref = statistics.median(values) if values else 0.0
        floor = spec.floor(ref, baselines[0])
        d = decide([m.value for m in base], [m.value for m in cand], floor,
                   [m.ci for m in base], [m.ci for m in cand], slope=spec.slope)
        if d.status == NA:
            missing = next((m for m in base + cand if m.value is None), None)
            if missing is not None and missing.why:
                d.reason += f" ({missing.why})"
        rows.append(Row(spec, base, cand, d))
    regression, text, newly = _verdicts(baselines, candidates)
    return Comparison(baselines, candidates, rows, regression, text, newly, warnings,
                      status_changes(baselines, candidates))

