"""Saving: validate the answer document and write it; the document also goes out as a custom MIME output, so a
notebook saved with its widget state carries the answer too.

Beside the save button: a checklist of what the rubric will look for that is still to do (:meth:`Case.checklist`),
and the draft. Work is kept as a draft (:func:`draft_path`: ``<answer>.draft``, beside the answer, written
atomically) whenever the answer document it would save changes, so a reload loses nothing; the app offers to resume
it. A draft is not the answer: its name does not end in ``.json``, so ``casekit grade`` sets it aside, and a save
removes it (the answer then holds everything it held).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from casekit.answers import ANSWER_MIME, AnswerDocument, AnswerSchema, dumps_answer, load_answer, save_answer
from casekit.cases.base import Case
from casekit.cases.kind import CaseKind, Opened
from casekit.errors import AnswerError, CasekitError
from casekit.html import esc
from casekit.i18n import t
from casekit.scenario import World
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html

__all__ = [
    "ANSWER_MIME",
    "DRAFT_SUFFIX",
    "DraftOffer",
    "Drafts",
    "SavePanel",
    "answer_output",
    "checklist_html",
    "draft_path",
    "offered_draft",
]

#: What a draft's name adds to its answer's: not ``.json``, so a folder of answers graded never takes a draft in.
DRAFT_SUFFIX = ".draft"
_MARKS = {True: ("\u2713", "#1a7f37"), False: ("\u2610", "#9a6700")}


def draft_path(answer_path: str | Path) -> Path:
    """Where the draft of the answer at ``answer_path`` is kept: beside it, its name followed by ``.draft``."""
    path = Path(answer_path)
    return path.with_name(path.name + DRAFT_SUFFIX)


class Drafts:
    """The draft of one case's answer: :meth:`keep` writes the answer document the case would save now to
    :func:`draft_path` when it differs from the last one kept (or from what the case opened with); nothing while
    the document cannot be built yet."""

    def __init__(self, case: Case[Any], answer_path: str | Path) -> None:
        self.case = case
        self.path = draft_path(answer_path)
        self.kept_at = ""
        self._last = self.text()

    def _document(self) -> AnswerDocument | None:
        try:
            doc: AnswerDocument = self.case.to_answer(str(self.path))
            return doc
        except CasekitError:
            return None

    def text(self) -> str | None:
        """The answer document the case would save now, as canonical JSON; ``None`` while it has problems."""
        doc = self._document()
        return None if doc is None else dumps_answer(doc)

    def keep(self) -> bool:
        """Write the draft when the answer document changed; whether it was written."""
        doc = self._document()
        text = None if doc is None else dumps_answer(doc)
        if doc is None or text == self._last:
            return False
        save_answer(doc, self.path)
        self._last, self.kept_at = text, time.strftime("%H:%M:%S")
        return True

    def saved(self, text: str) -> None:
        """The answer was saved as ``text``: the draft has nothing the answer lacks, so it goes."""
        self._last, self.kept_at = text, ""
        self.discard()

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def checklist_html(case: Case[Any], lang: str) -> str:
    """The case's checklist: each thing the rubric looks for, ticked when done, the rest marked still to do."""
    items = case.checklist()
    rows = []
    for item in items:
        mark, colour = _MARKS[item.done]
        state = "" if item.done else f" \u2014 {t('candidate.checklist_todo', lang)}"
        rows.append(f'<li style="color:{colour}">{mark} {esc(t(item.key, lang))}{esc(state)}</li>')
    head = t("candidate.checklist_heading", lang)
    foot = message_html(t("candidate.checklist_all_done", lang), "ok") if all(i.done for i in items) else ""
    return (
        f'<div class="ck-checklist"><p><strong>{esc(head)}</strong></p>'
        f'<ul style="list-style:none;padding-left:4px">{"".join(rows)}</ul>{foot}</div>'
    )


def answer_output(doc: dict[str, Any]) -> dict[str, Any]:
    """A display_data output holding the answer document (and a line of text for front ends without a renderer)."""
    summary = f"casekit answer {doc.get('case')} {doc.get('candidate_id')} ({doc.get('org')}, seed {doc.get('seed')})"
    return {"output_type": "display_data", "data": {ANSWER_MIME: doc, "text/plain": summary}, "metadata": {}}


