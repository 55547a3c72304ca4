"""Strict JSON, read and written: the one way casekit turns bytes into data and data into files.

Reading refuses what Python's ``json`` module lets through and a grader must not: a key given twice (the second
would silently win), ``NaN``/``Infinity`` and numbers too large to be finite (``1e400``), integers of thousands of
digits, nesting deep enough to exhaust the interpreter's stack, and files larger than a cap, which are refused
before they are read whole. Writing never produces ``NaN`` (which is not JSON). Every refusal is a
:class:`~casekit.errors.Problem` naming the file and what was wrong.
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from casekit.errors import Problem, SpecError

__all__ = ["MAX_DEPTH", "MAX_INT_DIGITS", "dumps_strict", "loads_strict", "read_capped"]

MAX_DEPTH: Final = 64  # no casekit document nests deeper than about 8
MAX_INT_DIGITS: Final = 30  # a seed is at most 19 digits


class _Refused(ValueError):
    def __init__(self, expected: str, got: str = "", **params: Any) -> None:
        super().__init__(expected)
        self.expected, self.got, self.params = expected, got, params


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused("expect.unique_key", repr(key)[:60])
        out[key] = value
    return out


def _constant(name: str) -> Any:
    raise _Refused("expect.finite_number", name)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused("expect.finite_number", text[:60])
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused("expect.int_size", f"{text[:20]}... ({len(text)} digits)", digits=MAX_INT_DIGITS)
    return int(text)


def _depth(value: Any) -> int:
    """The nesting depth of decoded JSON (iterative: a deep document must not exhaust the stack here either)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def loads_strict(text: str | bytes, source: str, error: type[SpecError]) -> Any:
    """Decode ``text`` as strict JSON; ``error`` (a :class:`SpecError`) names ``source`` and the problem."""
    try:
        raw = text.decode("utf-8") if isinstance(text, bytes) else text
    except UnicodeDecodeError:
        raise error([Problem(source, "", "expect.readable", "not UTF-8")]) from None
    try:
        data = json.loads(raw, object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except _Refused as exc:
        raise error([Problem(source, "", exc.expected, exc.got, exc.params)]) from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise error([Problem(source, where, "expect.json", exc.msg)]) from None
    except RecursionError:
        raise error([Problem(source, "", "expect.depth", "", {"depth": MAX_DEPTH})]) from None
    if _depth(data) > MAX_DEPTH:
        raise error([Problem(source, "", "expect.depth", "", {"depth": MAX_DEPTH})])
    return data


def read_capped(path: str | os.PathLike[str], max_bytes: int, error: type[SpecError]) -> bytes:
    """The bytes of the regular file at ``path``, refused (as ``error``) when it is missing, not a regular file
    (a folder, a FIFO, a device), unreadable, or larger than ``max_bytes`` (checked before and while reading, so
    ``/dev/zero`` or a growing file cannot fill memory)."""
    p = Path(path)
    try:
        info = p.stat()
    except FileNotFoundError:
        raise error([Problem(str(p), "", "expect.file_exists")]) from None
    except OSError as exc:
        raise error([Problem(str(p), "", "expect.readable", type(exc).__name__)]) from None
    if not stat.S_ISREG(info.st_mode):
        kind = "folder" if stat.S_ISDIR(info.st_mode) else "special file"
        raise error([Problem(str(p), "", "expect.regular_file", kind)])
    if info.st_size > max_bytes:
        raise error([Problem(str(p), "", "expect.size", f"{info.st_size:,} bytes", {"limit": f"{max_bytes:,}"})])
    try:
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise error([Problem(str(p), "", "expect.readable", type(exc).__name__)]) from None
    if len(data) > max_bytes:
        raise error([Problem(str(p), "", "expect.size", f"> {max_bytes:,} bytes", {"limit": f"{max_bytes:,}"})])
    return data


def dumps_strict(value: Any, *, indent: int | None = 2, default: Callable[[Any], Any] | None = None) -> str:
    """``value`` as strict JSON text (sorted keys, UTF-8 kept readable, a final newline); ``NaN`` is refused."""
    return json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=True, allow_nan=False, default=default) + "\n"
