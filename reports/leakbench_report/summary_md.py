"""Markdown summary of one or many results for a CI job summary, never larger than a byte budget."""

from .fmt import ci as fmt_ci, num
from .keyfigures import measure
from .result import criterion_status

DEFAULT_MAX_BYTES = 1024 * 1024  # $GITHUB_STEP_SUMMARY's limit per step
CELL_LIMIT = 300                 # characters per table cell / detail line (an engine error line can be huge)

EMOJI = {"PASS": "✅", "FAIL": "❌", "ERROR": "⚠️", "INCONCLUSIVE": "❔"}
# criterion_status -> its word in the criteria table
STATUS_WORD = {"fail": "**FAIL**", "inconclusive": "**INCONCLUSIVE**", "pass": "pass", "not judged": "not judged",
               "off": "off"}


def md(text, limit=CELL_LIMIT):
    """Text safe inside a Markdown table cell or list item: one line, no table pipes, no raw HTML."""
    s = " ".join(str(text).split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def _size(text):
    return len(text.encode("utf-8"))


def _cut(text, max_bytes):
    """text cut to at most max_bytes of UTF-8 without splitting a character."""
    return text.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")


def _slope(r, key, unit):
    g = r.growth(key)
    if g is None:
        return "n/a"
    ci = fmt_ci(g["per_minute_ci"])
    value = num(g["per_minute"], signed=True) + (f" {unit}/min" if unit else "")
    return value + (f" {ci}" if ci else "")


def _loss(r):
    m = measure(r, "loss")
    return num(m.value) if m.value is not None else "n/a"


def _peak(r):
    return f"{num(r.figures.get('follow_streams_peak'))}/{num(r.scenario.get('max_streams'))}"


def _oldest(r):
    bound = r.judged_bound("rotation")
    return f"{num(r.figures.get('stream_age_max_s'))} s" + (f" / {num(bound)} s" if bound is not None else "")


_OUTCOME_RANK = {"error": 0, "fail": 1, "inconclusive": 2, "pass": 3}


def _order(results):
    """Errors first, then runs that failed, then inconclusive ones, then the rest (stable)."""
    return sorted(results, key=lambda r: _OUTCOME_RANK.get(r.outcome, 1))


def _headline(r):
    word = r.outcome_word()
    line = f"{EMOJI[word]} **{word}** `{md(r.scenario_name, 120)}`"
    note = r.outcome_note()
    return line + (f" ({md(note)})" if note else "")


def _figures_line(r):
    if r.is_error:
        return f"The run could not be done: {md(r.failure)}"
    go = f" · goroutines {_slope(r, 'goroutines', 'goroutines')}" if "goroutines" in r.figures else ""
    d = r.figures.get("delivery")
    delivery = (f" · delivery: {num(d.get('lost_at_source'))} lost at the source, "
                f"{num(d.get('delivered_twice'))} twice" if isinstance(d, dict) else "")
    return (f"threads {_slope(r, 'threads', 'threads')}{go} · fds {_slope(r, 'fds', 'fds')} · "
            f"RSS {_slope(r, 'rss_mib', 'MiB')} · lost+duplicated lines {_loss(r)}{delivery} · "
            f"peak streams {_peak(r)} (cap) · oldest stream {_oldest(r)}")


def _criterion_line(c, expected=None):
    judged = criterion_status(c) in ("pass", "fail")
    measured = (f": measured {num(c['measured'])} {md(c['unit'], 40)}, bound {num(c['bound'])} —" if judged
                else ":")
    return (f"- `{md(c['id'], 60)}`{' (expected)' if c['id'] == expected else ''}{measured} {md(c['detail'])}")


def _repeat_lines(r):
    """The pooled result of `leakbench --repeat N`: one line, then its erratic criteria run by run."""
    line = r.repeat_line()
    if line is None:
        return []
    out = [f"**{md(line)}**", ""]
    erratic = r.erratic()
    if erratic:
        out.append("Erratic criteria (failed in some runs and not in others), status and measured value per run:")
        for cid, values in erratic:
            runs = " · ".join(f"#{i} {STATUS_WORD.get(st, md(st or 'absent', 20))} {num(m)}" for i, st, m in values)
            out.append(f"- `{md(cid, 60)}`: {runs or 'no per-run values in this result'}")
        out.append("")
    return out


def _details(r, heading="###"):
    s = r.scenario
    lines = [f"{heading} {_headline(r)}", "",
             md(f"{s.get('description') or ''} — {num(s.get('containers'))} containers, target "
                f"{s.get('target')}, rotation {num(s.get('rotation_interval_s'))} s, max_streams "
                f"{num(s.get('max_streams'))}, {num(s.get('duration_s'))} s ({num(s.get('warmup_s'))} s warm-up)"
                + (f", injected leak {s.get('inject_leak')}" if s.get("inject_leak") else ""), 600), "",
             _figures_line(r), ""]
    lines += _repeat_lines(r)
    expected = (r.expectation or {}).get("expect_fail")
    failed = r.criteria_with("fail")
    if failed:
        lines.append("Failed criteria:")
        lines += [_criterion_line(c, expected) for c in failed]
        lines.append("")
    inconclusive = r.criteria_with("inconclusive")
    if inconclusive:
        lines.append("Inconclusive criteria (could not be judged):")
        lines += [_criterion_line(c) for c in inconclusive]
        lines.append("")
    off = r.criteria_with("off")
    if off:
        lines += ["Switched off: " + ", ".join(f"`{md(c['id'], 60)}`" for c in off), ""]
    if r.criteria:
        lines += ["<details><summary>All criteria</summary>", "",
                  "| criterion | result | measured | bound | unit | detail |", "|---|---|---|---|---|---|"]
        for c in r.ordered_criteria():
            status = criterion_status(c)
            judged = status in ("pass", "fail")
            lines.append(f"| `{md(c['id'], 60)}` | {STATUS_WORD.get(status, md(status, 20))} | "
                         f"{num(c['measured']) if judged else '—'} | {num(c['bound']) if judged else '—'} | "
                         f"{md(c['unit'], 40)} | {md(c['detail'])} |")
        lines += ["", "</details>", ""]
    return "\n".join(lines) + "\n"


def _row(r):
    failed = ", ".join(f"`{md(c['id'], 60)}`" for c in r.criteria_with("fail"))
    inconclusive = ", ".join(f"`{md(c['id'], 60)}`" for c in r.criteria_with("inconclusive"))
    if inconclusive:
        failed += ("; " if failed else "") + "inconclusive: " + inconclusive
    if r.repeat_line():
        failed += ("; " if failed else "") + md(r.repeat_line(with_shown_run=False), 80)
    if r.is_error:
        failed = "run failed: " + md(r.failure, 120)
    word = r.outcome_word()
    return (f"| {EMOJI[word]} {word} | `{md(r.scenario_name, 120)}` | {_slope(r, 'threads', '')} | "
            f"{_slope(r, 'fds', '')} | {_slope(r, 'rss_mib', '')} | {_loss(r)} | {_peak(r)} | "
            f"{_oldest(r)} | {failed or '—'} |\n")


def render(results, max_bytes=DEFAULT_MAX_BYTES):
    """(markdown, number of results left out of the table entirely)."""
    results = _order(results)
    n = len(results)
    ok = sum(1 for r in results if r.outcome_ok)
    if n == 1:
        head = f"## leakbench: {results[0].outcome_word()} — `{md(results[0].scenario_name, 120)}`\n\n"
        blocks = [_details(results[0], heading="###")]
        rows, table_head = [], ""
    else:
        count = {k: sum(1 for r in results if r.outcome == k) for k in ("fail", "inconclusive", "error")}
        head = (f"## leakbench: {ok} of {n} results as expected"
                + (f", {count['fail']} failed" if count["fail"] else "")
                + (f", {count['inconclusive']} inconclusive" if count["inconclusive"] else "")
                + (f", {count['error']} could not be run" if count["error"] else "") + "\n\n")
        table_head = ("| result | scenario | threads/min [95% CI] | fds/min [95% CI] | RSS MiB/min [95% CI] | "
                      "lost+dup lines | peak/cap streams | oldest stream / bound | failed / inconclusive |\n"
                      "|---|---|---|---|---|---|---|---|---|\n")
        rows = [_row(r) for r in results]
        blocks = [_details(r) for r in results]

    details_head = "\n### Details\n\n" if n > 1 else ""
    full = head + table_head + "".join(rows) + details_head + "".join(blocks)
    if _size(full) <= max_bytes:
        return full, 0

    def note(kind, k):
        return (f"\n> **{k} of {n} results {kind}** to keep this summary under {max_bytes:,} bytes; "
                "each result's own summary.md and report.html have everything.\n")

    # 1. Keep the whole overview table, as many detail blocks as fit.
    base = head + table_head + "".join(rows) + details_head
    budget = max_bytes - _size(base) - _size(note("without details", n))
    if n > 1 and budget >= 0:
        kept = []
        for b in blocks:
            if _size(b) > budget:
                break
            kept.append(b)
            budget -= _size(b)
        return base + "".join(kept) + note("without details", n - len(kept)), 0

    # 2. Not even the table fits (or a single result is too big): as many rows as fit.
    base = head + table_head
    budget = max_bytes - _size(base) - _size(note("left out", n))
    if budget >= 0:
        kept = 0
        for row in rows:
            if _size(row) > budget:
                break
            budget -= _size(row)
            kept += 1
        if n == 1:  # a single result's details did not fit: its headline at least
            line = _headline(results[0]) + "\n\n" + _figures_line(results[0]) + "\n"
            if _size(line) <= budget:
                return head + line + note("summarised in one line only", 1), 0
            return head + note("left out", 1), 1
        return base + "".join(rows[:kept]) + note("left out", n - kept), n - kept

    # 3. A budget smaller than a heading: the note alone, cut to fit.
    return _cut(note("left out", n).lstrip("\n"), max_bytes), n
