"""Bad input: every subcommand exits 2 with one clear line naming the file, never a traceback."""

import json
import os
import unittest

from .support import TempDir, data, load_json, modified, run_cli, run_main

GOOD = data("gate-v2", "gate-steady.json")


def commands(path):
    """The three subcommands, each given `path` as its (only or first) bad input."""
    return {
        "html": ["html", path, "-o", path + ".html"],
        "summary": ["summary", path, GOOD],
        "compare": ["compare", GOOD, "--candidate", path],
    }


class BadInputTest(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.doc = load_json("gate-v2", "gate-steady.json")

    def assertRejected(self, path, *fragments, cmds=("html", "summary", "compare"), subprocess=False):
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
        self.assertRejected(path, "schema_version 7 is newer than this report supports (1)", subprocess=True)

    def test_directory_without_result(self):
        empty = os.path.join(self.tmp.path, "empty-dir")
        os.makedirs(empty)
        p = run_main("summary", empty)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no result.json, */result.json or *.json", p.stderr)

    def test_bad_arguments_exit_2_without_traceback(self):
        for args in (["html"], ["compare", GOOD], ["frobnicate"], ["summary", GOOD, "--max-bytes", "x"]):
            with self.subTest(args=args):
                p = run_cli(*args) if args[0] == "frobnicate" else run_main(*args)
                self.assertEqual(p.returncode, 2)
                self.assertNotIn("Traceback", p.stderr)
                self.assertIn("usage:", p.stderr)

    def test_unwritable_output(self):
        p = run_main("summary", GOOD, "-o", os.path.join(self.tmp.path, "no-such-dir", "out.md"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("cannot write", p.stderr)
        self.assertNotIn("Traceback", p.stderr)


class ErrorVerdictTest(unittest.TestCase):
    """A run that could not be done (verdict error): html and summary show it (exit 0, a warning with the
    reason); compare refuses it (exit 2)."""

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

    def test_summary_lists_it(self):
        out = os.path.join(self.tmp.path, "summary.md")
        self.check(run_cli("summary", self.path, GOOD, "-o", out))
        with open(out, encoding="utf-8") as f:
            md = f.read()
        self.assertIn("ERROR", md)
        self.assertIn("fake-dockerd did not start", md)

    def test_compare_refuses(self):
        self.check(run_cli("compare", GOOD, "--candidate", self.path), 2)
        self.check(run_main("compare", self.path, "--candidate", GOOD), 2)


if __name__ == "__main__":
    unittest.main()
