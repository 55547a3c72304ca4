"""Turning pydantic validation errors into :class:`~casekit.errors.Problem` lines (file, field, expected, got), and
reading the versioned YAML data files (specs, rubrics) they validate.

The one translator for every model casekit validates (organisation specs, rubrics, answer documents, schemes,
findings): each pydantic error type maps to an ``expect.*`` catalog key, so a problem reads the same in every file
and in either language. A validator names its own message by raising ``PydanticCustomError("casekit_<name>", ...)``
for the catalog key ``expect.<name>``; the error's context fills the key's placeholders.
"""

from __future__ import annotations

import os
import re
import reprlib
import types
import typing
from typing import Any, Final

import yaml
from pydantic import BaseModel, ValidationError

from casekit.errors import Problem, SpecError
from casekit.jsonio import read_capped
from casekit.limits import MAX_DATA_FILE, MAX_YAML_NODES

__all__ = ["ORG_NAME", "got", "load_versioned_yaml", "pydantic_problems", "read_text_file"]

#: What an organisation is called: the stem of its spec file (``bank-cards``). Answers name organisations this way
#: only, never by a path.
ORG_NAME: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


#: pydantic's error types -> the ``expect.*`` key that says what was expected.
_EXPECT_BY_TYPE: Final = {
    "missing": "expect.present",
    "extra_forbidden": "expect.known_field",
    "int_type": "expect.int",
    "int_parsing": "expect.int",
    "int_from_float": "expect.int",
    "float_type": "expect.number",
    "float_parsing": "expect.number",
    "string_type": "expect.string",
    "bool_type": "expect.bool",
    "bool_parsing": "expect.bool",
    "date_type": "expect.date",
    "date_parsing": "expect.date",
    "date_from_datetime_inexact": "expect.date",
    "dict_type": "expect.mapping",
    "model_type": "expect.mapping",
    "model_attributes_type": "expect.mapping",
    "list_type": "expect.list",
    "tuple_type": "expect.list",
    "too_short": "expect.too_short",
    "too_long": "expect.too_long",
    "greater_than": "expect.gt",
    "greater_than_equal": "expect.ge",
    "less_than": "expect.lt",
    "less_than_equal": "expect.le",
    "literal_error": "expect.one_of",
    "finite_number": "expect.finite_number",
    "enum": "expect.one_of",
    "string_pattern_mismatch": "expect.pattern",
    "string_too_short": "expect.nonempty",
    "string_too_long": "expect.string_too_long",
}
_CUSTOM: Final = "casekit_"
_LIMITS: Final = ("gt", "ge", "lt", "le")


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxdict, _REPR.maxlist, _REPR.maxtuple, _REPR.maxset = 2, 4, 4, 4, 4
_REPR.maxstring, _REPR.maxother, _REPR.maxlong = 58, 58, 40


def got(value: Any) -> str:
    """A short repr of a value that came, for messages. Bounded while it is built (``reprlib``), so a huge or
    self-similar value (a YAML alias bomb, a deep list) costs no more than a small one."""
    text = _REPR.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _field_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]" or part.startswith("function-"):
            # pydantic's marks for an invalid mapping key and for an Annotated validator step: not fields
            continue
        else:
            out += f".{part}" if out else part
    return out


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation: ``Criterion``, ``tuple[Criterion, ...]``, ``dict[str, Role]``,
    ``JudgedBy | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) is not None or isinstance(annotation, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _field(model: type[BaseModel], part: str) -> Any:
    for name, info in model.model_fields.items():
        if part in (name, info.alias):
            return info.annotation
    return None


def _allowed_fields(root: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    """The field names allowed beside an unknown one, for the message."""
    node: Any = root
    for part in loc[:-1]:
        model = _model_in(node)
        if model is None:
            return ""
        annotation = _field(model, part) if isinstance(part, str) else None
        # a field: step into its type; a list index or a mapping key (roles.<name>): into the item's model
        node = annotation if annotation is not None else model
    model = _model_in(node)
    return "" if model is None else ", ".join(f.alias or name for name, f in model.model_fields.items())


def pydantic_problems(source: str, err: ValidationError, root: type[BaseModel]) -> list[Problem]:
    """One :class:`Problem` per pydantic error; ``root`` is the validated model class (for allowed field names)."""
    problems = []
    for e in err.errors():
        loc = tuple(e["loc"])
        kind = e["type"]
        value = e.get("input")
        ctx = {k: v for k, v in (e.get("ctx") or {}).items() if k != "error"}
        if kind == "too_short" and isinstance(value, list | tuple) and len(value) >= ctx.get("min_length", 0):
            continue  # pydantic's echo of a list whose items failed, each already reported on its own
        custom = kind.startswith(_CUSTOM)
        key = f"expect.{kind[len(_CUSTOM) :]}" if custom else _EXPECT_BY_TYPE.get(kind, "expect.other")
        if kind == "string_type" and isinstance(value, bool):
            key = "expect.string_not_bool"  # YAML 1.1 reads an unquoted yes/no/on/off as a boolean
        params: dict[str, Any] = {"msg": e.get("msg", ""), **ctx}
        for limit in _LIMITS:
            if limit in ctx:
                params["limit"] = ctx[limit]
        if kind == "extra_forbidden":
            params["allowed"] = _allowed_fields(root, loc)
        # a missing field has no value; a rule about a whole mapping would only echo it back
        quiet = kind == "missing" or (custom and isinstance(value, dict))
        problems.append(Problem(source, _field_path(loc), key, "" if quiet else got(value), params))
    return problems


class _TooManyNodes(yaml.YAMLError):
    pass


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, counting the nodes every alias stands for."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._expanded = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        alias = self.check_event(yaml.AliasEvent)
        node = super().compose_node(parent, index)
        self._expanded += self._size(node) if alias else 1
        if self._expanded > MAX_YAML_NODES:
            raise _TooManyNodes()
        return node

    def _size(self, node: Any) -> int:
        key = id(node)
        if key not in self._sizes:
            children = node.value if isinstance(node, yaml.SequenceNode) else []
            if isinstance(node, yaml.MappingNode):
                children = [n for pair in node.value for n in pair]
            self._sizes[key] = 1 + sum(self._size(c) for c in children)
        return self._sizes[key]


def load_versioned_yaml(text: str, source: str, version: int, error: type[SpecError]) -> dict[str, Any]:
    """Parse a YAML data file that must be a mapping with ``schema_version`` ``version``.

    A syntax error names the line and column; another version is refused up front, since its fields would only
    produce misleading problems. Raises ``error`` (a :class:`SpecError` subclass) with the problem.
    """
    try:
        loader = _BoundedLoader(text)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except _TooManyNodes:
        limit = {"limit": f"{MAX_YAML_NODES:,}"}
        raise error([Problem(source, "", "expect.yaml_size", f"> {MAX_YAML_NODES:,}", limit)]) from None
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


def read_text_file(path: str | os.PathLike[str], error: type[SpecError], *, max_bytes: int = MAX_DATA_FILE) -> str:
    """The UTF-8 text of a data file (a regular file of at most ``max_bytes``), or ``error`` naming the file and
    why it cannot be read."""
    data = read_capped(path, max_bytes, error)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise error([Problem(str(path), "", "expect.readable", "not UTF-8")]) from None
