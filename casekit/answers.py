"""Answer documents: what a candidate produces, as versioned, validated JSON (DESIGN decision 1).

Every document shares a header (``schema``, ``schema_version``, ``case``, ``candidate_id``, ``org``, ``seed``,
``lang``) and a body of its own case kind. This module knows the header and how to read, upgrade, validate and write
any document; it imports no case. Each case kind describes its documents with an :class:`AnswerSchema` (its model
for each schema version it reads, and the upgrade from each old version to the next); whoever loads a document
passes the schemas it knows (the case registry does: :meth:`casekit.registry.CaseRegistry.load_answer`).

Grading reads only this document; it never runs a candidate's code. A document is validated on save and on load;
problems name the file, the field, what was expected and what came, all at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from casekit.atomic import write_atomic
from casekit.errors import AnswerError, Problem, UsageError, WriteError
from casekit.i18n import t
from casekit.jsonio import dumps_strict, loads_strict, read_capped
from casekit.limits import MAX_ANSWER_BYTES, MAX_SEED
from casekit.validation import ORG_NAME, got, pydantic_problems

__all__ = [
    "ANSWER_MIME",
    "ANSWER_SCHEMA",
    "DECLARATION_STATEMENT",
    "HEADER_FIELDS",
    "SAFE_ID",
    "AnswerDocument",
    "AnswerSchema",
    "Declaration",
    "DeclaredAnswer",
    "Upgrade",
    "body_sha256",
    "document_sha256",
    "dumps_answer",
    "is_safe_id",
    "load_answer",
    "parse_answer",
    "read_answer_json",
    "repeated",
    "save_answer",
]


def repeated(items: Iterable[tuple[str, ...]]) -> str:
    """The items given more than once, each as ``a/b``, sorted and comma-joined ("" when none is): what an
    ``expect.unique_items`` problem names."""
    seen: set[tuple[str, ...]] = set()
    twice: set[tuple[str, ...]] = set()
    for item in items:
        (twice if item in seen else seen).add(item)
    return ", ".join("/".join(x) for x in sorted(twice))


ANSWER_SCHEMA = "casekit-answer"

#: The MIME type of an answer document shown as a notebook output (what a candidate's save leaves in the notebook).
ANSWER_MIME = "application/vnd.casekit.answer+json"
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def is_safe_id(value: str) -> bool:
    """Whether ``value`` may be a candidate id: :data:`SAFE_ID` and no ``..`` (the id names files and folders in a
    batch: no path separators, no '..', nothing a shell would expand)."""
    return SAFE_ID.fullmatch(value) is not None and ".." not in value


#: The fields of the header (and the declaration): what :func:`body_sha256` leaves out.
HEADER_FIELDS = ("schema", "schema_version", "case", "candidate_id", "org", "seed", "lang", "declaration")
#: The id of the authenticity declaration's text (catalog ``declaration.own_work_1``): a document records
#: which text its candidate agreed to, so a later rewording never changes what an old document declared.
DECLARATION_STATEMENT = "own_work/1"


Upgrade = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns a document of schema version ``v`` (a plain mapping) into one of version ``v + 1``."""


class AnswerDocument(BaseModel):
    """The header every case kind's answer model extends."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    schema_: str = Field(default=ANSWER_SCHEMA, alias="schema")
    schema_version: int = 1
    case: str
    candidate_id: str
    org: str
    seed: int = Field(ge=0, le=MAX_SEED)
    lang: str = "zh-TW"

    @field_validator("candidate_id")
    @classmethod
    def _safe_id(cls, value: str) -> str:
        if not is_safe_id(value):
            raise PydanticCustomError("casekit_safe_id", "unsafe candidate id")
        return value

    @field_validator("org")
    @classmethod
    def _org_name(cls, value: str) -> str:
        # the grader regenerates the world from this name: a path would let an answer choose its own world
        if not ORG_NAME.fullmatch(value):
            raise PydanticCustomError("casekit_org_name", "an organisation name")
        return value

    @field_validator("lang")
    @classmethod
    def _lang(cls, value: str) -> str:
        if value not in ("zh-TW", "en"):
            raise PydanticCustomError("casekit_lang", "unsupported language")
        return value

    def rule_problems(self, source: str) -> list[Problem]:
        """Problems across fields that each field's own validation cannot see (a kind's rules, e.g. weights that
        sum to 1); checked on load and on save, after the fields are valid. None here; a kind overrides it."""
        return []


class Declaration(BaseModel):
    """The candidate's declaration that the answer is their own work (the authenticity rule of evidence): which
    text they agreed to, and when (UTC, ISO 8601)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    statement: str = DECLARATION_STATEMENT
    agreed: bool
    time: str = Field(max_length=40)

    @field_validator("statement")
    @classmethod
    def _known(cls, value: str) -> str:
        if value != DECLARATION_STATEMENT:
            raise PydanticCustomError("casekit_declaration", "a declaration casekit knows")
        return value

    @field_validator("agreed")
    @classmethod
    def _agreed(cls, value: bool) -> bool:
        if value is not True:  # a declaration not agreed to is no declaration: leave it out instead
            raise PydanticCustomError("casekit_declaration_agreed", "agreed: true")
        return value

    @field_validator("time")
    @classmethod
    def _time(cls, value: str) -> str:
        import datetime as dt

        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("casekit_time", "an ISO-8601 time") from None
        if moment.tzinfo is None:
            raise PydanticCustomError("casekit_time", "an ISO-8601 time") from None
        return value

    def text(self, lang: str | None = None) -> str:
        """The declaration's words in ``lang``."""
        return t("declaration.own_work_1", lang)


class DeclaredAnswer(AnswerDocument):
    """A header with the candidate's authenticity declaration (``None`` when they have not made it): the header of
    answer schemas from the version that introduced it (T4: schema version 2)."""

    declaration: Declaration | None = None


