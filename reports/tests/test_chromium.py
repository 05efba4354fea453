"""The HTML report in headless Chromium: every plot decodes, the page is not blank, the page logs nothing."""

import base64
import os
import re
import shutil
import signal
import subprocess
import sys
import unittest

from .support import REPORTS, TempDir, data, load_json

sys.path.insert(0, REPORTS)
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.image  # noqa: E402
import numpy as np  # noqa: E402

from leakbench_report.html_report import render  # noqa: E402
from leakbench_report.result import Result  # noqa: E402

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
TIMEOUT_S = 60
CONSOLE = re.compile(r':CONSOLE(?:\(\d+\)|:\d+)\] "(.*)", source: (\S+)')


def chromium(tmp, *args):
    """(stdout, stderr) of one headless Chromium run; its whole process group is killed on timeout."""
    profile = os.path.join(tmp, f"profile-{len(os.listdir(tmp))}")
    cmd = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
           f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError(f"chromium did not finish within {TIMEOUT_S} s: {' '.join(cmd)}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return out, err


def page_console(stderr, page_url):
    """Console messages (any level: headless Chromium logs them all as INFO) logged by the page."""
    return [msg for msg, source in CONSOLE.findall(stderr) if source.startswith(page_url)]


def rendered_bands(image, bands=8, min_ink=0.02):
    """How many of `bands` horizontal bands of the screenshot have more than min_ink non-white pixels."""
    rgb = image[..., :3]
    ink = (rgb < 0.94).any(axis=-1)
    return sum(1 for band in np.array_split(ink, bands, axis=0) if band.mean() > min_ink)


@unittest.skipIf(CHROMIUM is None, "chromium is not installed (apt-get install chromium); CI has it")
class ChromiumTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        doc = load_json("gate-v2", "gate-steady.json")
        page, plots = render(Result(doc, data("gate-v2", "gate-steady.json")))
        cls.expected = sum(1 for p in plots if p.png is not None)
        cls.path = cls.tmp.write("report.html", page)
        cls.url = "file://" + cls.path
        # The same page with one plot's PNG corrupted: the checks below must catch it.
        first = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
        broken = page.replace(first.group(1), base64.b64encode(b"not a png at all").decode(), 1)
        cls.broken_path = cls.tmp.write("broken.html", broken)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def dump_dom(self, path):
        out, err = chromium(self.tmp.path, "--dump-dom", "file://" + path)
        body = re.search(r"<body\b[^>]*>", out)
        self.assertIsNotNone(body, f"no <body> in chromium's DOM dump; stderr: {err[-2000:]}")
        attrs = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', body.group(0)))
        return attrs, page_console(err, "file://" + path)

    def test_every_plot_decodes_and_the_page_logs_nothing(self):
        attrs, console = self.dump_dom(self.path)
        self.assertEqual(self.expected, 7)
        self.assertEqual(attrs.get("plots-expected"), str(self.expected))
        self.assertEqual(attrs.get("plots-rendered"), str(self.expected), attrs)
        self.assertEqual(console, [], "the page logged to the console")

    def test_a_broken_plot_is_caught(self):
        attrs, console = self.dump_dom(self.broken_path)
        self.assertEqual(attrs.get("plots-rendered"), str(self.expected - 1))
        self.assertTrue(any("plot did not render" in m for m in console), console)

    def test_screenshot_is_not_blank(self):
        shot = os.path.join(self.tmp.path, "shot.png")
        _, err = chromium(self.tmp.path, f"--screenshot={shot}", "--window-size=1280,4000",
                          "--hide-scrollbars", self.url)
        self.assertTrue(os.path.exists(shot), f"no screenshot; stderr: {err[-2000:]}")
        image = matplotlib.image.imread(shot)
        self.assertEqual(image.shape[:2], (4000, 1280))
        self.assertGreaterEqual(rendered_bands(image), 7, "too many (nearly) blank bands in the screenshot")
        self.assertEqual(page_console(err, self.url), [])

    def test_a_schema_2_page(self):
        """A Go target's result (goroutines on a second axis of the threads plot, processes, repeat-free)
        and an inconclusive one: every plot decodes, nothing logged."""
        for name in ("go-multiprocess.json", "gate-churn-inconclusive.json"):
            with self.subTest(name=name):
                page, plots = render(Result(load_json("v2", name), data("v2", name)))
                path = self.tmp.write("v2-" + name.replace(".json", ".html"), page)
                attrs, console = self.dump_dom(path)
                self.assertEqual(attrs.get("plots-rendered"), "7", attrs)
                self.assertEqual(console, [], "the page logged to the console")

    def test_blank_detector_detects_blank(self):
        white = np.ones((4000, 1280, 3))
        self.assertEqual(rendered_bands(white), 0)
        white[:300, :, :] = 0.2  # only a header
        self.assertEqual(rendered_bands(white), 1)


if __name__ == "__main__":
    unittest.main()
