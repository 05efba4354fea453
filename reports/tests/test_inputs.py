"""Bad input: html and compare exit 2 with one clear line naming the file, never a traceback."""

import json
import os
import sys
import unittest

from .support import REPORTS, TempDir, data, load_json, modified, run_cli, run_main

sys.path.insert(0, REPORTS)

GOOD = data("gate-v2", "gate-steady.json")


def commands(path):
    """The two subcommands that read results, each given `path` as its (only or first) bad input."""
    return {
        "html": ["html", path, "-o", path + ".html"],
        "compare": ["compare", GOOD, "--candidate", path],
    }


class RejectsMixin:
    def assertRejected(self, path, *fragments, cmds=("html", "compare"), subprocess=False):
        """Each command in cmds exits 2 with one line 'leakbench-report: PATH: ...' holding the fragments.
        subprocess=True runs the real executable (slower); otherwise main() in this process."""
        for name, args in commands(path).items():
            if name not in cmds:
                continue
            with self.subTest(command=name):
                p = run_cli(*args) if subprocess else run_main(*args)
                self.assertEqual(p.returncode, 2, f"{name}: stdout={p.stdout[:300]} stderr={p.stderr}")
                self.assertNotIn("Traceback", p.stderr)
                lines = p.stderr.strip().splitlines()
                self.assertEqual(len(lines), 1, p.stderr)
                self.assertTrue(lines[0].startswith(f"leakbench-report: {path}: "), lines[0])
                for fragment in fragments:
                    self.assertIn(fragment, lines[0])
                self.assertFalse(os.path.exists(path + ".html"), "no report for an unreadable result")


