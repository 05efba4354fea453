"""The noise test of `compare`: is a change between baseline and candidate runs beyond run-to-run noise?

Every figure is "higher is worse" (slopes, peaks, ages, loss, levels). Let B be the baseline runs'
values, C the candidate runs' values, F the figure's practical floor (keyfigures.py).

* reference = median(B); candidate = the candidate run with the median value (the lower middle
  run when their number is even); change = candidate - reference.
* noise band around the baselines:
    one baseline run:   [b - F, b + F]                (only the floor: one run has no spread)
    two or more:        [min(B) - M, max(B) + M],  M = max(F, 3 * 1.4826 * MAD(B))
  (1.4826 * MAD estimates the standard deviation robustly: one wild baseline run cannot
  widen the band much, and identical baselines still get the floor).
* slopes also carry Sen's 95% confidence interval from the run itself. The candidate's CI must
  not overlap the hull of the baselines' CIs [min lower, max upper]: the slope is, with 95%
  confidence, outside every baseline's plausible range, not just its point estimate.
* regression   = candidate above the band (and, for a slope, its CI entirely above the hull);
  improvement  = the mirror image; anything else is within noise. A slope whose CI is
  missing (NaN in the writer) is judged on the band alone, and says so.
"""

import math
import statistics
from dataclasses import dataclass

from .fmt import ci as fmt_ci, num

REGRESSION = "regression"
IMPROVEMENT = "improvement"
WITHIN = "within noise"
NA = "n/a"

MAD_TO_SIGMA = 1.4826
BAND_SIGMAS = 3.0


@dataclass
class Decision:
    status: str          # REGRESSION, IMPROVEMENT, WITHIN or NA
    reason: str          # one sentence: which test said what
    reference: float = math.nan
    candidate: float = math.nan
    change: float = math.nan
    band: tuple = (math.nan, math.nan)


def _finite(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _ci_ok(ci):
    return ci is not None and len(ci) == 2 and all(_finite(v) for v in ci) and ci[0] <= ci[1]


def median_run(values):
    """Index of the run with the median value (lower middle for an even count)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    return order[(len(order) - 1) // 2]


def band(baselines, floor):
    """(low, high) of the noise band around the baseline values."""
    if len(baselines) == 1:
        return baselines[0] - floor, baselines[0] + floor
    centre = statistics.median(baselines)
    mad = statistics.median(abs(b - centre) for b in baselines)
    margin = max(floor, BAND_SIGMAS * MAD_TO_SIGMA * mad)
    return min(baselines) - margin, max(baselines) + margin


def decide(base_values, cand_values, floor, base_cis=None, cand_cis=None, slope=False):
    """The Decision for one figure; values None/NaN are runs where the figure is not available."""
    base_idx = [i for i, v in enumerate(base_values) if _finite(v)]
    cand_idx = [i for i, v in enumerate(cand_values) if _finite(v)]
    if not base_idx or not cand_idx:
        side = "baseline" if not base_idx else "candidate"
        return Decision(NA, f"not available in the {side} result(s)")
    b = [float(base_values[i]) for i in base_idx]
    c = [float(cand_values[i]) for i in cand_idx]
    ref = statistics.median(b)
    pick = median_run(c)
    cand = c[pick]
    lo, hi = band(b, floor)
    d = Decision(WITHIN, "", ref, cand, cand - ref, (lo, hi))
    above, below = cand > hi, cand < lo
    spread = (f"floor {num(floor)}" if len(b) == 1
              else f"band {num(lo)} .. {num(hi)} from {len(b)} baseline runs")

    ci_note = ""
    if slope:
        bcis = [base_cis[i] for i in base_idx] if base_cis else []
        ccis = cand_cis[cand_idx[pick]] if cand_cis else None
        if _ci_ok(ccis) and bcis and all(_ci_ok(x) for x in bcis):
            hull = (min(x[0] for x in bcis), max(x[1] for x in bcis))
            ci_above, ci_below = ccis[0] > hull[1], ccis[1] < hull[0]
            overlap = not (ci_above or ci_below)
            ci_note = (f"95% CIs {'overlap' if overlap else 'disjoint'}: candidate {fmt_ci(ccis)} vs "
                       f"baseline {fmt_ci(hull)}")
            if (above and not ci_above) or (below and not ci_below):
                d.reason = f"outside the noise band ({spread}) but {ci_note}"
                return d
        else:
            ci_note = "no usable 95% CI, judged on the band alone"
    if above or below:
        d.status = REGRESSION if above else IMPROVEMENT
        moved = "up" if above else "down"
        d.reason = f"moved {moved} by {num(abs(cand - ref))}, beyond the {spread}"
        if ci_note:
            d.reason += f"; {ci_note}"
    else:
        d.reason = f"change {num(cand - ref, signed=True)} within the {spread}"
        if ci_note:
            d.reason += f"; {ci_note}"
    return d
