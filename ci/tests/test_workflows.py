"""The CI files people copy: the GitHub Actions workflow and the GitLab job.

Checks that they parse, that the GitHub workflow passes the Actions schema
(action-validator, installed by ci/setup), that they run the one entry point
(.ci/run) and publish exactly what ci/test writes (the gate results, the
JUnit files, the summary), and that ci/summary prints a bounded summary
with or without results.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GITHUB = os.path.join(ROOT, ".github", "workflows", "leakbench.yml")
GITLAB = os.path.join(ROOT, ".gitlab-ci.yml")
VALIDATOR = os.path.join(ROOT, "build", "tools", "npm", "node_modules", ".bin", "action-validator")
FIXTURES = os.path.join(ROOT, "reports", "tests", "data")


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def ci_test_text():
    with open(os.path.join(ROOT, "ci", "test"), encoding="utf-8") as f:
        return f.read()


class GitHubWorkflow(unittest.TestCase):
    def setUp(self):
        self.wf = load(GITHUB)
        self.steps = self.wf["jobs"]["gate"]["steps"]

    @unittest.skipUnless(os.access(VALIDATOR, os.X_OK), "action-validator not installed: run ci/setup")
    def test_passes_the_actions_schema(self):
        out = subprocess.run([VALIDATOR, GITHUB], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    @unittest.skipUnless(os.access(VALIDATOR, os.X_OK), "action-validator not installed: run ci/setup")
    def test_the_schema_check_can_fail(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "bad.yml")
            with open(GITHUB, encoding="utf-8") as f:
                text = f.read()
            with open(bad, "w", encoding="utf-8") as f:
                f.write(text.replace("runs-on:", "runs_on:"))
            out = subprocess.run([VALIDATOR, bad], capture_output=True, text=True, timeout=60)
            self.assertNotEqual(out.returncode, 0)

    def test_runs_the_one_entry_point_on_debian(self):
        runs = [s.get("run", "") for s in self.steps]
        self.assertIn("bash .ci/run", runs)
        self.assertEqual(self.wf["jobs"]["gate"]["container"]["image"], "debian:12")
        with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as f:
            self.assertIn("ci/test", f.read())

    def test_triggers_on_push_and_pull_request(self):
        # PyYAML reads the key `on` as True.
        triggers = self.wf.get("on", self.wf.get(True))
        self.assertIn("push", triggers)
        self.assertIn("pull_request", triggers)

    def test_reporting_steps_run_even_when_the_tests_fail(self):
        after = self.steps[[s.get("run") for s in self.steps].index("bash .ci/run") + 1:]
        self.assertGreaterEqual(len(after), 3)
        for s in after:
            self.assertEqual(s.get("if"), "always()", s)
        self.assertTrue(any("GITHUB_STEP_SUMMARY" in s.get("run", "") and "ci/summary" in s["run"] for s in after))

    def test_actions_are_pinned_to_a_major_version(self):
        for s in self.steps:
            if "uses" in s:
                self.assertRegex(s["uses"], r"^[\w.-]+/[\w.-]+@v\d+", s)

    def test_publishes_what_ci_test_writes(self):
        text = ci_test_text()
        self.assertRegex(text, r"leakbench gate .*--out build/gate-results")
        self.assertIn("--output-junit ctest-junit.xml", text)  # relative to build/release
        upload = next(s for s in self.steps if s.get("uses", "").startswith("actions/upload-artifact"))
        self.assertIn("build/gate-results/", upload["with"]["path"])
        self.assertIn("build/release/ctest-junit.xml", upload["with"]["path"])
        junit = next(s for s in self.steps if "junit" in s.get("uses", ""))
        paths = junit["with"]["report_paths"]
        self.assertIn("build/gate-results/*/junit.xml", paths)
        self.assertIn("build/release/ctest-junit.xml", paths)

    def test_every_repo_script_it_runs_exists(self):
        for s in self.steps:
            for path in re.findall(r"(?:bash\s+)?((?:\.ci|ci)/[\w./-]+)", s.get("run", "")):
                self.assertTrue(os.path.isfile(os.path.join(ROOT, path)), path)


class GitLabJob(unittest.TestCase):
    def test_job_runs_the_entry_point_and_keeps_reports(self):
        job = load(GITLAB)["leakbench-gate"]
        self.assertIn("bash .ci/run", job["script"])
        self.assertEqual(job["image"], "debian:12")
        self.assertEqual(job["artifacts"]["when"], "always")
        self.assertIn("build/gate-results/*/junit.xml", job["artifacts"]["reports"]["junit"])
        self.assertIn("build/release/ctest-junit.xml", job["artifacts"]["reports"]["junit"])
        self.assertIn("build/gate-results/", job["artifacts"]["paths"])
        self.assertTrue(any("ci/summary" in line for line in job["after_script"]))


def leakbench_binary():
    """The leakbench ci/summary runs: $LEAKBENCH (ctest sets it), else the release build's."""
    path = os.environ.get("LEAKBENCH") or os.path.join(ROOT, "build", "release", "harness", "run", "leakbench")
    return path if os.access(path, os.X_OK) else None


