"""Command line of leakbench-report: html and compare subcommands (summary points at leakbench); user errors exit 2."""

import argparse
import os
import sys

from .errors import ReportError

EXIT_OK, EXIT_REGRESSION, EXIT_BAD_INPUT = 0, 1, 2


def _parser():
    p = argparse.ArgumentParser(
        prog="leakbench-report",
        description="Turns leakbench result.json files into an HTML report or a noise-aware comparison "
                    "(the Markdown summary is leakbench's own: `leakbench summary`). Exit code 2 on bad input (the "
                    "message names the file).")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    h = sub.add_parser("html", help="one self-contained HTML report with plots",
                       description="Render RESULT.json (or a directory holding it) as one self-contained HTML file.")
    h.add_argument("result", metavar="RESULT.json")
    h.add_argument("-o", "--output", metavar="FILE",
                   help="where to write (default: report.html beside RESULT.json; '-' for stdout)")

    f = sub.add_parser("fleet", help="a fleet's index.html from `leakbench judge --out DIR`",
                       description="Render DIR/index.html for the fleet verdict in DIR (fleet.json): small multiples "
                                   "of the worst failing instances, each linking its own report (rendered as "
                                   "DIR/instances/NAME/report.html), and the failing and inconclusive tables.")
    f.add_argument("dir", metavar="DIR")
    f.add_argument("-o", "--output", metavar="FILE", help="where to write (default: DIR/index.html)")
    f.add_argument("--worst", type=int, default=12, metavar="N", help="small multiples of the N worst (default 12)")
    f.add_argument("--max-reports", type=int, default=50, metavar="N",
                   help="render the reports of at most N instances, worst first (default 50)")

    sub.add_parser("summary", help="moved: the Markdown summary is written by leakbench (`leakbench summary`)",
                   description="The Markdown summary is written by leakbench itself, so that it needs no "
                               "Python: summary.md beside each result.json, DIR/summary.md for a gate, and "
                               "`leakbench summary [--max-bytes N] RESULT.json|DIR...` for any results. Exits 2.")

    c = sub.add_parser("compare", help="did the candidate regress beyond run-to-run noise?",
                       description="Compare candidate runs with baseline runs of the same scenario. Exit 0 no "
                                   "regression, 1 regression beyond noise, 2 bad input.")
    c.add_argument("baselines", metavar="BASELINE.json", nargs="+")
    c.add_argument("--candidate", metavar="CAND.json", nargs="+", required=True)
    c.add_argument("--format", choices=("md", "text"), default="text")
    c.add_argument("-o", "--output", metavar="FILE", help="where to write (default: stdout)")
    c.add_argument("--force", action="store_true", help="compare results of different scenarios or settings")
    return p


def _html(args):
    from .load import expand_inputs, load_result
    from .output import write_text
    paths = expand_inputs([args.result])
    if len(paths) != 1:
        raise ReportError(f"{args.result}: holds {len(paths)} results; give one result.json")
    r = load_result(paths[0])
    from .html_report import render  # imports matplotlib: only once the input is known to be good
    page, plots = render(r)
    out = args.output or os.path.join(os.path.dirname(paths[0]), "report.html")
    write_text(out, page)
    for p in plots:
        if p.error:
            print(f"leakbench-report: warning: plot '{p.id}' {p.note}", file=sys.stderr)
    if out != "-":
        drawn = sum(1 for p in plots if p.png is not None)
        print(f"wrote {out} ({drawn} of {len(plots)} plots drawn)", file=sys.stderr)
    if r.is_error:
        # A valid result of a run that failed: the page shows the failure
        # (the run's own exit code already said it); only bad input exits 2.
        print(f"leakbench-report: warning: {r.name}: the run could not be done (verdict error: {r.failure}); "
              f"{out} shows what there is", file=sys.stderr)
    return EXIT_OK


def _fleet(args):
    from .fleet_report import render_fleet
    from .output import write_text
    page, drawn, rendered, warnings = render_fleet(args.dir, worst=args.worst, max_reports=args.max_reports)
    out = args.output or os.path.join(args.dir, "index.html")
    write_text(out, page)
    for w in warnings:
        print(f"leakbench-report: warning: {w}", file=sys.stderr)
    print(f"wrote {out} ({drawn} plots, {rendered} instance reports)", file=sys.stderr)
    return EXIT_OK


def _summary(_args=None):
    raise ReportError("summary: the Markdown summary is written by leakbench itself now: summary.md beside each "
                      "result.json, DIR/summary.md for a gate, or `leakbench summary [--max-bytes N] "
                      "RESULT.json|DIR...` for any results")


def _compare(args):
    from .compare import compare
    from .compare_format import markdown, text
    from .load import load_results
    from .output import write_text
    baselines = load_results(args.baselines)
    candidates = load_results(args.candidate)
    cmp = compare(baselines, candidates, force=args.force)
    write_text(args.output, markdown(cmp) if args.format == "md" else text(cmp))
    return EXIT_REGRESSION if cmp.regressed else EXIT_OK


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["summary"]:  # whatever follows: it is leakbench's now
        try:
            _summary()
        except ReportError as e:
            print(f"leakbench-report: {e}", file=sys.stderr)
            return EXIT_BAD_INPUT
    args = _parser().parse_args(argv)
    try:
        return {"html": _html, "fleet": _fleet, "summary": _summary, "compare": _compare}[args.command](args)
    except ReportError as e:
        print(f"leakbench-report: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("leakbench-report: interrupted", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK
