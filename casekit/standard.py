"""The iCAP competency unit BGM4R0172v2 (管理客戶服務部門員工) as typed, validated package data.

The unit lives in ``casekit/data/standard/BGM4R0172v2.yaml``: every element with its stable id (``T1``,
``P1.1``, ``K1`` …, see the project's IDS.md), its kind, the zh-TW text verbatim as published and an English
rendering. :func:`load_standard` reads and validates it once and returns a frozen :class:`Standard`.

This module is part of the pure domain core: it imports only the standard library, PyYAML and casekit's
``errors`` and ``i18n`` modules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any, Final, Literal, cast

import yaml

from casekit.errors import NotFoundError, Problem, StandardDataError, UsageError
from casekit.i18n import LANGS, normalise_lang, t

__all__ = [
    "EXPECTED_COUNTS",
    "KINDS",
    "SCHEMA_VERSION",
    "UNIT_CODE",
    "Element",
    "Kind",
    "Standard",
    "load_standard",
    "render_tree",
    "to_json",
]

UNIT_CODE: Final = "BGM4R0172v2"
SCHEMA_VERSION: Final = 1

Kind = Literal["task", "indicator", "knowledge", "skill", "evidence", "context", "method", "note"]

#: Every element kind, in the order the unit presents them.
KINDS: Final[tuple[Kind, ...]] = (
    "task",
    "indicator",
    "knowledge",
    "skill",
    "evidence",
    "context",
    "method",
    "note",
)

#: How many elements of each kind the published unit has (53 in all).
EXPECTED_COUNTS: Final[Mapping[Kind, int]] = {
    "task": 5,
    "indicator": 15,
    "knowledge": 9,
    "skill": 7,
    "evidence": 5,
    "context": 2,
    "method": 3,
    "note": 7,
}

_ID_PATTERNS: Final[Mapping[Kind, re.Pattern[str]]] = {
    "task": re.compile(r"T([1-9][0-9]*)"),
    "indicator": re.compile(r"P([1-9][0-9]*)\.[1-9][0-9]*"),
    "knowledge": re.compile(r"K[1-9][0-9]*"),
    "skill": re.compile(r"S[1-9][0-9]*"),
    "evidence": re.compile(r"E[1-9][0-9]*"),
    "context": re.compile(r"C[1-9][0-9]*"),
    "method": re.compile(r"M[1-9][0-9]*"),
    "note": re.compile(r"N[1-9][0-9]*"),
}
_ID_EXAMPLES: Final[Mapping[Kind, str]] = {
    "task": "T1",
    "indicator": "P1.1",
    "knowledge": "K1",
    "skill": "S1",
    "evidence": "E1",
    "context": "C1",
    "method": "M1",
    "note": "N1",
}
_ELEMENT_KEYS: Final[tuple[str, ...]] = ("id", "kind", "parent", "refs", *LANGS)

# Catalog key of the heading for each group that render_tree prints after the tasks.
_GROUP_HEADINGS: Final[tuple[tuple[Kind, str], ...]] = (
    ("knowledge", "standard.heading_knowledge"),
    ("skill", "standard.heading_skills"),
    ("evidence", "standard.heading_evidence"),
    ("context", "standard.heading_context"),
    ("method", "standard.heading_methods"),
    ("note", "standard.heading_notes"),
)


@dataclass(frozen=True)
class Element:
    """One element of the unit: a task, indicator, knowledge or skill item, assessment item or note.

    ``text`` maps each language tag (``zh-TW``, ``en``) to the element's text; ``parent`` is the task id of an
    indicator (``None`` for every other kind); ``refs`` lists the notes an indicator cites (``【註n】``).
    """

    id: str
    kind: Kind
    text: Mapping[str, str] = field(hash=False)
    parent: str | None = None
    refs: tuple[str, ...] = ()

    def label(self, lang: str | None = None) -> str:
        """The element's text in ``lang`` (default: the current language), without its id."""
        return self.text[normalise_lang(lang)]


