"""Reads result.json files (or directories of them) into Result objects, with one-line errors."""

import json
import os

from .errors import ReportError
from .result import Result
from .schema import validate

# A result.json of a day-long soak at 1 Hz is ~15 MB; refuse absurd inputs before parsing them.
MAX_INPUT_BYTES = 512 * 1024 * 1024


def expand_inputs(paths):
    """Paths as given; a directory is replaced by its result.json, else its */result.json (a
    `leakbench gate --out DIR`), else its *.json files (sorted)."""
    out = []
    for p in paths:
        if os.path.isdir(p):
            direct = os.path.join(p, "result.json")
            if os.path.isfile(direct):
                out.append(direct)
                continue
            found = sorted(os.path.join(p, d, "result.json") for d in os.listdir(p)
                           if os.path.isfile(os.path.join(p, d, "result.json")))
            if not found:
                found = sorted(os.path.join(p, f) for f in os.listdir(p)
                               if f.endswith(".json") and os.path.isfile(os.path.join(p, f)))
            if not found:
                raise ReportError(f"{p}: a directory with no result.json, */result.json or *.json in it")
            out.extend(found)
        else:
            out.append(p)
    return out


def _unclosed(text):
    """True when text ends inside a string or with '{'/'[' still open: cut short, not merely malformed."""
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
    return in_string or depth > 0


def parse_text(text, name):
    """The JSON document in `text`; ReportError with line/column (and a truncation hint) if invalid."""
    if not text.strip():
        raise ReportError(f"{name}: empty file (0 bytes of JSON)" if not text else f"{name}: empty file (only whitespace)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        truncated = e.pos >= len(text.rstrip()) - 1 or _unclosed(text)
        hint = " (truncated? the file ends in the middle of the JSON)" if truncated else ""
        raise ReportError(f"{name}: not valid JSON at line {e.lineno} col {e.colno}: {e.msg}{hint}") from None
    except RecursionError:
        raise ReportError(f"{name}: not a leakbench result (JSON nested too deeply)") from None


def load_result(path):
    """A validated Result from `path`; ReportError naming the file for anything wrong with it."""
    name = path
    try:
        size = os.path.getsize(path)
        if size > MAX_INPUT_BYTES:
            raise ReportError(f"{name}: {size:,} bytes is larger than any result.json leakbench writes "
                              f"(limit {MAX_INPUT_BYTES:,})")
        with open(path, "rb") as f:
            raw = f.read()
    except ReportError:
        raise
    except IsADirectoryError:
        raise ReportError(f"{name}: is a directory with no result.json") from None
    except OSError as e:
        raise ReportError(f"{name}: cannot read: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ReportError(f"{name}: not UTF-8 text (bad byte at offset {e.start}); is this a result.json?") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    doc = parse_text(text, name)
    validate(doc, name)
    return Result(doc, name)


def load_results(paths):
    """load_result for each of expand_inputs(paths)."""
    return [load_result(p) for p in expand_inputs(paths)]
