"""The roster: which organisation and which seed each candidate of a cohort is given, per component of an assessment
plan. Grading rebuilds a world from an answer's header (``case``, ``candidate_id``, ``org``, ``seed``); without a
record of who was given which world, a candidate could copy a peer's answer, change the id and pass. ``casekit
assign`` writes that record once per cohort; :meth:`Roster.check` compares a header with it and says what differs.

The candidates file (:func:`read_candidates`, UTF-8 with or without a BOM) is CSV with a header row holding a
``candidate_id`` column and optionally ``name`` and ``org`` (an organisation given to that candidate instead of a
drawn one), or plain text of one candidate id per line. It is CSV when its first line that is neither blank nor a
comment holds a comma or is ``candidate_id``; in both forms blank lines and lines starting with ``#`` are skipped.
Ids follow the answer header's rule (:func:`casekit.answers.is_safe_id`); ids differing only in letter case are the
same candidate (they would name one folder on a case-insensitive disk). Every problem is told at once, by line.

The rule (roster ``schema_version`` 1), reproducible with any SHA-256 tool. ``H(text)`` is the first 8 bytes of
the SHA-256 of ``text`` in UTF-8, read as a big-endian unsigned integer; ``S`` is the cohort seed in decimal.

- Organisations: the pool is the sorted, de-duplicated ``orgs`` (default: every organisation spec casekit ships,
  :func:`shipped_orgs`). A candidate without an ``org`` of their own gets
  ``pool[H(f"casekit-roster/1/org:{S}:{candidate_id}") % len(pool)]``.
- Seeds: candidates are taken in ascending order of ``candidate_id`` (ASCII, so byte order), and within each the
  plan's components in the plan's order. The seed of (candidate, component) is the first value of
  ``H(f"casekit-roster/1:{S}:{candidate_id}:{component_id}") % (MAX_SEED + 1)``, then of the same text followed by
  ``:1``, ``:2``, ... that no earlier (candidate, component) has been given, so all seeds of a roster differ.

A draw depends on the cohort seed and the candidate's own id only, never on the order of the file or on the other
candidates (but for an astronomically rare collision): adding a candidate leaves everyone else's world alone.

The roster document is JSON: ``schema`` ``"casekit-roster"``, ``schema_version`` 1, ``plan_id``, ``plan_sha256``
(of the plan file), ``cohort_seed``, ``orgs`` (the pool) and ``entries``, sorted by id, each with ``candidate_id``,
``name``, ``org`` and ``components`` (in plan order, each ``component``, ``case`` and ``seed``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError
from pydantic_core import PydanticCustomError

from casekit import assets
from casekit.answers import is_safe_id
from casekit.assessment.plan import Plan
from casekit.atomic import write_atomic
from casekit.cases.kind import KIND_ID
from casekit.errors import Problem, RosterError, UsageError
from casekit.i18n import t
from casekit.jsonio import dumps_strict, loads_strict, read_capped
from casekit.limits import MAX_SEED
from casekit.rubric.decision import Reason
from casekit.scenario.spec import list_specs
from casekit.validation import ORG_NAME, got, pydantic_problems, read_text_file

__all__ = [
    "ROSTER_SCHEMA",
    "Assignment",
    "CandidateRow",
    "ComponentSeed",
    "Roster",
    "RosterEntry",
    "assign",
    "dumps_roster",
    "known_orgs",
    "load_roster",
    "parse_roster",
    "read_candidates",
    "save_roster",
    "shipped_orgs",
]

ROSTER_SCHEMA: Final = "casekit-roster"
SCHEMA_VERSION: Final = 1
RULE: Final = "casekit-roster/1"  # the prefix of every text the rule of schema_version 1 hashes
MAX_ROSTER_BYTES: Final = 50_000_000  # the largest roster read (10,000 candidates, six components: about 5 MB)
_MAX_NAME: Final = 200  # the longest candidate name kept
_COLUMNS: Final = ("candidate_id", "name", "org")
_NEWLINE: Final = re.compile(r"\r\n|\r|\n")


def _rule(test: Callable[[str], object], name: str) -> AfterValidator:
    def check(value: str) -> str:
        if not test(value):
            raise PydanticCustomError(f"casekit_{name}", name)
        return value

    return AfterValidator(check)


_SafeId = Annotated[StrictStr, _rule(is_safe_id, "safe_id")]
_OrgName = Annotated[StrictStr, _rule(ORG_NAME.fullmatch, "org_name")]
_Seed = Annotated[StrictInt, Field(ge=0, le=MAX_SEED)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


@dataclass(frozen=True)
class CandidateRow:
    """One candidate of the candidates file; ``org`` empty unless the file gives them one."""

    candidate_id: str
    name: str = ""
    org: str = ""


class ComponentSeed(_Model):
    """The seed one candidate is given for one plan component, and the case kind that component grades."""

    component: _SafeId
    case: Annotated[StrictStr, _rule(KIND_ID.match, "kind_id")]
    seed: _Seed


class RosterEntry(_Model):
    """One candidate: their organisation and, in plan order, their seed per component."""

    candidate_id: _SafeId
    name: StrictStr = ""
    org: _OrgName
    components: tuple[ComponentSeed, ...] = Field(min_length=1)

    def for_case(self, case: str) -> ComponentSeed | None:
        return next((c for c in self.components if c.case == case), None)


@dataclass(frozen=True)
class Assignment:
    """What one candidate was given for one case kind: what their answer's header must say."""

    candidate_id: str
    component: str
    case: str
    org: str
    seed: int


