"""Saving: validate the answer document and write it; the document also goes out as a custom MIME output, so a
notebook saved with its widget state carries the answer too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from casekit.answers import ANSWER_MIME
from casekit.cases.base import Case
from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import t
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html

__all__ = ["ANSWER_MIME", "SavePanel", "answer_output"]


def answer_output(doc: dict[str, Any]) -> dict[str, Any]:
    """A display_data output holding the answer document (and a line of text for front ends without a renderer)."""
    summary = f"casekit answer {doc.get('case')} {doc.get('candidate_id')} ({doc.get('org')}, seed {doc.get('seed')})"
    return {"output_type": "display_data", "data": {ANSWER_MIME: doc, "text/plain": summary}, "metadata": {}}


class SavePanel(Panel):
    """A button that saves ``case`` to ``answer_path`` (``case.save``: validated, written atomically) and shows the
    path, or every problem."""

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
        declaring = "declaration" in case.answer_model.model_fields
        statement = widgets.HTML(f"<p class='ck-declaration'>{esc(t('declaration.own_work_1', lang))}</p>")
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<h3>{esc(t('widgets.save_heading', lang))}</h3>"),
                *((statement, self.declared) if declaring else ()),
                self.save_button,
                self.status,
                self.alert,
                self.output,
            ]
        )

    def save(self) -> Path | None:
        """Save the case (with the declaration as ticked); on problems show them all and return None (nothing is
        written)."""
        if not self.declared.value:
            self.case.declare(False)
        elif self.case.declaration is None:
            self.case.declare(True)  # declared now; a declaration already made keeps its time
        try:
            path = self.case.save(self.answer_path)
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return None
        doc = json.loads(path.read_text(encoding="utf-8"))
        self.saved = path
        self.status.value = message_html(t("widgets.saved", self.lang, path=str(path.resolve())), "ok")
        self.output.outputs = (answer_output(doc),)
        return path