def body_sha256(doc: AnswerDocument) -> str:
    """The SHA-256 of a document's body: everything but the header and the declaration. Two candidates whose
    documents have the same body gave the same answer, whatever ids, worlds or languages their headers name."""
    data = json.loads(dumps_answer(doc))
    body = {k: v for k, v in data.items() if k not in HEADER_FIELDS}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AnswerSchema:
    """One case kind's answer documents: the model of each schema version it reads, and the upgrades between them.

    ``models`` holds at least the current (highest) version. An older version ``v`` is read when ``upgrades`` has a
    step from each of ``v, v+1, ...`` to the current version: the document is validated with ``models[v]`` when
    that model is kept (so its problems are told in its own terms), then upgraded step by step and validated with
    the current model. A version with no way up is refused with the versions that can be read.
    """

    case: str
    models: Mapping[int, type[AnswerDocument]]
    upgrades: Mapping[int, Upgrade] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.models:
            raise UsageError(t("cases.schema_no_model", None, case=self.case))
        strays = sorted(v for v in self.upgrades if v >= self.version)
        if strays:
            raise UsageError(t("cases.schema_stray_upgrade", None, case=self.case, versions=strays))

    @property
    def version(self) -> int:
        """The current schema version: what new documents are written in."""
        return max(self.models)

    @property
    def model(self) -> type[AnswerDocument]:
        """The current version's model."""
        return self.models[self.version]

    @property
    def versions(self) -> tuple[int, ...]:
        """Every schema version that can be read, oldest first."""
        readable = [self.version]
        v = self.version - 1
        while v in self.upgrades:
            readable.append(v)
            v -= 1
        return tuple(sorted(readable))

    def read(self, data: dict[str, Any], source: str) -> AnswerDocument:
        """Validate ``data`` (a document of one of :attr:`versions`), upgrading it to the current version."""
        version = data.get("schema_version")
        if not isinstance(version, int) or isinstance(version, bool) or version not in self.versions:
            versions = ", ".join(map(str, self.versions))
            params = {"versions": versions, "case": self.case}
            raise AnswerError([Problem(source, "schema_version", "expect.answer_version", got(version), params)])
        if version in self.models:
            doc = _validate(self.models[version], data, source)
            if version == self.version:
                return doc
            data = json.loads(dumps_answer(doc))
        for step in range(version, self.version):
            try:
                data = {**self.upgrades[step](dict(data)), "schema_version": step + 1}
            except Exception as exc:  # an old document the upgrade cannot read is a problem with the document
                steps: dict[str, Any] = {"version": step, "next": step + 1}
                came = f"{type(exc).__name__}: {exc}"
                raise AnswerError([Problem(source, "schema_version", "expect.upgradable", came, steps)]) from None
        return _validate(self.model, data, f"{source} (schema_version {version} -> {self.version})")


def _validate(model: type[AnswerDocument], data: Mapping[str, Any], source: str) -> AnswerDocument:
    try:
        # strict: "1001" is not a seed and true is not 1; a candidate's document says exactly what it means
        doc = model.model_validate(data, strict=True)
    except ValidationError as exc:
        raise AnswerError(pydantic_problems(source, exc, model)) from None
    problems = doc.rule_problems(source)
    if problems:
        raise AnswerError(problems)
    return doc


def parse_answer(data: Any, source: str, schemas: Mapping[str, AnswerSchema]) -> AnswerDocument:
    """Validate a decoded JSON document against the schema of its ``case`` (one of ``schemas``)."""
    if not isinstance(data, dict):
        raise AnswerError([Problem(source, "", "expect.top_mapping", type(data).__name__)])
    problems = []
    if data.get("schema") != ANSWER_SCHEMA:
        problems.append(
            Problem(source, "schema", "expect.answer_schema", got(data.get("schema")), {"schema": ANSWER_SCHEMA})
        )
    case = data.get("case")
    if not isinstance(case, str) or case not in schemas:
        problems.append(Problem(source, "case", "expect.one_of", got(case), {"expected": ", ".join(sorted(schemas))}))
    if problems:
        raise AnswerError(problems)
    return schemas[str(case)].read(data, source)


def dumps_answer(doc: AnswerDocument) -> str:
    """Canonical JSON: stable key order, UTF-8 text kept readable."""
    return dumps_strict(doc.model_dump(mode="json", by_alias=True))


def document_sha256(doc: AnswerDocument) -> str:
    return hashlib.sha256(dumps_answer(doc).encode("utf-8")).hexdigest()


def read_answer_json(path: str | os.PathLike[str], *, max_bytes: int = MAX_ANSWER_BYTES) -> Any:
    """The decoded JSON of the answer file at ``path``: a regular file of at most ``max_bytes``, strict JSON (no key
    twice, finite numbers, bounded nesting); :class:`AnswerError` naming the file otherwise."""
    return loads_strict(read_capped(path, max_bytes, AnswerError), str(path), AnswerError)


def load_answer(
    path: str | os.PathLike[str], schemas: Mapping[str, AnswerSchema], *, max_bytes: int = MAX_ANSWER_BYTES
) -> AnswerDocument:
    """Read and validate the answer file at ``path`` against ``schemas``."""
    return parse_answer(read_answer_json(path, max_bytes=max_bytes), str(path), schemas)


def save_answer(doc: AnswerDocument, path: str | os.PathLike[str]) -> Path:
    """Validate ``doc`` again (a model can be built around validation) and write it atomically."""
    text = dumps_answer(doc)
    _validate(type(doc), json.loads(text), str(path))
    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(str(p), exc.strerror or type(exc).__name__) from None
    write_atomic(p, text.encode("utf-8"))
    return p