@dataclass(frozen=True)
class Standard:
    """The whole competency unit: header fields plus every element in published order."""

    code: str
    title: Mapping[str, str] = field(hash=False)
    domain: Mapping[str, str] = field(hash=False)
    level: int
    elements: tuple[Element, ...]

    @cached_property
    def _by_id(self) -> dict[str, Element]:
        return {element.id: element for element in self.elements}

    @property
    def ids(self) -> tuple[str, ...]:
        """Every element id, in published order."""
        return tuple(element.id for element in self.elements)

    def get(self, element_id: str) -> Element:
        """The element with id ``element_id``; :class:`~casekit.errors.NotFoundError` if there is none."""
        try:
            return self._by_id[element_id]
        except KeyError:
            raise NotFoundError(t("standard.unknown_id", code=self.code, id=element_id)) from None

    def of_kind(self, kind: str) -> tuple[Element, ...]:
        """Every element of ``kind`` (one of :data:`KINDS`), in published order."""
        if kind not in KINDS:
            raise UsageError(t("standard.unknown_kind", kind=kind, kinds=", ".join(KINDS)))
        return tuple(element for element in self.elements if element.kind == kind)

    def indicators_of(self, task_id: str) -> tuple[Element, ...]:
        """The performance indicators (P) of the work task ``task_id`` (T), in published order."""
        task = self.get(task_id)
        if task.kind != "task":
            raise UsageError(t("standard.not_a_task", id=task_id))
        return tuple(e for e in self.elements if e.kind == "indicator" and e.parent == task_id)

    def __len__(self) -> int:
        return len(self.elements)

    def __iter__(self) -> Iterator[Element]:
        return iter(self.elements)

    def __contains__(self, element_id: object) -> bool:
        return element_id in self._by_id


@cache
def load_standard() -> Standard:
    """The packaged unit BGM4R0172v2, validated (read once, then cached).

    Raises :class:`~casekit.errors.StandardDataError` listing every problem if the packaged data is malformed.
    """
    name = f"{UNIT_CODE}.yaml"
    resource = resources.files("casekit") / "data" / "standard" / name
    return _parse_standard(resource.read_text(encoding="utf-8"), f"casekit/data/standard/{name}")


def render_tree(standard: Standard, lang: str | None = None) -> str:
    """A readable indented outline of the unit in ``lang`` (default: the current language).

    The unit header comes first, then each task with its indicators nested under it, then the knowledge,
    skills, assessment evidence, context, methods and notes, each under its heading.
    """
    code = normalise_lang(lang)
    lines = [
        t(
            "standard.unit_header",
            code,
            code=standard.code,
            title=standard.title[code],
            domain=standard.domain[code],
            level=standard.level,
        ),
        "",
        t("standard.heading_tasks", code),
    ]
    for task in standard.of_kind("task"):
        lines.append(f"  {task.id} {task.label(code)}")
        lines.extend(f"    {p.id} {p.label(code)}" for p in standard.indicators_of(task.id))
    for kind, heading in _GROUP_HEADINGS:
        lines.extend(["", t(heading, code)])
        lines.extend(f"  {e.id} {e.label(code)}" for e in standard.of_kind(kind))
    return "\n".join(lines) + "\n"


def to_json(standard: Standard) -> dict[str, Any]:
    """The unit as plain JSON-able data.

    Shape::

        {
          "code": "BGM4R0172v2",
          "title": {"zh-TW": ..., "en": ...},
          "domain": {"zh-TW": ..., "en": ...},
          "level": 4,
          "elements": [  # all 53, in published order
            {"id": "P1.1", "kind": "indicator", "parent": "T1", "refs": ["N1", "N2"],
             "text": {"zh-TW": ..., "en": ...}},
            ...
          ],
          "tasks": [{"id": "T1", "indicators": ["P1.1", "P1.2"]}, ...]
        }

    ``parent`` is ``null`` and ``refs`` is ``[]`` where they do not apply.
    """
    return {
        "code": standard.code,
        "title": {lang: standard.title[lang] for lang in LANGS},
        "domain": {lang: standard.domain[lang] for lang in LANGS},
        "level": standard.level,
        "elements": [
            {
                "id": e.id,
                "kind": e.kind,
                "parent": e.parent,
                "refs": list(e.refs),
                "text": {lang: e.text[lang] for lang in LANGS},
            }
            for e in standard.elements
        ],
        "tasks": [
            {"id": task.id, "indicators": [p.id for p in standard.indicators_of(task.id)]}
            for task in standard.of_kind("task")
        ],
    }


# --- parsing and validation -----------------------------------------------------------------------------


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _is_text(value: object) -> bool:
    return isinstance(value, str) and value.strip() != ""


