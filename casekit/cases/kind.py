"""A case kind, declared in one value: everything casekit needs to offer, grade and show one kind of case.

A kind (T1..T5 for the unit's work tasks, later Q for questioning and R for third-party reports) declares its id,
the unit task and elements it evidences, its answer documents (models by schema version, with upgrades), its
automatic checks, the grading context its checks read, its evidence sections (and, optionally, how its checks'
evidence reads in plain language), its simulated candidates, its packaged rubric(s), its candidate notebook and
its widget app. The case registry (:mod:`casekit.registry`) holds the kinds; nothing else needs to know a kind
exists.

The widget app is named as ``"module:Class"`` and resolved by the widgets package when a candidate opens the case:
a kind's declaration is domain code and must not import ipywidgets. A plug-in kind brings its own messages in
``locales`` (``<lang>/<domain>.json``, as casekit's own), added to the catalogs when the kind is declared.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, Protocol

from casekit.answers import AnswerDocument, AnswerSchema, dumps_answer, load_answer
from casekit.cases.base import Case
from casekit.cases.sections import Section
from casekit.errors import AnswerError, Problem, RubricError, UsageError
from casekit.i18n import add_locales, catalog, t
from casekit.rubric import CheckContext, CheckRegistry, Rubric, load_rubric
from casekit.scenario import World
from casekit.standard import load_standard

__all__ = ["KIND_ID", "CaseKind", "ContextFactory", "Opened", "ProfileBuilder", "Profiles"]

#: A kind's id: a capital letter, then capitals or digits (T4, Q, R1).
KIND_ID: Final = re.compile(r"^[A-Z][A-Z0-9]{0,9}$")
_APP_REF: Final = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")

ContextFactory = Callable[[Mapping[str, Any], World], CheckContext]
"""``context(answer_document, world) -> CheckContext``: what the kind's checks read (with a cache they share)."""


class ProfileBuilder(Protocol):
    """Works the case as the simulated candidate ``profile`` would and returns it, ready to save."""

    def __call__(
        self, profile: str, org: str, seed: int, candidate_id: str, lang: str = ..., *, world: World | None = ...
    ) -> Case[Any]: ...


@dataclass(frozen=True)
class Profiles:
    """Simulated candidates of known quality: the demo's cohort and the rubric's test fixtures.

    ``flaw_targets`` maps each profile to the automatic criteria its one flaw makes not yet met (none for a strong
    candidate); ``build`` works the case as the profile would, through the same case API as the widgets;
    ``assessor_view`` maps a profile to the assessor-judged criteria a careful assessor would find not yet met in
    its answer (the demo's simulated assessor marks the rest met).
    """

    flaw_targets: Mapping[str, frozenset[str]]
    build: ProfileBuilder
    assessor_view: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.flaw_targets)

    def case(
        self, profile: str, org: str, seed: int, candidate_id: str, lang: str = "zh-TW", *, world: World | None = None
    ) -> Case[Any]:
        """The case worked by ``profile``; :class:`UsageError` naming the profiles for an unknown one."""
        if profile not in self.flaw_targets:
            raise UsageError(t("cases.unknown_profile", lang, profile=profile, profiles=", ".join(self.names)))
        return self.build(profile, org, seed, candidate_id, lang, world=world)


