"""Shared by the repository checks' tests: a throw-away tree to plant files in,
and a runner for a checker script (ci/check_*) on a tree."""
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_checker(name, root):
    """Runs ci/NAME on root with this interpreter; returns the CompletedProcess."""
    return subprocess.run([sys.executable, os.path.join(ROOT, "ci", name), root],
                          capture_output=True, text=True, timeout=120)


class PlantedTree(unittest.TestCase):
    """A test case with self.root, an empty temporary tree, and self.write()."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, rel, text):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
