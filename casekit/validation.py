"""Turning pydantic validation errors into :class:`~casekit.errors.Problem` lines (file, field, expected, got)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from casekit.errors import Problem, SpecError

__all__ = ["got", "load_versioned_yaml", "pydantic_problems", "read_text_file"]


_EXPECT_BY_TYPE = {
    "missing": "expect.present",
    "extra_forbidden": "expect.known_field",
    "int_type": "expect.int",
    "int_parsing": "expect.int",
    "int_from_float": "expect.int",
    "float_type": "expect.number",
    "float_parsing": "expect.number",
    "string_type": "expect.string",
    "bool_type": "expect.bool",
    "date_type": "expect.date",
    "date_parsing": "expect.date",
    "date_from_datetime_inexact": "expect.date",
    "dict_type": "expect.mapping",
    "model_type": "expect.mapping",
    "list_type": "expect.list",
    "tuple_type": "expect.pair",
    "too_short": "expect.too_short",
    "too_long": "expect.pair",
    "greater_than": "expect.gt",
    "greater_than_equal": "expect.ge",
    "less_than": "expect.lt",
    "less_than_equal": "expect.le",
    "literal_error": "expect.one_of",
    "string_pattern_mismatch": "expect.slug",
    "string_too_short": "expect.nonempty",
}


def _field_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if part == "[key]":  # pydantic marks an invalid mapping key this way; the key itself names the field
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def got(value: Any) -> str:
    """A short repr of a value that came, for messages."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _allowed_fields(root: Any, loc: tuple[int | str, ...]) -> str:
    """The field names allowed beside an unknown one, for the error message."""
    model: Any = root
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            return ""
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            # a dict value (e.g. roles.<name>): step into its value type
            args = getattr(model, "__args__", None)
            model = args[-1] if args else None
            continue
        model = field.annotation
    fields = getattr(model, "model_fields", None)
    if not fields:
        return ""
    return ", ".join(f.alias or name for name, f in fields.items())


def pydantic_problems(source: str, err: ValidationError, root: Any) -> list[Problem]:
    """One :class:`Problem` per pydantic error; ``root`` is the validated model class (for allowed field names)."""
    problems = []
    for e in err.errors():
        loc = tuple(e["loc"])
        kind = e["type"]
        # validators raise PydanticCustomError("casekit_<name>", ...) to name their own catalog key expect.<name>
        key = f"expect.{kind[8:]}" if kind.startswith("casekit_") else _EXPECT_BY_TYPE.get(kind, "expect.other")
        params: dict[str, Any] = {"msg": e.get("msg", "")}
        ctx = e.get("ctx") or {}
        for name in ("gt", "ge", "lt", "le", "min_length", "expected"):
            if name in ctx:
                params["limit" if name not in ("expected", "min_length") else name] = ctx[name]
        if kind == "extra_forbidden":
            params["allowed"] = _allowed_fields(root, loc)
        came = "" if kind == "missing" else got(e.get("input"))
        problems.append(Problem(source, _field_path(loc), key, came, params))
    return problems


def load_versioned_yaml(text: str, source: str, version: int, error: type[SpecError]) -> dict[str, Any]:
    """Parse a YAML data file that must be a mapping with ``schema_version`` ``version``.

    A syntax error names the line and column; another version is refused up front, since its fields would only
    produce misleading problems. Raises ``error`` (a :class:`SpecError` subclass) with the problem.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error([Problem(source, where, "expect.yaml", str(reason))]) from None
    if not isinstance(data, dict):
        raise error([Problem(source, "", "expect.top_mapping", type(data).__name__)])
    found = data.get("schema_version")
    if isinstance(found, int) and not isinstance(found, bool) and found != version:
        raise error([Problem(source, "schema_version", "expect.schema_version", got(found), {"version": version})])
    return data


def read_text_file(path: str | os.PathLike[str], error: type[SpecError]) -> str:
    """The UTF-8 text of a data file, or ``error`` naming the file and why it cannot be read."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error([Problem(str(p), "", "expect.file_exists")]) from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise error([Problem(str(p), "", "expect.readable", type(exc).__name__)]) from None