@dataclass(frozen=True)
class Opened:
    """A case opened for a candidate: ``resumed`` from their saved answer, ``new``, or new because the file at
    the answer path is ``invalid`` (``problems`` says why) or is the answer of ``other`` organisation, seed or
    candidate (``found`` is its header). A file that is not resumed is left alone; saving replaces it."""

    case: Case[Any]
    status: Literal["new", "resumed", "invalid", "other"]
    problems: AnswerError | None = None
    found: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseKind:
    """One kind of case, as the registry holds it. Problems with the declaration are all reported at once."""

    id: str
    title_key: str
    task: str | None
    elements: tuple[str, ...]
    answers: AnswerSchema
    case: type[Case[Any]]
    checks: CheckRegistry = field(repr=False)
    context: ContextFactory = field(repr=False)
    sections: tuple[Section, ...] = field(repr=False)
    rubrics: tuple[Path, ...]
    profiles: Profiles | None = field(default=None, repr=False)
    notebook: Path | None = None
    app: str | None = None
    locales: Path | None = None
    evidence_text: Callable[[str, Mapping[str, Any], str], str | None] | None = field(default=None, repr=False)
    """How the kind's checks' evidence reads on the evidence page: ``evidence_text(check, evidence, lang)`` gets
    the name of the check that judged a criterion (the criterion's id when no check did), the evidence it recorded
    and the language, and returns safe HTML in plain language (every value it shows escaped: KPI and role names
    from the catalogs, money, shares and counts formatted, no ids or raw data), or None to leave that evidence
    to the generic text (a ``label: value`` list). None here: the generic text for every check. The evidence
    itself is data and stays as the check recorded it in the result."""

    def __post_init__(self) -> None:
        if self.locales is not None:
            add_locales(self.locales)  # first, so that the kind's own messages can name its problems
        problems = self._problems()
        if problems:
            raise UsageError("\n".join(p.render() for p in problems))

    def _problems(self) -> list[Problem]:
        where = f"case kind {self.id!r}"
        problems: list[Problem] = []
        if not isinstance(self.id, str) or not KIND_ID.match(self.id):
            problems.append(Problem(where, "id", "expect.kind_id", repr(self.id)))
        if self.answers.case != self.id:
            problems.append(
                Problem(where, "answers.case", "expect.one_of", repr(self.answers.case), {"expected": self.id})
            )
        declared = self.answers.model.model_fields["case"].default
        if declared != self.id:
            problems.append(
                Problem(where, "answers.model.case", "expect.one_of", repr(declared), {"expected": self.id})
            )
        unit = load_standard()
        unknown = [e for e in (*([self.task] if self.task else []), *self.elements) if e not in unit]
        if unknown:
            problems.append(Problem(where, "elements", "expect.element_ref", ", ".join(unknown)))
        if not self.rubrics:
            problems.append(Problem(where, "rubrics", "expect.too_short", "()", {"min_length": 1}))
        for name, path in [*(("rubrics", r) for r in self.rubrics), ("notebook", self.notebook)]:
            if path is not None and not Path(path).is_file():
                problems.append(Problem(where, name, "expect.file_exists", str(path)))
        if self.locales is not None and not Path(self.locales).is_dir():
            problems.append(Problem(where, "locales", "expect.folder_exists", str(self.locales)))
        missing = [k for k in (self.title_key, *(s.title_key for s in self.sections)) if k not in catalog("en")]
        if missing:
            problems.append(Problem(where, "title_key", "expect.message_key", ", ".join(missing)))
        if self.app is not None and not _APP_REF.match(self.app):
            problems.append(Problem(where, "app", "expect.app_ref", repr(self.app)))
        ids = [s.id for s in self.sections]
        if len(set(ids)) != len(ids):
            problems.append(Problem(where, "sections", "expect.unique_section", ", ".join(ids)))
        return problems

    def title(self, lang: str | None = None) -> str:
        return t(self.title_key, lang)

    @property
    def rubric(self) -> Path:
        """The kind's default rubric (the first packaged one)."""
        return self.rubrics[0]

    def load_rubric(self, path: str | os.PathLike[str] | None = None) -> Rubric:
        """The rubric at ``path`` (default: the packaged one), validated against this kind's checks; a rubric of
        another case is refused."""
        source = Path(path) if path is not None else self.rubric
        rubric = load_rubric(source, registry=self.checks)
        if rubric.case != self.id:
            raise RubricError([Problem(str(source), "case", "expect.rubric_case", rubric.case, {"case": self.id})])
        return rubric

    def open(
        self,
        org: str,
        seed: int,
        candidate_id: str,
        lang: str,
        answer_path: str | os.PathLike[str],
        *,
        world: World | None = None,
    ) -> Opened:
        """The candidate's case: resumed from ``answer_path`` when it holds a valid answer of this kind for the same
        organisation, seed and candidate; else a new case, with the reason it is not resumed."""
        path = Path(answer_path)
        if path.exists():
            try:
                doc = load_answer(path, {self.id: self.answers})
            except AnswerError as exc:
                return Opened(self.case(org, seed, candidate_id, lang, world=world), "invalid", problems=exc)
            if (doc.org, doc.seed, doc.candidate_id) == (org, seed, candidate_id):
                case = self.case.from_answer(doc, world=world)
                case.lang = lang
                return Opened(case, "resumed")
            found = {"org": doc.org, "seed": doc.seed, "candidate": doc.candidate_id}
            return Opened(self.case(org, seed, candidate_id, lang, world=world), "other", found=found)
        return Opened(self.case(org, seed, candidate_id, lang, world=world), "new")

    def grading_context(self, answer: AnswerDocument, world: World) -> CheckContext:
        """What this kind's checks read for ``answer``: its document as plain JSON data, and its world."""
        return self.context(json.loads(dumps_answer(answer)), world)
