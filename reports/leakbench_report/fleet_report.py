"""Builds a fleet's index.html from `leakbench judge --out DIR`: verdict and counts, small multiples of the worst
instances linking each instance's report (rendered beside its result.json, as a run's), the failing and
inconclusive tables. Without matplotlib the page keeps its tables and says what is missing."""

import base64
import html
import json
import os
import sys

from .errors import ReportError
from .fmt import num
from .page_style import CSS, SCRIPT

NO_MATPLOTLIB = ("plots not drawn: python3-matplotlib is not installed for " + sys.executable +
                 " (Debian: apt-get install python3-matplotlib; ci/setup installs it)")


def e(x):
    return html.escape(str(x), quote=True)


def load_fleet(directory):
    path = os.path.join(directory, "fleet.json")
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as err:
        raise ReportError(f"{path}: cannot read ({err.strerror or err}); give the --out DIR of `leakbench judge`")
    except ValueError as err:
        raise ReportError(f"{path}: not JSON ({err})")
    if not isinstance(doc, dict) or doc.get("source") != "prometheus" or "failing" not in doc:
        raise ReportError(f"{path}: not a fleet.json of `leakbench judge` (no source: prometheus, failing)")
    return doc


def _plotting():
    """(html_report, fleet_plots) modules, or None when matplotlib cannot be imported."""
    try:
        from . import fleet_plots, html_report
    except ImportError:
        return None
    return html_report, fleet_plots


def _instance_report(directory, entry, modules, warnings):
    """Renders instances/X/report.html (a run's report) for a fleet.json entry; returns its link, or the
    result.json's when it cannot be rendered, or None without result files. Also the loaded Result."""
    if not entry.get("result"):
        return None, None
    rel = entry["result"]
    from .load import load_result
    try:
        r = load_result(os.path.join(directory, rel, "result.json"))
    except ReportError as err:
        warnings.append(str(err))
        return None, None
    if modules is None:
        return rel + "/result.json", r
    from .output import write_text
    page, _ = modules[0].render(r)
    write_text(os.path.join(directory, rel, "report.html"), page)
    return rel + "/report.html", r


def _minute(stamp):
    """'2025-12-01T00:00:00.000000000Z' -> '2025-12-01 00:00:00Z'."""
    return (stamp or "")[:19].replace("T", " ") + ("Z" if stamp else "")


def _criteria_cell(criteria):
    out = []
    for c in criteria:
        text = f"{c['id']}: {num(c.get('measured'))} (bound {num(c.get('bound'))} {c.get('unit') or ''})"
        if c.get("slope"):
            text += f", slope {num(c['slope']['per_minute'], signed=True)}/min"
        out.append(e(text))
    return "<br>".join(out)


def render_fleet(directory, worst=12, max_reports=50):
    """(index.html text, plots drawn, instance reports rendered, warnings)."""
    doc = load_fleet(directory)
    modules = _plotting()
    warnings = [] if modules else [NO_MATPLOTLIB]
    links, multiples, rendered = {}, [], 0
    entries = list(doc["failing"]) + list(doc.get("inconclusive") or [])
    for i, entry in enumerate(entries):
        if i >= max_reports:
            break
        link, r = _instance_report(directory, entry, modules, warnings)
        if link:
            links[entry["instance"]] = link
            rendered += link.endswith("report.html")
        if modules and r is not None and i < min(worst, len(doc["failing"])):
            try:
                png = modules[1].small_multiple(r, entry)
            except Exception as err:  # a drawing failure costs one plot, never the page
                warnings.append(f"{entry['instance']}: plot not drawn ({err})")
                png = None
            if png:
                multiples.append((entry, link, png))
    counts = doc.get("counts") or {}
    src = doc.get("prometheus") or {}
    verdict = doc.get("verdict", "?")
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>leakbench fleet {e(verdict.upper())}</title>",
        f"<style>{CSS}.grid{{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:8px}}"
        f"</style><script>{SCRIPT}</script></head>",
        f'<body data-plots-expected="{len(multiples)}" data-verdict="{e(verdict)}"><main>',
        "<h1>leakbench: fleet verdict</h1>",
        f'<p class="sub">{e(src.get("url", ""))} {e(src.get("selector", ""))}, {e(_minute(src.get("start")))} to '
        f'{e(_minute(src.get("end")))} at {num(src.get("step_s"))} s</p>',
        f'<span class="badge {e(verdict)}" id="verdict">{e(verdict.upper())}</span>',
        f'<span class="note">{num(doc.get("instances_judged"))} instances: {num(counts.get("fail", 0))} failed, '
        f'{num(counts.get("inconclusive", 0))} inconclusive, {num(counts.get("pass", 0))} passed; '
        f'{num(doc.get("restarts", 0))} restarts (never judged as growth)</span>',
    ]
    parts += [f'<div class="na">{e(w)}</div>' for w in warnings[:20]]
    if doc["failing"]:
        parts.append(f"<h2>The worst {len(multiples)} of {len(doc['failing'])} failing instances</h2>")
        parts.append('<p class="sub">Each plot: the resource its first failed criterion is about, over the range; '
                     "the black line is the Theil-Sen slope fitted on the segment the verdict shows. Click for the "
                     "instance's report.</p>")
        cells = []
        for entry, link, png in multiples:
            img = (f'<img class="plot" alt="{e(entry["instance"])}" '
                   f'src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">')
            cells.append(f'<figure><a href="{e(link)}">{img}</a><figcaption>'
                         f"{_criteria_cell(entry['criteria'][:2])}</figcaption></figure>")
        parts.append('<div class="grid" id="worst">' + "".join(cells) + "</div>")
        parts.append("<h2>Failing, worst first</h2><table><tr><th>instance</th><th>failed criteria</th>"
                     "<th>restarts</th></tr>")
        for entry in doc["failing"]:
            name = e(entry["instance"])
            cell = f'<a href="{e(links[entry["instance"]])}">{name}</a>' if entry["instance"] in links else name
            parts.append(f'<tr class="failed"><td>{cell}</td><td>{_criteria_cell(entry["criteria"])}</td>'
                         f'<td class="n">{num(entry.get("restarts", 0))}</td></tr>')
        parts.append("</table>")
    if doc.get("inconclusive"):
        parts.append("<h2>Inconclusive (could not be judged)</h2><table><tr><th>instance</th><th>why</th></tr>")
        for entry in doc["inconclusive"]:
            name = e(entry["instance"])
            cell = f'<a href="{e(links[entry["instance"]])}">{name}</a>' if entry["instance"] in links else name
            parts.append(f'<tr class="inconclusive"><td>{cell}</td><td>{e(entry.get("why", ""))}</td></tr>')
        parts.append("</table>")
    if len(entries) > max_reports:
        parts.append(f'<p class="sub">Reports rendered for the first {max_reports} of {len(entries)} instances; '
                     "render another with <code>leakbench report html DIR/instances/NAME/result.json</code>.</p>")
    parts.append('<p class="sub">Also here: <a href="summary.md">summary.md</a>, <a href="junit.xml">junit.xml</a>, '
                 '<a href="fleet.json">fleet.json</a>. Rendered by leakbench reports/.</p></main></body></html>')
    return "\n".join(parts) + "\n", len(multiples), rendered, warnings
