"""One exception hierarchy for casekit.

Every error a user can cause is a :class:`CasekitError`; specific errors also subclass the matching builtin so
callers that only know Python's exceptions still catch them. Every exception survives pickling, because a batch
crosses process boundaries.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from casekit.i18n import get_lang, t

__all__ = [
    "AnswerError",
    "CasekitError",
    "EvidenceError",
    "ExecutionError",
    "GradebookError",
    "NotFoundError",
    "PlanError",
    "Problem",
    "ProblemCollector",
    "RosterError",
    "RubricError",
    "ScenarioError",
    "SpecError",
    "StandardDataError",
    "UsageError",
    "WriteError",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where, what was expected, what came.

    ``expected`` is a catalog key (``expect.*``) with ``params`` for its placeholders, so the same problem can be
    told in either language.
    """

    file: str
    field: str
    expected: str
    got: str = ""
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def render(self, lang: str | None = None) -> str:
        expected = t(self.expected, lang, **self.params)
        where = f"{self.file}: {self.field}" if self.field else self.file
        if self.got:
            return t("error.problem_got", lang, where=where, expected=expected, got=self.got)
        return t("error.problem", lang, where=where, expected=expected)


class ProblemCollector:
    """Every problem with one call's arguments, gathered and then raised together as one :class:`UsageError`
    (``where`` names the call). A numpy scalar that came is shown as the number it is, not as ``np.int64(-3)``."""

    def __init__(self, where: str) -> None:
        self.where, self.items = where, list[Problem]()

    def need(self, ok: bool, name: str, expected: str, got: Any, **params: Any) -> None:
        """Record a problem with argument ``name`` unless ``ok``: ``expected`` is an ``expect.*``-style key."""
        if not ok:
            value = got.item() if type(got).__module__ == "numpy" and hasattr(got, "item") else got
            self.items.append(Problem(self.where, name, expected, repr(value), params))

    def raise_any(self) -> None:
        if self.items:
            raise UsageError("\n".join(p.render() for p in self.items))


class CasekitError(Exception):
    """Base class of every error casekit raises on purpose."""

    def render(self, lang: str | None = None) -> str:
        return str(self)


class UsageError(CasekitError, ValueError):
    """The command line or an API call was used wrongly."""


class _MessageError(CasekitError):
    """An error told by one message already in the user's language (it pickles with its message)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message,))


class NotFoundError(_MessageError, FileNotFoundError):
    """A named organisation, file or resource does not exist."""


class GradebookError(_MessageError):
    """The gradebook file cannot be used: not a casekit gradebook, or a schema version this casekit cannot read."""


class ExecutionError(_MessageError, RuntimeError):
    """One or more notebooks of a batch failed; ``keys`` names them. The batch itself went on to the end."""

    def __init__(self, message: str, keys: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.keys = tuple(keys)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.keys))


class EvidenceError(_MessageError, RuntimeError):
    """An evidence section could not be rendered (a fault in casekit or a plug-in, not in the submission); the
    other sections were still shown."""


class WriteError(CasekitError, OSError):
    """A file could not be written: which, and why (a full disk, no permission, a folder where a file goes)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, reason)
        self.path, self.reason = path, reason

    def render(self, lang: str | None = None) -> str:
        return t("error.write", lang, path=self.path, reason=self.reason)

    def __str__(self) -> str:
        return self.render(get_lang())

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.reason))


class SpecError(CasekitError, ValueError):
    """An input file (scenario spec, package data) has one or more problems; all are reported together."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__(self.problems)

    def render(self, lang: str | None = None) -> str:
        return "\n".join(p.render(lang) for p in self.problems)

    def __str__(self) -> str:
        return self.render(get_lang())

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.problems,))


class ScenarioError(SpecError):
    """A scenario (organisation) spec is malformed."""


class StandardDataError(SpecError):
    """The packaged competency-unit data is malformed (a packaging bug, not a user error)."""


class PlanError(SpecError):
    """An assessment plan is malformed: every problem (syntax, unit elements, unknown kinds, rubrics) together."""


class RosterError(SpecError):
    """A candidates file or a roster is malformed: every problem (bad or repeated ids, unknown organisations, fields
    of the roster document) together."""


class RubricError(SpecError):
    """A rubric file is malformed: every problem (syntax, types, unknown unit elements or checks) together."""


class AnswerError(SpecError):
    """An answer document is malformed: bad JSON, wrong schema version, or invalid fields (all at once)."""