class BadInputTest(RejectsMixin, unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.doc = load_json("gate-v2", "gate-steady.json")

    def test_bad_json(self):
        text = json.dumps(self.doc, indent=1).replace('"verdict": "pass"', '"verdict": pass', 1)
        path = self.tmp.write("bad.json", text)
        self.assertRejected(path, "not valid JSON at line", "col", subprocess=True)

    def test_bad_json_reports_the_right_line(self):
        path = self.tmp.write("bad.json", '{\n "tool": "leakbench",\n "schema_version": 1,,\n}')
        self.assertRejected(path, "line 3 col 22", cmds=("html",))

    def test_truncated_file(self):
        text = json.dumps(self.doc, indent=1)
        path = self.tmp.write("truncated.json", text[: len(text) // 2])
        self.assertRejected(path, "not valid JSON", "truncated?", subprocess=True)

    def test_empty_file(self):
        self.assertRejected(self.tmp.write("empty.json", ""), "empty file", subprocess=True)
        self.assertRejected(self.tmp.write("blank.json", "\n  \n"), "empty file", cmds=("html",))

    def test_not_utf8(self):
        self.assertRejected(self.tmp.write("binary.json", b"\x89PNG\r\n\x1a\n\x00\xff"), "not UTF-8", cmds=("html",))

    def test_missing_file(self):
        path = os.path.join(self.tmp.path, "nope.json")
        self.assertRejected(path, "cannot read", "No such file")

    def test_top_level_not_an_object(self):
        self.assertRejected(self.tmp.write("list.json", "[1, 2]"), "top level is a list, expected an object")

    def test_not_a_leakbench_result(self):
        path = self.tmp.write("other.json", {"tool": "k6", "schema_version": 1})
        self.assertRejected(path, "'tool' is \"k6\", expected \"leakbench\"", cmds=("html",))

    def test_missing_fields(self):
        cases = {
            "samples.t": lambda d: d["samples"].pop("t"),
            "scenario.name": lambda d: d["scenario"].pop("name"),
            "figures.threads": lambda d: d["figures"].pop("threads"),
            "criteria[3].pass": lambda d: d["criteria"][3].pop("pass"),
            "run": lambda d: d.pop("run"),
            "schema_version": lambda d: d.pop("schema_version"),
        }
        for field, change in cases.items():
            with self.subTest(field=field):
                path = self.tmp.write(f"missing-{field}.json", modified(self.doc, change))
                self.assertRejected(path, f"missing '{field}'", cmds=("html", "compare"))

    def test_wrong_types(self):
        cases = {
            "'samples.threads[3]' is a string (\"x\"), expected a number or null":
                lambda d: d["samples"]["threads"].__setitem__(3, "x"),
            "'figures.threads.per_minute' is a string (\"fast\"), expected a number":
                lambda d: d["figures"]["threads"].__setitem__("per_minute", "fast"),
            "'criteria' is an object, expected a list": lambda d: d.__setitem__("criteria", {}),
            "'scenario.warmup_s' is true/false, expected a number":
                lambda d: d["scenario"].__setitem__("warmup_s", True),
            "'samples.t[0]' is null, expected a number": lambda d: d["samples"]["t"].__setitem__(0, None),
            "'figures.fds.per_minute_ci' has 3 entries":
                lambda d: d["figures"]["fds"]["per_minute_ci"].append(1.0),
            "'samples.fds' has 3 entries but 'samples.t' has":
                lambda d: d["samples"].__setitem__("fds", [1, 2, 3]),
            "'rotations.age_s' has 1 entries but 'rotations.t' has":
                lambda d: d["rotations"].__setitem__("age_s", [1.0]),
            "'verdict' is \"maybe\", expected one of pass, fail, error": lambda d: d.__setitem__("verdict", "maybe"),
        }
        for i, (message, change) in enumerate(cases.items()):
            with self.subTest(message=message):
                path = self.tmp.write(f"wrong-{i}.json", modified(self.doc, change))
                self.assertRejected(path, message, cmds=("html", "compare"))

    def test_future_schema_version(self):
        path = self.tmp.write("future.json", modified(self.doc, lambda d: d.__setitem__("schema_version", 7)))
        self.assertRejected(path, "schema_version 7 is newer than this report supports (up to 2)", subprocess=True)
        path = self.tmp.write("next.json", modified(self.doc, lambda d: d.__setitem__("schema_version", 3)))
        self.assertRejected(path, "schema_version 3 is newer than this report supports (up to 2); use the reports/ "
                            "of the leakbench that wrote it", cmds=("html",))

    def test_directory_without_result(self):
        empty = os.path.join(self.tmp.path, "empty-dir")
        os.makedirs(empty)
        p = run_main("compare", empty, "--candidate", GOOD)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no result.json, */result.json or *.json", p.stderr)

    def test_bad_arguments_exit_2_without_traceback(self):
        for args in (["html"], ["compare", GOOD], ["frobnicate"], ["compare", GOOD, "--candidate", GOOD, "--format", "x"]):
            with self.subTest(args=args):
                p = run_cli(*args) if args[0] == "frobnicate" else run_main(*args)
                self.assertEqual(p.returncode, 2)
                self.assertNotIn("Traceback", p.stderr)
                self.assertIn("usage:", p.stderr)

    def test_unwritable_output(self):
        p = run_main("compare", GOOD, "--candidate", GOOD, "-o", os.path.join(self.tmp.path, "no-such-dir", "out.md"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("cannot write", p.stderr)
        self.assertNotIn("Traceback", p.stderr)


def _set(path, value):
    """A change that sets doc[path...] = value (path: keys and indexes); value None deletes the key."""
    def change(d):
        for key in path[:-1]:
            d = d[key]
        if value is None:
            d.pop(path[-1])
        else:
            d[path[-1]] = value
    return change


class SchemaV2InputTest(RejectsMixin, unittest.TestCase):
    """Schema version 2's fields: each is checked when present, with the same one-line errors."""

    def setUp(self):
        self.tmp = TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.go = load_json("v2", "go-multiprocess.json")          # figures.delivery/goroutines/processes
        self.repeat = load_json("v2", "repeat-erratic.json")       # repeat

    def rejected(self, doc, cases):
        for i, (message, change) in enumerate(cases.items()):
            with self.subTest(message=message):
                path = self.tmp.write(f"v2-{i}.json", modified(doc, change))
                self.assertRejected(path, message, cmds=("html", "compare"))

    def test_v2_fixtures_are_accepted(self):
        names = sorted(os.listdir(data("v2")))
        self.assertGreaterEqual(len(names), 8)
        from leakbench_report.load import load_results
        self.assertEqual(len(load_results([data("v2")])), len(names))

    def test_v2_requires_a_status_v1_does_not(self):
        self.assertTrue(all("status" not in c for c in load_json("gate-v2", "gate-steady.json")["criteria"]))
        self.rejected(self.go, {"missing 'criteria[3].status'": lambda d: d["criteria"][3].pop("status")})

    def test_bad_status_values(self):
        self.rejected(self.go, {
            "'criteria[2].status' is \"skipped\", expected one of pass, fail, inconclusive, off":
                lambda d: d["criteria"][2].__setitem__("status", "skipped"),
            "'criteria[0].status' is an integer (1), expected a string":
                lambda d: d["criteria"][0].__setitem__("status", 1),
            # "not judged" is how the reports show a version-1 criterion, never a status in a file.
            "'criteria[1].status' is \"not judged\", expected one of pass, fail, inconclusive, off":
                lambda d: d["criteria"][1].__setitem__("status", "not judged"),
        })
        # A version-1 file holding a status gets it checked too.
        v1 = load_json("gate-v2", "gate-steady.json")
        self.rejected(v1, {"'criteria[4].status' is \"PASS\", expected one of pass, fail, inconclusive, off":
                           lambda d: d["criteria"][4].__setitem__("status", "PASS")})

    def test_exit_code_and_verdict(self):
        self.rejected(self.go, {
            "'exit_code' is a string (\"0\"), expected an integer": _set(["exit_code"], "0"),
            "'exit_code' is a number (1.5), expected an integer": _set(["exit_code"], 1.5),
            "'verdict' is \"unknown\", expected one of pass, fail, error, inconclusive": _set(["verdict"], "unknown"),
        })

    def test_new_figures(self):
        self.rejected(self.go, {
            "'figures.delivery' is a list, expected an object": _set(["figures", "delivery"], []),
            "'figures.delivery.containers_gone' is a string (\"1\"), expected a number or null":
                _set(["figures", "delivery", "containers_gone"], "1"),
            "'figures.delivery.lost_at_source' is a string (\"none\"), expected a number or null":
                _set(["figures", "delivery", "lost_at_source"], "none"),
            "'figures.goroutines' is an integer (3), expected an object": _set(["figures", "goroutines"], 3),
            "'figures.goroutines.per_minute_ci' has 3 entries, expected 2":
                lambda d: d["figures"]["goroutines"]["per_minute_ci"].append(0.0),
            "missing 'figures.goroutines.points'": _set(["figures", "goroutines", "points"], None),
            "'figures.processes' is an object, expected a list": _set(["figures", "processes"], {}),
            "'figures.processes[1]' is a string (\"x\"), expected an object": _set(["figures", "processes", 1], "x"),
            "'figures.processes[0].pid' is a string (\"31337\"), expected an integer":
                _set(["figures", "processes", 0, "pid"], "31337"),
            "missing 'figures.processes[0].comm'": _set(["figures", "processes", 0, "comm"], None),
            "'figures.processes[1].rss_max_bytes' is true/false, expected a number or null":
                _set(["figures", "processes", 1, "rss_max_bytes"], True),
        })

    def test_new_sample_columns(self):
        self.rejected(self.go, {
            "'samples.goroutines[5]' is a string (\"many\"), expected a number or null":
                lambda d: d["samples"]["goroutines"].__setitem__(5, "many"),
            "'samples.streams_open_min' has 3 entries but 'samples.t' has":
                _set(["samples", "streams_open_min"], [1, 2, 3]),
            "'samples.streams_open_max' is null, expected a list":
                lambda d: d["samples"].__setitem__("streams_open_max", None),
            "'samples.processes' is an object, expected a list": _set(["samples", "processes"], {}),
        })

    def test_repeat(self):
        self.rejected(self.repeat, {
            "'repeat' is a list, expected an object": _set(["repeat"], []),
            "'repeat.runs' is a string (\"5\"), expected an integer": _set(["repeat", "runs"], "5"),
            "missing 'repeat.inconclusive'": _set(["repeat", "inconclusive"], None),
            "'repeat' counts 5 runs but 3 passed, 4 failed, 1 inconclusive, 0 errors": _set(["repeat", "failed"], 4),
            "'repeat' counts 5 runs but 3 passed, 1 failed, 1 inconclusive, 1 errors": _set(["repeat", "errors"], 1),
            "'repeat.errors' is a string (\"0\"), expected an integer": _set(["repeat", "errors"], "0"),
            "'repeat.shown_run' is 6, expected a run number from 1 to 5": _set(["repeat", "shown_run"], 6),
            "'repeat.per_run[1].exit_code' is null, expected an integer":
                lambda d: d["repeat"]["per_run"][1].__setitem__("exit_code", None),
            "'repeat.erratic' is a string (\"thread_growth\"), expected a list":
                _set(["repeat", "erratic"], "thread_growth"),
            "'repeat.erratic[0]' is an integer (7), expected a string": _set(["repeat", "erratic", 0], 7),
            "'repeat.per_run' has 4 entries but 'repeat.runs' is 5": lambda d: d["repeat"]["per_run"].pop(),
            "'repeat.per_run[2].verdict' is \"maybe\", expected one of pass, fail, error, inconclusive":
                _set(["repeat", "per_run", 2, "verdict"], "maybe"),
            "missing 'repeat.per_run[0].verdict'": _set(["repeat", "per_run", 0, "verdict"], None),
            "'repeat.per_run[1].criteria.thread_growth.status' is \"flaky\", expected one of pass, fail, "
            "inconclusive, off": _set(["repeat", "per_run", 1, "criteria", "thread_growth", "status"], "flaky"),
            "'repeat.per_run[3].criteria.capture.measured' is a string (\"x\"), expected a number or null":
                _set(["repeat", "per_run", 3, "criteria", "capture", "measured"], "x"),
            "'repeat.per_run[0].criteria.rotation' is a list, expected an object":
                _set(["repeat", "per_run", 0, "criteria", "rotation"], []),
        })

    def test_new_fields_are_optional(self):
        """A version-2 result without exit_code, repeat, delivery, goroutines, processes or the new columns."""
        def strip(d):
            d.pop("exit_code")
            for key in ("delivery", "goroutines", "processes"):
                d["figures"].pop(key)
            for key in ("goroutines", "streams_open_min", "streams_open_max", "processes"):
                d["samples"].pop(key)
        path = self.tmp.write("plain-v2.json", modified(self.go, strip))
        from leakbench_report.load import load_results
        self.assertEqual(len(load_results([path])), 1)

    def test_v2_error_result(self):
        doc = load_json("v2", "gate-steady.json")
        doc.update(verdict="error", exit_code=2, criteria=[], figures={"failure": "fake-dockerd did not start"})
        doc["run"].update(completed=False, failure="fake-dockerd did not start")
        path = self.tmp.write("error-v2.json", doc)
        p = run_main("html", path, "-o", os.path.join(self.tmp.path, "e.html"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("the run could not be done (verdict error: fake-dockerd did not start)", p.stderr)


class ErrorVerdictTest(unittest.TestCase):
    """A run that could not be done (verdict error): html shows it (exit 0, a warning with the reason);
    compare refuses it (exit 2)."""

    def setUp(self):
        self.tmp = TempDir()
        self.addCleanup(self.tmp.cleanup)
        doc = load_json("gate-v2", "gate-steady.json")
        doc.update(verdict="error", criteria=[], figures={"failure": "fake-dockerd did not start: exit 1"})
        doc["run"].update(completed=False, failure="fake-dockerd did not start: exit 1")
        doc["samples"] = {k: [] for k in doc["samples"]}
        doc.pop("rotations")
        self.path = self.tmp.write("error.json", doc)

    def check(self, p, code=0):
        self.assertEqual(p.returncode, code, p.stderr)
        self.assertNotIn("Traceback", p.stderr)
        self.assertIn(f"{self.path}: the run could not be done (verdict error: fake-dockerd did not start", p.stderr)

    def test_html_shows_the_failure(self):
        out = os.path.join(self.tmp.path, "error.html")
        self.check(run_cli("html", self.path, "-o", out))
        with open(out, encoding="utf-8") as f:
            page = f.read()
        self.assertIn("The run could not be done", page)
        self.assertIn("fake-dockerd did not start: exit 1", page)
        self.assertIn('id="verdict">ERROR<', page)
        self.assertEqual(page.count("Not available in this result: the result has no samples"), 7)

    def test_summary_points_at_leakbench(self):
        """The Markdown summary is leakbench's own (harness/run/summary_markdown.h): one writer."""
        for args in (("summary", self.path, GOOD), ("summary", "--max-bytes", "5000", GOOD)):
            p = run_cli(*args)
            self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
            self.assertEqual(p.stdout, "")
            self.assertNotIn("Traceback", p.stderr)
            self.assertIn("`leakbench summary [--max-bytes N] RESULT.json|DIR...`", p.stderr)

    def test_compare_refuses(self):
        self.check(run_cli("compare", GOOD, "--candidate", self.path), 2)
        self.check(run_main("compare", self.path, "--candidate", GOOD), 2)


if __name__ == "__main__":
    unittest.main()
