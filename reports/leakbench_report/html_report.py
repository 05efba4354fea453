"""Builds the self-contained HTML report of one result: header, verdict, criteria table, embedded plots."""

import base64
import html

import numpy as np

from .fmt import ci as fmt_ci, num, seconds
from .keyfigures import measure
from .page_style import CSS, SCRIPT
from .plots import render_all
from .result import MIB, criterion_status

def e(x):
    return html.escape(str(x), quote=True)


def _badge(r):
    word = r.outcome_word()
    cls = {"PASS": "pass", "FAIL": "fail", "ERROR": "error", "INCONCLUSIVE": "inconclusive"}.get(word, "neutral")
    out = f'<span class="badge {cls}" id="verdict">{e(word)}</span>'
    note = r.outcome_note()
    if note:
        out += f'<span class="note">{e(note)}</span>'
    return out


def _scenario_table(r):
    s, run = r.scenario, r.run
    rows = [
        ("scenario file", s.get("file") or "n/a"),
        ("target", s.get("target")),
        ("containers", f"{num(s.get('containers'))} at {num(s.get('rate'))} lines/s each"),
        ("rotation interval", f"{num(s.get('rotation_interval_s'))} s"),
        ("max_streams", num(s.get("max_streams"))),
        ("duration", f"{seconds(s.get('duration_s'))}, warm-up {seconds(s.get('warmup_s'))}, "
                     f"a sample every {num(s.get('sample_interval_s'))} s"),
        ("started", f"{run.get('started_at') or 'n/a'} (UTC), took {seconds(run.get('wall_seconds'))}"),
    ]
    d = r.daemon
    if d.get("kind"):
        text = f"{d['kind']} {d.get('version') or ''}".strip()
        if d.get("storage_driver"):
            text += f" (API {d.get('api_version')}, storage driver {d['storage_driver']}"
            text += ", started by leakbench)" if d.get("started_by_leakbench") else ")"
        rows.append(("daemon", text))
    if r.exit_code is not None:
        rows.append(("exit code", f"{num(r.exit_code)} (verdict {r.verdict})"))
    if s.get("inject_leak"):
        every = s.get("inject_leak_every")
        rows.append(("injected leak", s["inject_leak"] + (f", at one rotation in {num(every)}" if every else "")))
    if s.get("tags"):
        rows.append(("tags", ", ".join(s["tags"])))
    f = r.figures
    if "target_exit" in f:
        rows.append(("target exit", f"{f['target_exit']} after SIGTERM in {num(f.get('target_stop_ms'))} ms"))
    if "sample_cost_ms_mean" in f:
        rows.append(("sampling cost", f"{num(f['sample_cost_ms_mean'])} ms mean, "
                                      f"{num(f.get('sample_cost_ms_max'))} ms max per sample"))
    return '<dl class="kv">' + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows) + "</dl>"


# criterion_status -> (row class, word in the result column)
_STATUS_CELL = {"fail": ("failed", "FAIL"), "inconclusive": ("inconclusive", "INCONCLUSIVE"),
                "pass": ("passed", "pass"), "not judged": ("notjudged", "not judged"), "off": ("off", "off")}