class SavePanel(Panel):
    """A button that saves ``case`` to ``answer_path`` (``case.save``: validated, written atomically) and shows the
    path, or every problem; above it the checklist, below it where the draft is kept. :meth:`changed` (the app
    calls it after every change) refreshes the checklist and keeps the draft."""

    def __init__(self, case: Case[Any], answer_path: str | Path, lang: str) -> None:
        self.case = case
        self.lang = lang
        self.answer_path = Path(answer_path)
        self.saved: Path | None = None
        self.save_button = widgets.Button(
            description=t("widgets.save", lang), button_style="success", layout=widgets.Layout(width="auto")
        )
        self.when_clicked(self.save_button, self.save)
        self.status = widgets.HTML(message_html(t("widgets.save_hint", lang, path=str(self.answer_path))))
        self.output = widgets.Output()
        #: The authenticity declaration (kinds whose answers carry one): the candidate ticks it to declare.
        self.declared = widgets.Checkbox(
            value=case.declaration is not None, description=t("widgets.declare", lang), indent=False
        )
        self.when_changed(self.declared, self._declare)
        self.drafts = Drafts(case, self.answer_path)
        self.checklist = widgets.HTML(checklist_html(case, lang))
        self.draft_status = widgets.HTML()
        declaring = "declaration" in case.answer_model.model_fields
        statement = widgets.HTML(f"<p class='ck-declaration'>{esc(t('declaration.own_work_1', lang))}</p>")
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<h3>{esc(t('widgets.save_heading', lang))}</h3>"),
                self.checklist,
                *((statement, self.declared) if declaring else ()),
                self.save_button,
                self.status,
                self.draft_status,
                self.alert,
                self.output,
            ]
        )

    def _declare(self) -> None:
        """The declaration as ticked, made (or withdrawn) at once; a declaration already made keeps its time."""
        if not self.declared.value:
            self.case.declare(False)
        elif self.case.declaration is None:
            self.case.declare(True)

    def changed(self) -> None:
        """Something in the case may have changed: the checklist again, and the draft kept when the answer did."""
        self.checklist.value = checklist_html(self.case, self.lang)
        if self.drafts.keep():
            where = {"path": str(self.drafts.path), "time": self.drafts.kept_at}
            self.draft_status.value = message_html(t("candidate.draft_kept", self.lang, **where))

    def save(self) -> Path | None:
        """Save the case (with the declaration as ticked); on problems show them all and return None (nothing is
        written). A save removes the draft."""
        self._declare()
        try:
            path = self.case.save(self.answer_path)
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return None
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text)
        self.drafts.saved(text)
        self.draft_status.value = ""
        self.checklist.value = checklist_html(self.case, self.lang)
        self.saved = path
        self.status.value = message_html(t("widgets.saved", self.lang, path=str(path.resolve())), "ok")
        self.output.outputs = (answer_output(doc),)
        return path


@dataclass(frozen=True)
class DraftOffer:
    """A draft to offer when a case opens: the case it resumes, and whether the case it differs from was resumed
    from a saved answer (else that one is new)."""

    case: Case[Any]
    over_saved: bool


def offered_draft(
    kind: CaseKind, opened: Opened, answer_path: Path, lang: str, world: World | None = None
) -> tuple[DraftOffer | None, str]:
    """The draft beside ``answer_path`` to offer, when it is one of the opened case's and differs from the saved
    answer; else ``None`` and what the candidate is told about it (HTML). A draft the same as the saved answer is
    removed (nothing is lost); one that cannot be read, or of another case, is left alone and named."""
    kept, schemas = draft_path(answer_path), {kind.id: kind.answers}
    if not kept.exists():
        return None, ""
    try:
        doc = load_answer(kept, schemas)
    except AnswerError as exc:
        shown = message_html(t("candidate.draft_invalid", lang, draft=str(kept)), "warn")
        return None, shown + problems_html(exc, lang)
    case = opened.case
    if (doc.org, doc.seed, doc.candidate_id) != (case.org, case.seed, case.candidate_id):
        found = {"org": doc.org, "seed": doc.seed, "candidate": doc.candidate_id}
        return None, message_html(t("candidate.draft_other", lang, draft=str(kept), **found), "warn")
    resumed = opened.status == "resumed"
    if resumed and dumps_answer(doc) == _saved_text(answer_path, schemas):
        kept.unlink(missing_ok=True)
        return None, ""
    drafted = kind.case.from_answer(doc, world=world)
    drafted.lang = lang
    return DraftOffer(drafted, resumed), ""


def _saved_text(path: Path, schemas: Mapping[str, AnswerSchema]) -> str | None:
    try:
        return dumps_answer(load_answer(path, schemas))
    except AnswerError:  # changed since the case was opened from it: not the same as the draft
        return None
