"""Number formatting shared by every output (HTML, Markdown, text)."""

import math


def is_num(x):
    """True for a finite int/float that is not a bool."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def num(x, signed=False):
    """A short human form of a number: 0, 8.57, 0.021, 4.9e-10, 1,007; n/a for None/NaN."""
    if not is_num(x):
        return "n/a"
    sign = "+" if signed and x > 0 else ""
    ax = abs(x)
    if ax == 0:
        return "0"
    if float(x).is_integer() and ax < 1e15:
        return f"{sign}{int(x):,}"
    if ax >= 100:
        return f"{sign}{x:,.0f}"
    if ax >= 1:
        return f"{sign}{x:.2f}"
    if ax >= 0.01:
        return f"{sign}{x:.3f}"
    return f"{sign}{x:.2g}"


def pct(delta, ref):
    """Relative change in percent, or an em dash when the reference is zero/unknown."""
    if not is_num(delta) or not is_num(ref) or ref == 0:
        return "—"
    return f"{100.0 * delta / abs(ref):+.0f}%"


def ci(pair):
    """A confidence interval as '[lo .. hi]', or '' when unknown."""
    if not pair or not all(is_num(v) for v in pair):
        return ""
    return f"[{num(pair[0])} .. {num(pair[1])}]"


def seconds(x):
    """A duration in seconds with a unit: 45 s, 2.0 min, 1.5 h."""
    if not is_num(x):
        return "n/a"
    if x >= 5400:
        return f"{x / 3600:.1f} h"
    if x >= 300:
        return f"{x / 60:.1f} min"
    return f"{num(x)} s"
