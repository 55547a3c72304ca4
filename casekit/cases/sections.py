"""Evidence sections: what a case kind shows of a graded submission, as static HTML.

A section is a plain function of the graded submission and a language that returns HTML, so tests call it without
a kernel and the one grading notebook shows every kind's sections in the order the kind declares them. A section
reads the graded submission through the :class:`Graded` protocol (which the grading package's ``GradedCase``
meets), so case kinds need not import grading.

Every value that came from a candidate goes through :func:`casekit.html.esc`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from casekit.answers import AnswerDocument
from casekit.html import esc
from casekit.i18n import t
from casekit.rubric import CaseResult, CheckContext, Decision, Rubric
from casekit.scenario import World

__all__ = ["Graded", "Section", "SectionRender", "answer_of", "free_text_section"]

A = TypeVar("A", bound=AnswerDocument)


class Graded(Protocol):
    """A graded submission as an evidence section sees it."""

    @property
    def answer(self) -> AnswerDocument: ...
    @property
    def world(self) -> World: ...
    @property
    def rubric(self) -> Rubric: ...
    @property
    def result(self) -> CaseResult: ...
    @property
    def decision(self) -> Decision: ...
    @property
    def sha256(self) -> str: ...
    @property
    def context(self) -> CheckContext: ...
    @property
    def cache(self) -> Mapping[str, Any]: ...


SectionRender = Callable[[Graded, str], str]
"""``render(graded, lang) -> HTML``."""


@dataclass(frozen=True)
class Section:
    """One part of a kind's evidence: an id, the catalog key of its heading, and the function that renders it."""

    id: str
    title_key: str
    render: SectionRender

    def title(self, lang: str | None = None) -> str:
        return t(self.title_key, lang)


def answer_of(graded: Graded, model: type[A]) -> A:
    """The graded answer as the kind's own model (a section of one kind given another's answer is a bug)."""
    answer = graded.answer
    if not isinstance(answer, model):
        raise TypeError(t("evidence.wrong_answer", None, expected=model.__name__, got=type(answer).__name__))
    return answer


def free_text_section(section_id: str, title_key: str, fields: Sequence[tuple[str, str]]) -> Section:
    """A section showing the answer's free-text ``fields`` (attribute, catalog key of its heading), each escaped,
    line breaks kept; an empty text says so."""

    def render(graded: Graded, lang: str) -> str:
        parts = []
        for attr, heading in fields:
            text = getattr(graded.answer, attr, "") or t("evidence.empty_text", lang)
            body = esc(text).replace("\n", "<br>")
            parts.append(f'<h4>{esc(t(heading, lang))}</h4><blockquote class="ck-text">{body}</blockquote>')
        return "".join(parts)

    return Section(section_id, title_key, render)