class Summary(unittest.TestCase):
    def run_summary(self, directory, env=None):
        e = dict(os.environ)
        e.update(env or {})
        return subprocess.run(["bash", os.path.join(ROOT, "ci", "summary"), directory], capture_output=True,
                              text=True, timeout=120, env=e)

    def test_no_results_says_why(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = self.run_summary(tmp)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertIn("no results", out.stdout)

    @unittest.skipUnless(leakbench_binary(), "leakbench not built (cmake --build --preset release)")
    def test_real_results_fit_the_limit(self):
        fixtures = sorted(glob.glob(os.path.join(FIXTURES, "**", "*.json"), recursive=True))
        usable = []
        for f in fixtures:
            try:
                with open(f, encoding="utf-8") as fh:
                    data = json.load(fh)
                # A run's result.json names its scenario; a fleet.json
                # (leakbench judge's summary of many) is not a result.
                if isinstance(data, dict) and data.get("tool") == "leakbench" and "scenario" in data:
                    usable.append(f)
            except (ValueError, UnicodeDecodeError):
                pass  # the bad-input fixtures
        self.assertGreaterEqual(len(usable), 2, "reports/tests/data has no real results")
        with tempfile.TemporaryDirectory() as tmp:
            names = []
            for i, f in enumerate(usable):
                d = os.path.join(tmp, "s%02d" % i)
                os.makedirs(d)
                shutil.copy(f, os.path.join(d, "result.json"))
                with open(f, encoding="utf-8") as fh:
                    names.append(json.load(fh)["scenario"]["name"])
            env = {"LEAKBENCH_SUMMARY_MAX_BYTES": "200000", "LEAKBENCH": leakbench_binary()}
            out = self.run_summary(tmp, env)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(out.stderr, "")
            self.assertLessEqual(len(out.stdout.encode()), 200000)
            for n in names:
                self.assertIn(n, out.stdout)
            # leakbench's summary: the verdict table, then the failing criteria with their figures.
            self.assertIn("| result | scenario | threads/min [95% CI] |", out.stdout)
            self.assertIn("Failed criteria:\n- `log_loss`: measured 90 lines, bound 0 —", out.stdout)
            # A smaller budget is kept too, with a note of what was left out.
            env["LEAKBENCH_SUMMARY_MAX_BYTES"] = "5000"
            out = self.run_summary(tmp, env)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertLessEqual(len(out.stdout.encode()), 5000)
            self.assertRegex(out.stdout, r"\*\*\d+ of %d results (left out|without details)\*\*" % len(usable))

    def test_without_leakbench_it_prints_what_leakbench_wrote(self):
        with tempfile.TemporaryDirectory() as tmp:
            for name in ("a", "b"):
                os.makedirs(os.path.join(tmp, name))
                with open(os.path.join(tmp, name, "result.json"), "w", encoding="utf-8") as f:
                    f.write("{}")
                with open(os.path.join(tmp, name, "summary.md"), "w", encoding="utf-8") as f:
                    f.write(f"## leakbench: FAIL — `{name}`\n\nFailed criteria:\n- `log_loss`: measured 3 lines\n")
            env = {"LEAKBENCH": os.path.join(tmp, "no-leakbench"), "LEAKBENCH_SUMMARY_MAX_BYTES": "1000"}
            out = self.run_summary(tmp, env)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertTrue(out.stdout.startswith("## leakbench gate (2 scenarios)"), out.stdout)
            self.assertEqual(out.stdout.count("- `log_loss`: measured 3 lines"), 2)
            # The gate's own summary.md wins, cut to the budget.
            with open(os.path.join(tmp, "summary.md"), "w", encoding="utf-8") as f:
                f.write("## leakbench: 1 of 2 results as expected, 1 failed\n" + "x" * 5000)
            out = self.run_summary(tmp, env)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertTrue(out.stdout.startswith("## leakbench: 1 of 2 results as expected, 1 failed"), out.stdout)
            self.assertEqual(len(out.stdout.encode()), 1000)



def quoted_label_lists(text):
    """gtest_discover_tests calls in CMake text whose LABELS is a quoted list."""
    found = []
    for call in re.finditer(r"gtest_discover_tests\((.*?)\)", text, re.S):
        if re.search(r'LABELS\s+"[^"]*;', call.group(1)):
            found.append("gtest_discover_tests(" + call.group(1).split()[0] + " ...)")
    return found


class CTestRegistration(unittest.TestCase):
    # gtest_discover_tests hands PROPERTIES on as a flat list, so LABELS
    # "a;b" becomes LABELS a, then a property named b: the labels after the
    # first and every property after them (TIMEOUT, RESOURCE_LOCK, COST) are
    # silently lost. Repeat LABELS instead: LABELS a LABELS b.
    def test_no_discovered_test_gets_labels_as_a_quoted_list(self):
        offenders = []
        for path in glob.glob(os.path.join(ROOT, "**", "CMakeLists.txt"), recursive=True):
            if os.sep + "build" + os.sep in path[len(ROOT):]:
                continue
            with open(path, encoding="utf-8") as fh:
                offenders += [os.path.relpath(path, ROOT) + ": " + o for o in quoted_label_lists(fh.read())]
        self.assertEqual(offenders, [], "write LABELS a LABELS b, not LABELS \"a;b\"")

    def test_the_check_sees_a_quoted_list(self):
        self.assertEqual(len(quoted_label_lists('gtest_discover_tests(t PROPERTIES LABELS "a;b" TIMEOUT 5)')), 1)
        self.assertEqual(quoted_label_lists("gtest_discover_tests(t PROPERTIES LABELS a LABELS b TIMEOUT 5)"), [])


if __name__ == "__main__":
    unittest.main()
