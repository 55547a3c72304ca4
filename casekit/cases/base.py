"""The lifecycle every case repeats, owned once: the world from organisation and seed, the answer document from
the case's state, saving it, and resuming a case from a saved document.

A case kind subclasses :class:`Case` and implements two methods: :meth:`Case._answer` (its state as its answer
model) and :meth:`Case._resume` (its state back from a document). Everything else (the header, validation with
every problem named, the atomic write) happens here, the same for every kind. A kind may also say what its rubric
looks for that the candidate has not done yet (:meth:`Case.checklist`, shown beside the save button).
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Generic, Self, TypeVar

from pydantic import BaseModel, ValidationError

from casekit.answers import AnswerDocument, Declaration, save_answer
from casekit.errors import AnswerError, CasekitError, Problem, UsageError
from casekit.i18n import normalise_lang, t
from casekit.scenario import World, world_for
from casekit.validation import pydantic_problems

__all__ = ["Case", "ChecklistItem", "Memo", "parse_part", "unknown_id"]

A = TypeVar("A", bound=AnswerDocument)
T = TypeVar("T")


@dataclass(frozen=True)
class ChecklistItem:
    """One thing the rubric will look for in the answer: the catalog key of its label, and whether it is done."""

    key: str
    done: bool


def parse_part(model: type[BaseModel], data: Any, source: str) -> Any:
    """``data`` validated as ``model`` (a model instance is taken as it is); AnswerError naming every problem, with
    ``source`` as the part of the answer it is for. How a case adopts one part of its answer."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise AnswerError(pydantic_problems(source, exc, model)) from None


def unknown_id(source: str, field: str, got: str, known: Collection[str], shown: int = 12) -> Problem:
    """The problem of an id the world does not have: ``field`` got ``got``, expected one of ``known`` (the first
    ``shown`` of them, sorted, then an ellipsis)."""
    listed = ", ".join(sorted(known)[:shown]) + (", ..." if len(known) > shown else "")
    return Problem(source, field, "expect.one_of", repr(got), {"expected": listed})


class Memo:
    """Figures by key, each computed once: what a case's widgets and its draft save ask for after every change.
    With ``size``, the least recently used are dropped beyond it (every plan a candidate tries leaves figures)."""

    def __init__(self, size: int | None = None) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        if key in self._values:
            self._values.move_to_end(key)
        else:
            self._values[key] = compute()
            while self.size is not None and len(self._values) > self.size:
                self._values.popitem(last=False)
        value: T = self._values[key]
        return value

    def clear(self) -> None:
        self._values.clear()

    def __len__(self) -> int:
        return len(self._values)


class Case(ABC, Generic[A]):
    """One candidate's case: organisation, seed, candidate, language, and the world they give.

    ``answer_model`` is the kind's current answer model (used to name the fields of a problem). The world is
    generated on first use, or given (tests and the demo share one world among several cases).
    """

    answer_model: ClassVar[type[AnswerDocument]]

    def __init__(
        self, org: str, seed: int, candidate_id: str, lang: str = "zh-TW", *, world: World | None = None
    ) -> None:
        self.org = org
        self.seed = seed
        self.candidate_id = candidate_id
        self.lang = normalise_lang(lang)
        self._world = world
        #: The candidate's authenticity declaration, when they have made it (:meth:`declare`).
        self.declaration: Declaration | None = None

    @property
    def world(self) -> World:
        """The simulated organisation this case is set in (regenerated from organisation and seed)."""
        if self._world is None:
            self._world = world_for(self.org, self.seed)
        return self._world

    def header(self) -> dict[str, Any]:
        """The fields every answer document starts with (and the declaration, when the kind's answers have one)."""
        header: dict[str, Any] = {"candidate_id": self.candidate_id, "org": self.org, "seed": self.seed}
        header["lang"] = self.lang
        if "declaration" in self.answer_model.model_fields:
            header["declaration"] = self.declaration
        return header

    def declare(self, agreed: bool, time: str | None = None) -> None:
        """Record (``agreed``) or withdraw the candidate's declaration that the answer is their own work, at
        ``time`` (now, UTC, by default)."""
        import datetime as dt

        if not agreed:
            self.declaration = None
            return
        stamp = time or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        self.declaration = Declaration(agreed=True, time=stamp)

    def to_answer(self, source: str = "answer") -> A:
        """The answer document; raises AnswerError naming every problem (``source`` names it in messages)."""
        try:
            return self._answer(self.header())
        except ValidationError as exc:
            raise AnswerError(pydantic_problems(source, exc, self.answer_model)) from None

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Validate the answer document and write it atomically to ``path``."""
        return save_answer(self.to_answer(str(path)), path)

    @classmethod
    def from_answer(cls, doc: A, *, world: World | None = None) -> Self:
        """Resume a saved case from its answer document."""
        case = cls(doc.org, doc.seed, doc.candidate_id, doc.lang, world=world)
        case.declaration = getattr(doc, "declaration", None)
        case._resume(doc)
        return case

    def checklist(self) -> list[ChecklistItem]:
        """What the rubric will look for, in the order the candidate works, each done or still to do: a guide
        shown while saving, never a grade. By default: an answer document that can be saved, and the declaration
        when the kind's answers carry one; a kind names its own parts instead."""
        try:
            self.to_answer()
        except CasekitError:
            complete = False
        else:
            complete = True
        items = [ChecklistItem("candidate.check_complete", complete)]
        if "declaration" in self.answer_model.model_fields:
            items.append(ChecklistItem("candidate.check_declared", self.declaration is not None))
        return items

    def require(self, value: T | None, message_key: str) -> T:
        """``value``, or a :class:`UsageError` with the message ``message_key`` when it is still ``None``."""
        if value is None:
            raise UsageError(t(message_key, self.lang))
        return value

    # --- what a kind implements ----------------------------------------------------------------------------

    @abstractmethod
    def _answer(self, header: dict[str, Any]) -> A:
        """The answer model built from ``header`` and the case's own state (pydantic validates it)."""

    @abstractmethod
    def _resume(self, doc: A) -> None:
        """Take the case's own state back from a saved document."""