class Roster(_Model):
    """Who is given which world, for one plan (its id and file SHA-256) and one cohort seed: the roster document,
    an immutable value like an answer document (:class:`casekit.answers.AnswerDocument`); entries by id."""

    schema_: StrictStr = Field(default=ROSTER_SCHEMA, alias="schema")
    schema_version: StrictInt = SCHEMA_VERSION
    plan_id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    plan_sha256: Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{64}$")]
    cohort_seed: _Seed
    orgs: tuple[_OrgName, ...] = Field(min_length=1)
    entries: tuple[RosterEntry, ...] = Field(min_length=1)

    def entry(self, candidate_id: str) -> RosterEntry | None:
        return next((e for e in self.entries if e.candidate_id == candidate_id), None)

    def assignment(self, candidate_id: str, case: str) -> Assignment | None:
        """What ``candidate_id`` was given for case kind ``case`` (None when not on the roster or not for it)."""
        entry = self.entry(candidate_id)
        seeded = entry.for_case(case) if entry is not None else None
        if entry is None or seeded is None:
            return None
        return Assignment(entry.candidate_id, seeded.component, seeded.case, entry.org, seeded.seed)

    def check(self, candidate_id: str, case: str, org: str, seed: int) -> Reason | None:
        """None when an answer header (``candidate_id``, ``case``, ``org``, ``seed``) is what the roster gave that
        candidate; otherwise the first thing that differs, in this order: the candidate is not on the roster, the
        case kind is not one of theirs, the organisation, the seed."""
        entry, params = self.entry(candidate_id), {"candidate": candidate_id, "case": case}
        seeded = entry.for_case(case) if entry is not None else None
        if entry is None:
            return Reason("roster.reason_unknown_candidate", params)
        if seeded is None:
            return Reason("roster.reason_case", {**params, "cases": ", ".join(c.case for c in entry.components)})
        if org != entry.org:
            return Reason("roster.reason_org", {**params, "expected": entry.org, "got": org})
        if isinstance(seed, bool) or seed != seeded.seed:
            return Reason("roster.reason_seed", {**params, "expected": seeded.seed, "got": seed})
        return None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


# --- the candidates file ----------------------------------------------------------------------------------------


def shipped_orgs() -> tuple[str, ...]:
    """The organisation specs casekit ships, by name, sorted: the default pool."""
    return tuple(sorted(p.stem for p in assets.scenarios_dir().glob("*.yaml") if ORG_NAME.fullmatch(p.stem)))


def known_orgs() -> tuple[str, ...]:
    """Every organisation grading can rebuild a world of (:func:`casekit.scenario.spec.list_specs`), sorted."""
    return tuple(sorted(name for name in list_specs() if ORG_NAME.fullmatch(name)))


def _bad_name(name: str) -> bool:
    return len(name) > _MAX_NAME or any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name)


def _skipped(line: str) -> bool:
    return not line.strip() or line.strip().startswith("#")


def _row_problems(
    src: str, here: str, column: str, row: CandidateRow, orgs: Collection[str], first: dict[str, str]
) -> list[Problem]:
    """What is wrong with one candidate line ``here``; an id seen the first time is noted in ``first``."""
    cid, key, problems = row.candidate_id, row.candidate_id.casefold(), []
    if not cid:
        problems.append(Problem(src, here + column, "expect.present"))
    elif not is_safe_id(cid):
        problems.append(Problem(src, here + column, "expect.safe_id", got(cid)))
    elif key in first:
        problems.append(Problem(src, here + column, "roster.expect_unique_candidate", got(cid), {"first": first[key]}))
    first.setdefault(key, here)
    if _bad_name(row.name):
        problems.append(Problem(src, f"{here}, name", "roster.expect_name", got(row.name), {"max": _MAX_NAME}))
    if row.org and row.org not in orgs:
        names = {"orgs": ", ".join(sorted(orgs)) or "-"}
        problems.append(Problem(src, f"{here}, org", "roster.expect_org", got(row.org), names))
    return problems


