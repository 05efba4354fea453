"""Shared test helpers: fixture paths, running the CLI as a subprocess, writing modified results."""

import copy
import json
import os
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPORTS = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")
CLI = os.path.join(REPORTS, "leakbench-report")
PYTHON = "/usr/bin/python3"


def data(*parts):
    return os.path.join(DATA, *parts)


def load_json(*parts):
    with open(data(*parts), encoding="utf-8") as f:
        return json.load(f)


def run_cli(*args, timeout=60):
    """CompletedProcess of `leakbench-report args` (text mode), run by Debian's python3 like CI does."""
    return subprocess.run([PYTHON, CLI, *map(str, args)], capture_output=True, text=True, timeout=timeout)


class TempDir:
    """A temporary directory for one test; write() puts a document (dict or raw text/bytes) in it."""

    def __init__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="leakbench-report-test-")
        self.path = self._tmp.name

    def write(self, name, content):
        path = os.path.join(self.path, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(content, (dict, list)):
            content = json.dumps(content, indent=1)
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(path, mode) as f:
            f.write(content)
        return path

    def cleanup(self):
        self._tmp.cleanup()


def modified(doc, change):
    """A deep copy of doc with change(copy) applied."""
    out = copy.deepcopy(doc)
    change(out)
    return out


class Ran:
    """What run_main returns: like CompletedProcess (returncode, stdout, stderr)."""

    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run_main(*args):
    """leakbench-report's main() in this process (fast); an uncaught exception propagates and fails the test."""
    import contextlib
    import io
    import sys
    if REPORTS not in sys.path:
        sys.path.insert(0, REPORTS)
    from leakbench_report.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main([str(a) for a in args])
        except SystemExit as e:  # argparse
            rc = e.code
    return Ran(rc, out.getvalue(), err.getvalue())
