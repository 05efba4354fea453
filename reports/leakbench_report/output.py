"""Writes a command's output to a file or stdout, turning OS errors into ReportError."""

import os
import sys
import tempfile

from .errors import ReportError


def write_text(path, text):
    """Writes text (UTF-8) to `path` ('-' or None: stdout); the file appears complete or not at all."""
    if path in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".leakbench-report-", dir=directory)
    except OSError as e:
        raise ReportError(f"{path}: cannot write: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise ReportError(f"{path}: cannot write: {e.strerror or e}") from None