def _criteria_table(r):
    if not r.criteria:
        return '<p class="na">No criteria were judged (the run could not be done).</p>'
    expected = (r.expectation or {}).get("expect_fail")
    out = [f'<p id="criteria-counts">{len(r.criteria)} criteria: {e(r.criteria_counts())}</p>',
           '<table id="criteria"><thead><tr><th>result</th><th>id</th><th>description</th><th>measured</th>'
           '<th>bound</th><th>unit</th><th>detail</th></tr></thead><tbody>']
    for c in r.ordered_criteria():
        status = criterion_status(c)
        cls, word = _STATUS_CELL.get(status, ("failed", status))
        if status == "fail" and c["id"] == expected:
            word = "FAIL (expected)"
        judged = status in ("pass", "fail")
        out.append(
            f'<tr class="{cls}" data-criterion="{e(c["id"])}" data-status="{e(status)}">'
            f'<td class="st {cls}">{e(word)}</td>'
            f'<td><code>{e(c["id"])}</code></td><td>{e(c["description"])}</td>'
            f'<td class="n">{e(num(c["measured"]) if judged else "—")}</td>'
            f'<td class="n">{e(num(c["bound"]) if judged else "—")}</td><td>{e(c["unit"])}</td>'
            f'<td>{e(c["detail"])}</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _repeat_section(r):
    """A pooled result of `leakbench --repeat N`: how the runs came out, and the erratic criteria run by run."""
    line = r.repeat_line()
    if line is None:
        return ""
    out = ["<h2>Repeated runs</h2>", f'<p id="repeat">{e(line)}</p>']
    erratic = r.erratic()
    if not erratic:
        out.append('<p class="sub">No criterion failed in some runs and passed in others.</p>')
        return "".join(out)
    per_run = (r.repeat.get("per_run") or [])
    out.append('<p class="sub">Erratic criteria: failed in some runs and not in others (status and measured '
               "value per run).</p>")
    out.append('<table id="erratic"><thead><tr><th>criterion</th>'
               + "".join(f"<th>run {i}</th>" for i in range(1, len(per_run) + 1)) + "</tr></thead><tbody>")
    if per_run:
        out.append("<tr><td>verdict</td>" + "".join(f"<td>{e(run.get('verdict'))}</td>" for run in per_run) + "</tr>")
    for cid, values in erratic:
        cells = []
        for _, status, measured in values:
            cls, word = _STATUS_CELL.get(status, ("notjudged", status or "absent"))
            cells.append(f'<td class="n"><span class="st {cls}">{e(word)}</span> {e(num(measured))}</td>')
        if not values:
            cells.append("<td>no per-run values in this result</td>")
        out.append(f'<tr data-erratic="{e(cid)}"><td><code>{e(cid)}</code></td>{"".join(cells)}</tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _processes_table(r):
    procs = r.figures.get("processes")
    if not procs:
        return ""
    out = ['<table id="processes"><thead><tr><th>pid</th><th>command</th><th>threads (max)</th>'
           "<th>open fds (max)</th><th>RSS (max)</th></tr></thead><tbody>"]
    for p in procs:
        rss = p.get("rss_max_bytes")
        out.append(f"<tr><td class='n'>{e(p.get('pid'))}</td><td><code>{e(p.get('comm'))}</code></td>"
                   f"<td class='n'>{e(num(p.get('threads_max')))}</td><td class='n'>{e(num(p.get('fds_max')))}</td>"
                   f"<td class='n'>{e(num(rss / MIB) if isinstance(rss, (int, float)) else num(None))} MiB</td></tr>")
    out.append("</tbody></table>")
    return "<h3>Processes of the target</h3>" + "".join(out)


def _daemon_table(r):
    """Each daemon process sampled: growth per minute and per 1,000 follow streams opened, CPU, peaks."""
    procs = [p for p in r.figures.get("daemon") or [] if isinstance(p, dict)]
    reason = r.daemon.get("unsampled_reason")
    if not procs:
        return f'<p class="na" id="daemon-unsampled">Daemon not sampled: {e(reason)}</p>' if reason else ""

    def growth(g, unit):
        if not isinstance(g, dict) or (g.get("points") or 0) < 3:
            return "n/a"
        return (f"{num(g.get('per_minute'), signed=True)} {unit}/min {fmt_ci(g.get('per_minute_ci'))}; "
                f"{num(g.get('per_1000_streams'), signed=True)} per 1,000 follow streams")

    out = ['<table id="daemon-figures"><thead><tr><th>daemon process</th><th>open fds</th><th>threads</th>'
           "<th>RSS</th><th>CPU</th></tr></thead><tbody>"]
    for p in procs:
        out.append(f"<tr><td><code>{e(p.get('name'))}</code> (pid {e(p.get('pid'))})</td>"
                   f"<td>{e(growth(p.get('fds'), 'fds'))}; max {e(num(p.get('fds_max')))}</td>"
                   f"<td>{e(growth(p.get('threads'), 'threads'))}; max {e(num(p.get('threads_max')))}</td>"
                   f"<td>{e(growth(p.get('rss_mib'), 'MiB'))}; max {e(num(p.get('rss_mib_max')))} MiB</td>"
                   f"<td>{e(num(p.get('cpu_cores')))} cores; {e(num(p.get('cpu_s_per_1000_streams')))} CPU-s per "
                   "1,000 follow streams</td></tr>")
    out.append("</tbody></table>")
    return "<h3>The daemon's side</h3>" + "".join(out)


def _figures_table(r):
    rows = []
    keys = [("threads", "threads", "threads"), ("fds", "open fds", "fds"),
            ("rss_mib", "RSS", "MiB"), ("metric_series", "metric series", "series")]
    if "goroutines" in r.figures:
        keys.insert(1, ("goroutines", "goroutines", "goroutines"))
    for key, label, unit in keys:
        g = r.growth(key)
        if g is None:
            rows.append((label, "n/a (too few samples or no data)", "", ""))
            continue
        rows.append((label, f"{num(g['per_minute'], signed=True)} {unit}/min", fmt_ci(g["per_minute_ci"]),
                     f"{num(g['per_1000_rotations'], signed=True)} {unit} per 1,000 rotations; "
                     f"Mann-Kendall p={num(g.get('trend_p_value'))}"))
    out = ['<table id="figures"><thead><tr><th>growth after the warm-up</th><th>slope</th><th>95% CI</th>'
           '<th>also</th></tr></thead><tbody>']
    out += [f"<tr><td>{e(a)}</td><td class='n'>{e(b)}</td><td class='n'>{e(c)}</td><td>{e(d)}</td></tr>"
            for a, b, c, d in rows]
    out.append("</tbody></table>")
    f = r.figures
    loss = measure(r, "loss")
    p95 = measure(r, "age_p95")
    facts = [
        ("lines", f"{num(f.get('lines_emitted'))} emitted, {num(f.get('lines_captured'))} captured, "
                  f"{num(f.get('duplicates'))} duplicated; lost + duplicated: "
                  + (num(loss.value) if loss.value is not None else f"n/a ({loss.why})")),
        ("follow streams", f"peak {num(f.get('follow_streams_peak'))} at the fake (cap "
                           f"{num(r.scenario.get('max_streams'))}); {num(f.get('streams_closed_by_target'))} "
                           "closed by the target"),
        ("stream age", f"oldest {num(f.get('stream_age_max_s'))} s"
                       + (f", median {num(f.get('stream_age_median_s'))} s" if f.get("streams_closed_by_target")
                          else ", none closed by the target")
                       + (f", p95 {num(p95.value)} s" if p95.value is not None else "")
                       + f" (rotation interval {num(r.scenario.get('rotation_interval_s'))} s)"),
    ]
    d = f.get("delivery")
    if isinstance(d, dict):
        facts.append(("delivery", f"{num(d.get('lines_emitted'))} lines emitted, {num(d.get('lines_delivered'))} "
                                  f"delivered, {num(d.get('lost_at_source'))} lost at the source, "
                                  f"{num(d.get('delivered_twice'))} delivered twice; "
                                  f"{num(d.get('containers_delivered'))} of {num(d.get('containers'))} "
                                  "containers delivered"
                                  + (f" ({num(d.get('containers_too_young'))} too young to judge, "
                                     f"{num(d.get('containers_gone'))} gone)"
                                     if d.get("containers_too_young") or d.get("containers_gone") else "")))
    procs = r.column("processes")
    if procs is not None and np.isfinite(procs).any():
        facts.append(("processes", f"{num(float(np.nanmax(procs)))} at most at once"))
    out.append('<dl class="kv">' + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts) + "</dl>")
    out.append(_processes_table(r))
    out.append(_daemon_table(r))
    return "".join(out)


def _plot_html(p):
    if p.png is not None:
        data = base64.b64encode(p.png).decode("ascii")
        body = f'<img class="plot" id="plot-{e(p.id)}" alt="{e(p.title)}" src="data:image/png;base64,{data}">'
    else:
        cls = "na err" if p.error else "na"
        body = (f'<div class="{cls}" id="plot-{e(p.id)}" data-plot-missing="{e(p.id)}">'
                f"Not available in this result: {e(p.note)}</div>")
    return (f'<section class="plot-section" data-plot="{e(p.id)}"><h3>{e(p.title)}</h3><figure>{body}'
            f"<figcaption>{e(p.caption)}</figcaption></figure></section>")


def render(r, plots=None):
    """(html text, list of plots) for result r; `plots` (plots.Plot list) if already drawn."""
    plots = render_all(r) if plots is None else plots
    expected = sum(1 for p in plots if p.png is not None)
    s = r.scenario
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>leakbench {e(r.outcome_word())}: {e(s['name'])}</title>",
        f"<style>{CSS}</style><script>{SCRIPT}</script></head>",
        f'<body data-plots-expected="{expected}" data-verdict="{e(r.verdict)}"><main>',
        f"<h1>leakbench: {e(s['name'])}</h1>",
        f'<p class="sub">{e(s.get("description") or "")}</p>',
        _badge(r),
    ]
    if r.is_error:
        parts.append(f'<h2>The run could not be done</h2><div class="failure">{e(r.failure)}</div>')
    parts += ["<h2>Run</h2>", _scenario_table(r), _repeat_section(r), "<h2>Criteria</h2>",
              "<p class=\"sub\">Failed criteria first, then inconclusive (could not be judged), then passed, then "
              "those not judged or switched off (the detail says why).</p>",
              _criteria_table(r)]
    if not r.is_error:
        parts += ["<h2>Key figures</h2>", _figures_table(r)]
    parts += ["<h2>Plots</h2>",
              '<p class="sub">The grey band is the warm-up, excluded from every fit. Black lines are the Theil-Sen '
              "fits the judge used; red lines are bounds.</p>"]
    parts += [_plot_html(p) for p in plots]
    parts.append(f'<p class="sub">Rendered by leakbench reports/ from <code>{e(r.name)}</code> '
                 f"(schema_version {e(r.doc['schema_version'])}).</p></main></body></html>")
    return "\n".join(parts) + "\n", plots
