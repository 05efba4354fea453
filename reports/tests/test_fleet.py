"""leakbench-report fleet: a fleet's index.html (small multiples of the worst instances linking their reports,
the failing and inconclusive tables), without matplotlib a page that says so, bad input exits 2."""

import os
import re
import shutil
import subprocess
import unittest

from . import support

FLEET = support.data("fleet")


class FleetReport(unittest.TestCase):
    def setUp(self):
        self.tmp = support.TempDir()
        self.dir = os.path.join(self.tmp.path, "fleet")
        shutil.copytree(FLEET, self.dir)

    def tearDown(self):
        self.tmp.cleanup()

    def page(self):
        with open(os.path.join(self.dir, "index.html"), encoding="utf-8") as f:
            return f.read()

    def test_worst_instances_are_drawn_and_link_their_reports(self):
        ran = support.run_cli("fleet", self.dir, timeout=120)
        self.assertEqual(ran.returncode, 0, ran.stderr)
        page = self.page()
        self.assertIn('data-verdict="fail"', page)
        grid = page[page.index('id="worst"'):page.index("<h2>Failing, worst first")]
        self.assertEqual(grid.count('<img class="plot"'), 2, "one small multiple per failing instance")
        links = re.findall(r'href="(instances/[^"]+)"', grid)
        self.assertEqual(links, ["instances/host-0007_9464/report.html", "instances/host-0027_9464/report.html"],
                         "worst first, as fleet.json lists them")
        for link in links + ["instances/host-0013_9464/report.html"]:
            with open(os.path.join(self.dir, link), encoding="utf-8") as f:
                self.assertIn("<h1>leakbench: prometheus host-", f.read(), link)
        self.assertIn("too short to judge", page, "the inconclusive table says why")
        self.assertIn('data-plots-expected="2"', page)

    def test_without_matplotlib_the_page_keeps_its_tables_and_says_what_is_missing(self):
        code = ("import sys; sys.modules['matplotlib'] = None; sys.path.insert(0, sys.argv[1]); "
                "from leakbench_report.cli import main; sys.exit(main(sys.argv[2:]))")
        ran = subprocess.run([support.PYTHON, "-c", code, support.REPORTS, "fleet", self.dir],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(ran.returncode, 0, ran.stderr)
        self.assertIn("python3-matplotlib is not installed", ran.stderr)
        page = self.page()
        self.assertIn("python3-matplotlib is not installed", page)
        self.assertNotIn("<img", page)
        self.assertIn('href="instances/host-0007_9464/result.json"', page, "links the result instead")
        self.assertFalse(os.path.exists(os.path.join(self.dir, "instances/host-0007_9464/report.html")))

    def test_a_directory_without_fleet_json_exits_2_saying_what_to_give(self):
        os.unlink(os.path.join(self.dir, "fleet.json"))
        ran = support.run_cli("fleet", self.dir)
        self.assertEqual(ran.returncode, 2)
        self.assertIn("fleet.json: cannot read", ran.stderr)
        self.assertIn("--out DIR of `leakbench judge`", ran.stderr)


if __name__ == "__main__":
    unittest.main()
