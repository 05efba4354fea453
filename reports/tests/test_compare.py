"""compare on real leakbench runs: clean reruns are not flagged, leaking engines are; scenario checks."""

import itertools
import os
import unittest

from .support import TempDir, data, load_json, modified, run_cli, run_main

CLEAN = [data("compare", f"steady-clean{i}.json") for i in (1, 2, 3, 4)]
LEAKS = {  # fixture -> the figure that must be flagged
    "steady-leak-thread.json": "thread growth",
    "steady-leak-fd.json": "fd growth",
    "steady-leak-memory.json": "RSS growth",
}
CHURN = [data("compare", f"churn-clean{i}.json") for i in (1, 2, 3)]


def regression_lines(text):
    return [line for line in text.splitlines() if line.startswith("REGRESSION: ")]


class CleanVersusCleanTest(unittest.TestCase):
    def test_every_pairing_of_clean_reruns_is_noise(self):
        for base, cand in itertools.permutations(CLEAN + [data("gate-v2", "gate-steady.json")], 2):
            with self.subTest(base=os.path.basename(base), cand=os.path.basename(cand)):
                p = run_main("compare", base, "--candidate", cand)
                self.assertEqual(p.returncode, 0, p.stdout)
                self.assertIn("no regression beyond noise", p.stdout)
                self.assertEqual(regression_lines(p.stdout), [])

    def test_leave_one_out_with_three_baselines(self):
        for i, cand in enumerate(CLEAN):
            with self.subTest(cand=os.path.basename(cand)):
                p = run_main("compare", *[c for j, c in enumerate(CLEAN) if j != i], "--candidate", cand)
                self.assertEqual(p.returncode, 0, p.stdout)

    def test_churn_reruns_have_disjoint_cis_yet_are_noise(self):
        """Real runs whose RSS slope CIs do not overlap: the practical floor is what keeps them quiet."""
        disjoint = 0
        for base, cand in itertools.permutations(CHURN, 2):
            p = run_main("compare", base, "--candidate", cand, "--format", "md")
            self.assertEqual(p.returncode, 0, p.stdout)
            disjoint += "95% CIs disjoint" in p.stdout
        self.assertGreater(disjoint, 0)

    def test_the_real_executable(self):
        p = run_cli("compare", CLEAN[0], CLEAN[1], "--candidate", CLEAN[2], "--format", "md")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith("## leakbench compare: ✅ no regression beyond noise — `gate-steady`"))
        self.assertIn("| thread growth | threads/min |", p.stdout)


class LeakTest(unittest.TestCase):
    def test_each_leak_is_flagged_against_each_clean_run(self):
        for leak, figure in LEAKS.items():
            for base in CLEAN:
                with self.subTest(leak=leak, base=os.path.basename(base)):
                    p = run_main("compare", base, "--candidate", data("compare", leak))
                    self.assertEqual(p.returncode, 1, p.stdout)
                    self.assertTrue(p.stdout.startswith("leakbench compare: REGRESSION (gate-steady)"))
                    self.assertIn("verdict: baseline pass → candidate fail: regression", p.stdout)
                    flagged = [line.split(":")[1].strip() for line in regression_lines(p.stdout)]
                    self.assertIn(figure, flagged)
                    self.assertIn(figure + " per 1,000 rotations", flagged)

    def test_leak_against_all_clean_runs_markdown(self):
        tmp = TempDir()
        self.addCleanup(tmp.cleanup)
        out = os.path.join(tmp.path, "cmp.md")
        p = run_cli("compare", *CLEAN, "--candidate", data("compare", "steady-leak-thread.json"),
                    "--format", "md", "-o", out)
        self.assertEqual(p.returncode, 1, p.stderr)
        with open(out, encoding="utf-8") as f:
            md = f.read()
        self.assertIn("## leakbench compare: ❌ REGRESSION", md)
        self.assertIn("now failing: `thread_growth`", md)
        row = next(line for line in md.splitlines() if line.startswith("| thread growth |"))
        self.assertIn("**REGRESSION**", row)
        self.assertIn("4 runs", row)

    def test_verdict_pass_to_fail_is_a_regression_even_if_no_figure_moved(self):
        tmp = TempDir()
        self.addCleanup(tmp.cleanup)

        def fail_engine_errors(d):
            d["verdict"] = "fail"
            c = next(c for c in d["criteria"] if c["id"] == "engine_errors")
            c.update(measured=1.0, detail="1 error lines; E sink failed", **{"pass": False})
        cand = tmp.write("cand.json", modified(load_json("compare", "steady-clean2.json"), fail_engine_errors))
        p = run_main("compare", CLEAN[0], "--candidate", cand)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("regression (a candidate run did not come out as the baseline did); now failing: "
                      "engine_errors", p.stdout)
        self.assertEqual(regression_lines(p.stdout), [])
        # And the other way round is an improvement, not a regression.
        p = run_main("compare", cand, "--candidate", CLEAN[0])
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertIn("improvement", p.stdout)

    def test_negative_control_that_stops_failing_is_a_regression(self):
        tmp = TempDir()
        self.addCleanup(tmp.cleanup)
        doc = load_json("gate-v2", "negative-leak-thread.json")
        base = tmp.write("base.json", doc)
        cand = tmp.write("cand.json", modified(doc, lambda d: d["expectation"].update(met=False)))
        p = run_main("compare", base, "--candidate", cand)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("baseline pass → candidate fail: regression", p.stdout)


class ScenarioCheckTest(unittest.TestCase):
    def test_different_scenarios_are_refused(self):
        p = run_cli("compare", CLEAN[0], "--candidate", data("gate-v2", "gate-churn.json"))
        self.assertEqual(p.returncode, 2)
        self.assertNotIn("Traceback", p.stderr)
        self.assertIn("different scenarios:", p.stderr)
        self.assertIn("'gate-steady'", p.stderr)
        self.assertIn("'gate-churn'", p.stderr)
        self.assertIn("--force", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_force_compares_anyway_and_says_so(self):
        p = run_main("compare", CLEAN[0], "--candidate", data("gate-v2", "gate-churn.json"), "--force")
        self.assertIn(p.returncode, (0, 1))
        self.assertIn("forced: different scenarios:", p.stdout)

    def test_same_name_other_settings_are_refused(self):
        tmp = TempDir()
        self.addCleanup(tmp.cleanup)
        cand = tmp.write("long.json", modified(load_json("compare", "steady-clean2.json"),
                                               lambda d: d["scenario"].update(duration_s=600.0)))
        p = run_main("compare", CLEAN[0], "--candidate", cand)
        self.assertEqual(p.returncode, 2)
        self.assertIn("scenario 'gate-steady' run with different settings: duration_s 45 vs 600", p.stderr)

    def test_mismatch_among_baselines_is_refused(self):
        p = run_main("compare", CLEAN[0], data("v1", "gate-churn.json"), "--candidate", CLEAN[1])
        self.assertEqual(p.returncode, 2)
        self.assertIn("different scenarios", p.stderr)

    def test_injected_leak_is_not_a_different_scenario(self):
        self.assertEqual(load_json("compare", "steady-leak-thread.json")["scenario"]["inject_leak"], "thread")
        p = run_main("compare", CLEAN[0], "--candidate", data("compare", "steady-leak-thread.json"))
        self.assertNotEqual(p.returncode, 2, p.stderr)


if __name__ == "__main__":
    unittest.main()
