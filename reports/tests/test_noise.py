"""noise.decide: the floor, the CI overlap rule and the baseline spread band, on known numbers."""

import sys
import unittest

from .support import REPORTS

sys.path.insert(0, REPORTS)
from leakbench_report.noise import IMPROVEMENT, NA, REGRESSION, WITHIN, band, decide, median_run  # noqa: E402


class OneRunEachTest(unittest.TestCase):
    def test_disjoint_cis_beyond_floor_is_a_regression(self):
        d = decide([0.0], [8.57], 0.5, [(0.0, 0.0)], [(7.83, 9.23)], slope=True)
        self.assertEqual(d.status, REGRESSION)
        self.assertAlmostEqual(d.change, 8.57)
        self.assertIn("CIs disjoint", d.reason)

    def test_disjoint_cis_below_the_floor_is_noise(self):
        # Two clean gate-churn runs: RSS 0.112 [0.100, 0.117] and 0.144 [0.128, 0.159] MiB/min.
        d = decide([0.112], [0.144], 0.25, [(0.100, 0.117)], [(0.128, 0.159)], slope=True)
        self.assertEqual(d.status, WITHIN)
        self.assertIn("within the floor", d.reason)

    def test_overlapping_cis_beyond_the_floor_is_noise(self):
        d = decide([0.0], [1.0], 0.5, [(0.0, 0.2)], [(-0.2, 2.5)], slope=True)
        self.assertEqual(d.status, WITHIN)
        self.assertIn("CIs overlap", d.reason)

    def test_improvement(self):
        d = decide([3.0], [0.0], 0.5, [(2.5, 3.5)], [(0.0, 0.0)], slope=True)
        self.assertEqual(d.status, IMPROVEMENT)

    def test_value_without_ci_uses_the_floor(self):
        self.assertEqual(decide([2.0], [2.4], 0.5).status, WITHIN)
        self.assertEqual(decide([2.0], [2.6], 0.5).status, REGRESSION)
        self.assertEqual(decide([2.0], [2.5], 0.5).status, WITHIN)  # exactly the floor: not more than it

    def test_slope_with_unusable_ci_falls_back_to_the_band(self):
        d = decide([0.0], [3.0], 0.5, [(None, None)], [(2.0, 4.0)], slope=True)
        self.assertEqual(d.status, REGRESSION)
        self.assertIn("no usable 95% CI", d.reason)

    def test_not_available(self):
        self.assertEqual(decide([None], [1.0], 0.5).status, NA)
        self.assertEqual(decide([1.0], [float("nan")], 0.5).status, NA)


class RepeatedRunsTest(unittest.TestCase):
    def test_identical_baselines_still_get_the_floor(self):
        self.assertEqual(band([0.0, 0.0, 0.0], 0.5), (-0.5, 0.5))

    def test_spread_widens_the_band(self):
        lo, hi = band([0.0, 1.0, 3.0], 0.5)  # median 1, MAD 1 -> margin 3 * 1.4826
        self.assertAlmostEqual(hi, 3.0 + 3 * 1.4826)
        self.assertAlmostEqual(lo, 0.0 - 3 * 1.4826)

    def test_one_wild_baseline_does_not_blow_up_the_band(self):
        lo, hi = band([0.0, 0.0, 0.0, 0.0, 9.0], 0.5)  # MAD 0: the outlier only extends the range
        self.assertEqual(hi, 9.5)

    def test_candidate_inside_noisy_baselines_is_noise(self):
        d = decide([0.0, 1.0, 3.0], [6.0], 0.5, [(0, 0.5), (0.5, 1.5), (2, 4)], [(5, 7)], slope=True)
        self.assertEqual(d.status, WITHIN)
        d = decide([0.0, 1.0, 3.0], [8.0], 0.5, [(0, 0.5), (0.5, 1.5), (2, 4)], [(7.5, 9)], slope=True)
        self.assertEqual(d.status, REGRESSION)

    def test_candidate_ci_must_clear_every_baseline_ci(self):
        d = decide([0.0, 0.1], [2.0], 0.5, [(0, 0.1), (0, 2.5)], [(1.5, 2.5)], slope=True)
        self.assertEqual(d.status, WITHIN)
        self.assertIn("overlap", d.reason)

    def test_several_candidates_use_the_median_run(self):
        self.assertEqual(median_run([5.0, 0.0, 9.0]), 0)
        self.assertEqual(median_run([5.0, 0.0, 9.0, 1.0]), 3)  # lower middle
        d = decide([0.0], [0.0, 9.0, 0.1], 0.5, [(0, 0)], [(0, 0), (8, 10), (0, 0.2)], slope=True)
        self.assertEqual(d.status, WITHIN)  # one leaky-looking candidate of three is not enough
        self.assertAlmostEqual(d.candidate, 0.1)
        d = decide([0.0], [9.0, 8.0, 0.1], 0.5, [(0, 0)], [(8, 10), (7, 9), (0, 0.2)], slope=True)
        self.assertEqual(d.status, REGRESSION)
        self.assertEqual(d.candidate, 8.0)


if __name__ == "__main__":
    unittest.main()