def _header(src: str, line: int, cells: list[str]) -> list[str]:
    """The columns of the CSV form's header; :class:`RosterError` at once when wrong (no row reads without it)."""
    where, allowed = f"line {line}", {"allowed": ", ".join(_COLUMNS)}
    bad = [Problem(src, where, "expect.known_field", got(c), allowed) for c in cells if c not in _COLUMNS]
    bad += [Problem(src, where, "roster.expect_unique_column", got(c)) for c in _COLUMNS if cells.count(c) > 1]
    if "candidate_id" not in cells:
        bad.append(Problem(src, where, "roster.expect_id_column", got(",".join(cells))))
    if bad:
        raise RosterError(bad)
    return cells


def _csv_rows(src: str, text: str) -> list[tuple[int, CandidateRow | Problem]]:
    """The CSV form's rows, each with its first line; a row of another width than the header is a problem."""
    out: list[tuple[int, CandidateRow | Problem]] = []
    reader, header, last = csv.reader(io.StringIO(text, newline="")), None, 0
    for raw in reader:
        line, last = last + 1, reader.line_num
        cells = [c.strip() for c in raw]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if header is None:
            header = _header(src, line, cells)
        elif len(cells) != len(header):
            width = {"count": len(header)}
            out.append((line, Problem(src, f"line {line}", "roster.expect_row_width", str(len(cells)), width)))
        else:
            f = dict(zip(header, cells, strict=True))
            out.append((line, CandidateRow(f["candidate_id"], f.get("name", ""), f.get("org", ""))))
    return out


def read_candidates(path: str | os.PathLike[str], *, orgs: Collection[str] | None = None) -> tuple[CandidateRow, ...]:
    """The candidates in the file at ``path`` (CSV or one id a line, see the module), in file order. An ``org``
    column must name one of ``orgs`` (default :func:`known_orgs`). :class:`RosterError` lists every problem."""
    src, text = str(path), read_text_file(path, RosterError).removeprefix("\ufeff")
    lines = _NEWLINE.split(text)
    head = next((line.strip() for line in lines if not _skipped(line)), "")
    found: list[tuple[int, CandidateRow | Problem]] = []
    if "," in head or head == "candidate_id":
        found, column = _csv_rows(src, text), ", candidate_id"
    else:
        found, column = [(n, CandidateRow(x.strip())) for n, x in enumerate(lines, 1) if not _skipped(x)], ""
    known = tuple(orgs) if orgs is not None else known_orgs()
    problems, rows, first = list[Problem](), list[CandidateRow](), dict[str, str]()
    for line, row in found:
        mine = [row] if isinstance(row, Problem) else _row_problems(src, f"line {line}", column, row, known, first)
        problems += mine
        if not mine and isinstance(row, CandidateRow):
            rows.append(row)
    if not found:
        problems.append(Problem(src, "", "roster.expect_candidates"))
    if problems:
        raise RosterError(problems)
    return tuple(rows)


# --- the draw ---------------------------------------------------------------------------------------------------