class _Checker:
    """Collects every problem of one source file."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def add(self, where: str, expected: str, got: object = None, **params: Any) -> None:
        shown = "" if got is None else _show(got)
        self.problems.append(Problem(self.source, where, f"expect.{expected}", shown, params))

    def texts(self, value: object, where: str) -> dict[str, str]:
        """A ``{lang: text}`` mapping with every language; problems are recorded, not raised."""
        if not isinstance(value, dict):
            self.add(where, "lang_texts", value, langs=", ".join(LANGS))
            return {}
        for lang in LANGS:
            if not _is_text(value.get(lang)):
                self.add(f"{where}.{lang}", "text", value.get(lang))
        return {lang: str(value.get(lang, "")) for lang in LANGS}


def _parse_standard(text: str, source_name: str, *, expected_counts: Mapping[Kind, int] = EXPECTED_COUNTS) -> Standard:
    """Parse and validate the YAML text of a unit; ``source_name`` names the file in problems.

    Every problem found is collected and raised together as one :class:`StandardDataError`.
    """
    check = _Checker(source_name)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        check.add("", "yaml", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        raise StandardDataError(check.problems) from None
    if not isinstance(data, dict):
        check.add("", "mapping", data)
        raise StandardDataError(check.problems)

    if data.get("schema_version") != SCHEMA_VERSION:
        check.add("schema_version", "schema_version", data.get("schema_version"), version=SCHEMA_VERSION)
    code = data.get("code")
    if not _is_text(code):
        check.add("code", "text", code)
    title = check.texts(data.get("title"), "title")
    domain = check.texts(data.get("domain"), "domain")
    level = data.get("level")
    if not isinstance(level, int) or isinstance(level, bool) or level < 1:
        check.add("level", "positive_int", level)

    raw_elements = data.get("elements")
    if not isinstance(raw_elements, list):
        check.add("elements", "list", raw_elements)
        raw_elements = []

    # First pass: each element on its own.
    first_index: dict[str, int] = {}
    kinds: dict[str, str] = {}  # id -> kind, for the valid (id, kind) pairs
    candidates: list[tuple[int, dict[str, Any]]] = []
    for i, raw in enumerate(raw_elements):
        where = f"elements[{i}]"
        if not isinstance(raw, dict):
            check.add(where, "mapping", raw)
            continue
        candidates.append((i, raw))
        for key in raw:
            if key not in _ELEMENT_KEYS:
                check.add(f"{where}.{key}", "known_keys", key, keys=", ".join(_ELEMENT_KEYS))
        raw_id = raw.get("id")
        element_id = raw_id if isinstance(raw_id, str) and raw_id.strip() else None
        if element_id is None:
            check.add(f"{where}.id", "text", raw_id)
        elif element_id in first_index:
            check.add(f"{where}.id", "unique_id", element_id, first=first_index[element_id])
        else:
            first_index[element_id] = i
        kind = raw.get("kind")
        if kind not in KINDS:
            check.add(f"{where}.kind", "element_kind", kind, kinds=", ".join(KINDS))
        elif element_id is not None:
            known = cast(Kind, kind)
            if not _ID_PATTERNS[known].fullmatch(element_id):
                check.add(f"{where}.id", "element_id_format", element_id, kind=known, example=_ID_EXAMPLES[known])
            kinds.setdefault(element_id, known)
        for lang in LANGS:
            if not _is_text(raw.get(lang)):
                check.add(f"{where}.{lang}", "text", raw.get(lang))
        refs = raw.get("refs", [])
        if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
            check.add(f"{where}.refs", "list_of_strings", refs)

    # Second pass: references between elements.
    for i, raw in candidates:
        where = f"elements[{i}]"
        element_id, kind, parent = raw.get("id"), raw.get("kind"), raw.get("parent")
        if kind == "indicator":
            if not isinstance(parent, str) or kinds.get(parent) != "task":
                check.add(f"{where}.parent", "element_parent_task", parent)
            elif isinstance(element_id, str):
                match = _ID_PATTERNS["indicator"].fullmatch(element_id)
                if match is not None and parent != f"T{match.group(1)}":
                    check.add(f"{where}.parent", "element_parent_matches", parent, parent=f"T{match.group(1)}")
        elif parent is not None:
            check.add(f"{where}.parent", "element_no_parent", parent)
        refs = raw.get("refs", [])
        if isinstance(refs, list):
            for j, ref in enumerate(refs):
                if isinstance(ref, str) and ref not in first_index:
                    check.add(f"{where}.refs[{j}]", "element_ref", ref)

    for kind_name, count in expected_counts.items():
        actual = sum(1 for _, raw in candidates if raw.get("kind") == kind_name)
        if actual != count:
            check.add("elements", "element_count", actual, kind=kind_name, count=count)

    if check.problems:
        raise StandardDataError(check.problems)

    elements = tuple(
        Element(
            id=str(raw["id"]),
            kind=cast(Kind, raw["kind"]),
            text={lang: str(raw[lang]) for lang in LANGS},
            parent=cast("str | None", raw.get("parent")),
            refs=tuple(raw.get("refs", [])),
        )
        for _, raw in candidates
    )
    return Standard(code=str(code), title=title, domain=domain, level=cast(int, level), elements=elements)
