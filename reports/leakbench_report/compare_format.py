"""Renders a compare.Comparison as Markdown or plain text."""

from .fmt import ci as fmt_ci, num, pct
from .noise import IMPROVEMENT, NA, REGRESSION, WITHIN

_ORDER = {REGRESSION: 0, IMPROVEMENT: 1, WITHIN: 2, NA: 3}
CELL_LIMIT = 300  # characters per table cell


def md(text, limit=CELL_LIMIT):
    """Text safe inside a Markdown table cell or list item: one line, no table pipes, no raw HTML."""
    s = " ".join(str(text).split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def _runs(measures):
    """'8.57 [7.83 .. 9.23]' for one run, 'median 0.01 (0 .. 0.02, 4 runs)' for several."""
    vals = [m.value for m in measures if m.value is not None]
    if not vals:
        return "n/a"
    if len(measures) == 1:
        ci = fmt_ci(measures[0].ci)
        return num(vals[0]) + (f" {ci}" if ci else "")
    s = sorted(vals)
    med = s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2
    return f"{num(med)} ({num(s[0])} .. {num(s[-1])}, {len(vals)} runs)"


def _status(row):
    st = row.decision.status
    if st == REGRESSION and not row.spec.gating:
        return "worse (informational)"
    if st == IMPROVEMENT and not row.spec.gating:
        return "better (informational)"
    return {REGRESSION: "REGRESSION", IMPROVEMENT: "improvement", WITHIN: "within noise", NA: "n/a"}[st]


def _sorted_rows(cmp):
    """Gating regressions, improvements, informational moves, within noise, n/a (catalogue order within)."""
    def rank(row):
        st = row.decision.status
        return _ORDER[st] if row.spec.gating or st in (WITHIN, NA) else 1.5
    return sorted(cmp.rows, key=rank)


def _statuses(values):
    """'pass' for one run or runs that agree, else 'pass, fail, pass'; a missing criterion is 'absent'."""
    words = [v if v is not None else "absent" for v in values]
    return words[0] if len(set(words)) == 1 else ", ".join(words)


def _status_changes(cmp):
    """[('capture', 'pass → inconclusive'), ...] for the criteria whose status differs."""
    return [(cid, f"{_statuses(base)} → {_statuses(cand)}") for cid, base, cand in cmp.status_changes]


def _inconclusive(cmp):
    return any(r.outcome == "inconclusive" for r in cmp.candidates)


def _headline(cmp):
    name = cmp.baselines[0].scenario_name
    word = "REGRESSION" if cmp.regressed else "no regression beyond noise"
    if _inconclusive(cmp):
        word += " (candidate inconclusive)"
    return word, name


def _cells(row):
    d = row.decision
    change = num(d.change, signed=True) if d.status != NA else "—"
    return [row.spec.label, row.spec.unit, _runs(row.base), _runs(row.cand), change,
            pct(d.change, d.reference) if d.status != NA else "—", _status(row), d.reason]


def markdown(cmp):
    word, name = _headline(cmp)
    icon = "❌" if cmp.regressed else ("❔" if _inconclusive(cmp) else "✅")
    out = [f"## leakbench compare: {icon} {word} — `{md(name, 120)}`", "",
           f"Baseline: {len(cmp.baselines)} run(s) ({md(', '.join(r.name for r in cmp.baselines), 600)}); "
           f"candidate: {len(cmp.candidates)} run(s) ({md(', '.join(r.name for r in cmp.candidates), 600)}).", ""]
    for w in cmp.warnings:
        out.append(f"> **Forced:** {md(w, 600)}")
    if cmp.warnings:
        out.append("")
    out.append(f"**Verdict:** {md(cmp.verdict_text, 600)}"
               + (f"; now failing: {', '.join('`' + md(c, 60) + '`' for c in cmp.newly_failing)}"
                  if cmp.newly_failing else ""))
    out.append("")
    changes = _status_changes(cmp)
    if changes:
        out.append("**Criteria whose status changed** (baseline → candidate):")
        out += [f"- `{md(cid, 60)}`: {md(change, 600)}" for cid, change in changes]
        out.append("")
    moved = [row for row in cmp.rows if row.decision.status in (REGRESSION, IMPROVEMENT)]
    if moved:
        out.append("**Moved beyond noise:**")
        out += [f"- {_status(row)}: {md(row.spec.label)} {num(row.decision.reference)} → "
                f"{num(row.decision.candidate)} {md(row.spec.unit)} ({md(row.decision.reason, 600)})"
                for row in _sorted_rows(cmp) if row in moved]
    else:
        out.append("No figure moved beyond noise.")
    out += ["", "| figure | unit | baseline | candidate | change | change % | beyond noise? | why |",
            "|---|---|---|---|---|---|---|---|"]
    for row in _sorted_rows(cmp):
        c = [md(x, 400) for x in _cells(row)]
        if row.regression:
            c[6] = f"**{c[6]}**"
        out.append("| " + " | ".join(c) + " |")
    out += ["", "Noise test: a figure moved when it is outside the baselines' noise band (one baseline: its "
            "value ± the figure's practical floor; several: their range widened by max(floor, 3 robust "
            "sigmas)) and, for slopes, the candidate's 95% CI does not overlap the baselines' CIs. "
            "See reports/README.md.", ""]
    return "\n".join(out)


def text(cmp):
    word, name = _headline(cmp)
    out = [f"leakbench compare: {word} ({name})",
           f"  baseline:  {', '.join(r.name for r in cmp.baselines)}",
           f"  candidate: {', '.join(r.name for r in cmp.candidates)}"]
    out += [f"  forced: {w}" for w in cmp.warnings]
    out.append(f"  verdict: {cmp.verdict_text}"
               + (f"; now failing: {', '.join(cmp.newly_failing)}" if cmp.newly_failing else ""))
    for cid, change in _status_changes(cmp):
        out.append(f"  criterion changed: {cid}: {change}")
    out.append("")
    header = ["figure", "unit", "baseline", "candidate", "change", "%", "beyond noise?"]
    rows = [_cells(row)[:7] for row in _sorted_rows(cmp)]
    widths = [max(len(str(x[i])) for x in rows + [header]) for i in range(len(header))]
    fmt_row = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    out.append(fmt_row(header))
    out.append(fmt_row(["-" * w for w in widths]))
    out += [fmt_row(r) for r in rows]
    out.append("")
    moved = [row for row in _sorted_rows(cmp) if row.decision.status in (REGRESSION, IMPROVEMENT)]
    for row in moved:
        out.append(f"{_status(row)}: {row.spec.label}: {row.decision.reason}")
    if not moved:
        out.append("No figure moved beyond noise.")
    return "\n".join(out) + "\n"
