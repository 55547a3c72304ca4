"""Answer documents: what a candidate produces, as versioned, validated JSON (DESIGN decision 1).

Every document shares a header (``schema_version``, ``case``, ``candidate_id``, ``org``, ``seed``, ``lang``) and a
case-specific body; each case registers its pydantic model here. Grading reads only this document; it never runs a
candidate's code. A document is validated on save and on load; problems name the file, the field, what was expected
and what came, all at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from casekit.atomic import write_atomic
from casekit.errors import AnswerError, Problem
from casekit.validation import got, pydantic_problems

__all__ = [
    "ANSWER_SCHEMA",
    "SAFE_ID",
    "AnswerDocument",
    "answer_models",
    "document_sha256",
    "dumps_answer",
    "load_answer",
    "parse_answer",
    "register_case",
    "save_answer",
]

ANSWER_SCHEMA = "casekit-answer"
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class AnswerDocument(BaseModel):
    """The header every case's answer model extends."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_: str = Field(default=ANSWER_SCHEMA, alias="schema")
    schema_version: int = 1
    case: str
    candidate_id: str
    org: str = Field(min_length=1, max_length=200)
    seed: int = Field(ge=0)
    lang: str = "zh-TW"

    @field_validator("candidate_id")
    @classmethod
    def _safe_id(cls, value: str) -> str:
        # the id names files and folders in a batch: no path separators, no '..', nothing a shell would expand
        if not SAFE_ID.match(value) or ".." in value:
            raise PydanticCustomError("casekit_safe_id", "unsafe candidate id")
        return value

    @field_validator("lang")
    @classmethod
    def _lang(cls, value: str) -> str:
        if value not in ("zh-TW", "en"):
            raise PydanticCustomError("casekit_lang", "unsupported language")
        return value


_Model = TypeVar("_Model", bound=type[AnswerDocument])
_MODELS: dict[tuple[str, int], type[AnswerDocument]] = {}


def register_case(case: str, version: int) -> Callable[[_Model], _Model]:
    """Class decorator: the answer model of ``case`` at schema ``version``."""

    def decorate(model: _Model) -> _Model:
        _MODELS[(case, version)] = model
        return model

    return decorate


def answer_models() -> dict[tuple[str, int], type[AnswerDocument]]:
    _load_builtin_cases()
    return dict(_MODELS)


def _load_builtin_cases() -> None:
    # the case modules register their models on import; imported here so that loading any answer finds them
    import casekit.cases.t4_incentives.answer  # noqa: F401


def parse_answer(data: Any, source: str) -> AnswerDocument:
    """Validate a decoded JSON document into its case's answer model."""
    _load_builtin_cases()
    if not isinstance(data, dict):
        raise AnswerError([Problem(source, "", "expect.top_mapping", type(data).__name__)])
    problems = []
    if data.get("schema") != ANSWER_SCHEMA:
        problems.append(
            Problem(source, "schema", "expect.answer_schema", got(data.get("schema")), {"schema": ANSWER_SCHEMA})
        )
    case, version = data.get("case"), data.get("schema_version")
    cases = sorted({c for c, _ in _MODELS})
    if case not in cases:
        problems.append(Problem(source, "case", "expect.one_of", got(case), {"expected": ", ".join(cases)}))
    elif (case, version) not in _MODELS:
        versions = sorted(v for c, v in _MODELS if c == case)
        problems.append(
            Problem(
                source,
                "schema_version",
                "expect.answer_version",
                got(version),
                {"versions": ", ".join(map(str, versions)), "case": case},
            )
        )
    if problems:
        raise AnswerError(problems)
    model = _MODELS[(str(case), int(version))]  # type: ignore[arg-type]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise AnswerError(pydantic_problems(source, exc, model)) from None


def dumps_answer(doc: AnswerDocument) -> str:
    """Canonical JSON: stable key order, UTF-8 text kept readable."""
    payload = doc.model_dump(mode="json", by_alias=True)
    return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def document_sha256(doc: AnswerDocument) -> str:
    return hashlib.sha256(dumps_answer(doc).encode("utf-8")).hexdigest()


def load_answer(path: str | os.PathLike[str]) -> AnswerDocument:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise AnswerError([Problem(str(p), "", "expect.file_exists")]) from None
    except (IsADirectoryError, PermissionError) as exc:
        raise AnswerError([Problem(str(p), "", "expect.readable", type(exc).__name__)]) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise AnswerError([Problem(str(p), "", "expect.readable", "not UTF-8")]) from None
    except json.JSONDecodeError as exc:
        raise AnswerError([Problem(str(p), f"line {exc.lineno}, column {exc.colno}", "expect.json", exc.msg)]) from None
    return parse_answer(data, str(p))


def save_answer(doc: AnswerDocument, path: str | os.PathLike[str]) -> Path:
    """Validate ``doc`` again (a model can be built around validation) and write it atomically."""
    text = dumps_answer(doc)
    parse_answer(json.loads(text), str(path))
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(p, text.encode("utf-8"))
    return p