def _h(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def assign(
    plan: Plan, candidates: Sequence[CandidateRow], *, cohort_seed: int, orgs: Sequence[str] | None = None
) -> Roster:
    """Give each candidate an organisation and a seed per component of ``plan``, by the rule of the module
    docstring: the same cohort seed and candidates give the same roster, in whatever order they come. The roster
    is checked as :func:`load_roster` checks one (:class:`RosterError`); bad arguments are :class:`UsageError`."""
    pool, known = (tuple(sorted(set(orgs))) if orgs is not None else shipped_orgs()), known_orgs()
    if isinstance(cohort_seed, bool) or not isinstance(cohort_seed, int) or not 0 <= cohort_seed <= MAX_SEED:
        raise UsageError(t("roster.bad_seed", None, got=repr(cohort_seed)[:40]))
    unknown = sorted({o for o in (*pool, *(r.org for r in candidates if r.org)) if o not in known})
    if unknown or not pool:
        raise UsageError(t("roster.unknown_orgs", None, names=", ".join(unknown) or "-", known=", ".join(known)))
    twice = ", ".join(k for k, n in Counter(c.kind for c in plan.components).items() if n > 1)
    if twice:
        raise UsageError(t("roster.kind_twice", None, plan=plan.id, kinds=twice))
    used: set[int] = set()
    entries = []
    for row in sorted(candidates, key=lambda r: r.candidate_id):
        cid = row.candidate_id
        org = row.org or pool[_h(f"{RULE}/org:{cohort_seed}:{cid}") % len(pool)]
        seeds = []
        for component in plan.components:
            base, n = f"{RULE}:{cohort_seed}:{cid}:{component.id}", 0
            seed = _h(base) % (MAX_SEED + 1)
            while seed in used:
                n += 1
                seed = _h(f"{base}:{n}") % (MAX_SEED + 1)
            used.add(seed)
            seeds.append(ComponentSeed.model_construct(component=component.id, case=component.kind, seed=seed))
        entries.append(RosterEntry.model_construct(candidate_id=cid, name=row.name, org=org, components=tuple(seeds)))
    roster = Roster.model_construct(
        plan_id=plan.id, plan_sha256=plan.sha256, cohort_seed=cohort_seed, orgs=pool, entries=tuple(entries)
    )
    return parse_roster(roster.to_json(), f"{plan.id} (cohort seed {cohort_seed})")


# --- the roster document ----------------------------------------------------------------------------------------


def _semantic_problems(doc: Roster, src: str) -> list[Problem]:
    """What each field alone cannot tell: ids and seeds given twice, entries unlike the first, names."""
    problems: list[Problem] = []

    def add(field: str, expected: str, came: str, **params: Any) -> None:
        problems.append(Problem(src, field, expected, came, params))

    ids: dict[str, str] = {}
    seeds: dict[int, str] = {}
    shape = [(c.component, c.case) for c in doc.entries[0].components]
    shown = ", ".join(map(":".join, shape))
    for n, e in enumerate(doc.entries):
        where, key, mine = f"entries[{n}]", e.candidate_id.casefold(), [(c.component, c.case) for c in e.components]
        if key in ids:
            add(f"{where}.candidate_id", "roster.expect_unique_candidate", e.candidate_id, first=ids[key])
        ids.setdefault(key, where)
        if _bad_name(e.name):
            add(f"{where}.name", "roster.expect_name", got(e.name), max=_MAX_NAME)
        if mine != shape or len({c for c, _ in mine}) < len(mine) or len({k for _, k in mine}) < len(mine):
            add(f"{where}.components", "roster.expect_components", ", ".join(map(":".join, mine)), components=shown)
        for k, c in enumerate(e.components):
            if c.seed in seeds:
                add(f"{where}.components[{k}].seed", "roster.expect_unique_seed", str(c.seed), first=seeds[c.seed])
            seeds.setdefault(c.seed, f"{where}.components[{k}].seed")
    return problems


def parse_roster(data: Any, source: str) -> Roster:
    """Validate a decoded roster document; :class:`RosterError` lists every problem."""
    if not isinstance(data, dict):
        raise RosterError([Problem(source, "", "expect.top_mapping", type(data).__name__)])
    schema, version, problems = data.get("schema"), data.get("schema_version"), []
    if schema != ROSTER_SCHEMA:
        problems.append(Problem(source, "schema", "roster.expect_schema", got(schema), {"schema": ROSTER_SCHEMA}))
    if isinstance(version, bool) or version != SCHEMA_VERSION:
        wanted = {"version": SCHEMA_VERSION}
        problems.append(Problem(source, "schema_version", "expect.schema_version", got(version), wanted))
    if problems:  # another version's fields would only give misleading problems
        raise RosterError(problems)
    try:
        doc = Roster.model_validate(data)
    except ValidationError as exc:
        raise RosterError(pydantic_problems(source, exc, Roster)) from None
    problems = _semantic_problems(doc, source)
    if problems:
        raise RosterError(problems)
    return doc


def dumps_roster(roster: Roster) -> str:
    """The roster as canonical JSON text (sorted keys, a final newline): the same roster, the same bytes."""
    return dumps_strict(roster.to_json())


def load_roster(path: str | os.PathLike[str]) -> Roster:
    """The roster in the file at ``path``: strict JSON of at most :data:`MAX_ROSTER_BYTES`, every field checked."""
    data = loads_strict(read_capped(path, MAX_ROSTER_BYTES, RosterError), str(path), RosterError)
    return parse_roster(data, str(path))


def save_roster(roster: Roster, path: str | os.PathLike[str]) -> Path:
    """Check ``roster`` as :func:`load_roster` would, then write it atomically to ``path`` (its folder must exist:
    :class:`~casekit.errors.WriteError` otherwise)."""
    text = dumps_roster(roster)
    parse_roster(loads_strict(text, str(path), RosterError), str(path))
    write_atomic(path, text.encode("utf-8"))
    return Path(path)
