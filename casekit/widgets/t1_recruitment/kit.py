"""The interview kit (N3): the organisation's current questions, each kept or removed (:meth:`T1Case.review_question`)
with its fairness flags; and the candidate's own structured kit, one row per question with a live fairness flag,
adopted by :meth:`T1Case.set_kit`."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, get_args

import ipywidgets as widgets

from casekit.cases.t1_recruitment.answer import InterviewQuestion, JobSpec
from casekit.cases.t1_recruitment.case import T1Case
from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import t
from casekit.scenario.catalogs import load_skills
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.row_list import Rows
from casekit.widgets.t1_recruitment import forms
from casekit.widgets.t1_recruitment.render import items_html, title, value_label

__all__ = ["QUESTION_TYPES", "KitPanel", "flags_html"]

QUESTION_TYPES: tuple[str, ...] = get_args(InterviewQuestion.model_fields["type"].annotation)
_FULL = widgets.Layout(width="95%")


def flags_html(case: T1Case, text: str, lang: str) -> str:
    """A question's fairness flags (Employment Service Act §5), each explained, escaped; none: nothing."""
    if not text.strip():
        return ""
    return items_html((flag.explain(lang) for flag in case.question_flags(text)), t("t1widgets.no_flags", lang))


class KitPanel(Panel):
    """Tab 2: review of the current kit, then the candidate's own kit."""

    def __init__(self, case: T1Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self._adopted: list[Callable[[list[InterviewQuestion]], None]] = []
        self.decisions: dict[str, Any] = {}
        self.flag_boxes: list[Any] = []
        review = self._review_rows()
        self.review_status = widgets.HTML()
        self.questions = Rows(self._make_row, lang, t("t1widgets.add_question", lang))
        self.questions.on_change(self.guard(self._edited))
        self.live = widgets.Checkbox(value=True, description=t("t1widgets.live_kit", lang), indent=False)
        self.adopt_button = widgets.Button(
            description=t("t1widgets.adopt_kit", lang), button_style="primary", layout=widgets.Layout(width="auto")
        )
        self.when_clicked(self.adopt_button, self.adopt)
        self.status = widgets.HTML(message_html(t("t1widgets.kit_hint", lang)))
        self.widget = widgets.VBox(
            [
                title("t1widgets.current_kit", lang),
                widgets.HTML(message_html(t("t1widgets.current_kit_hint", lang))),
                *review,
                self.review_status,
                title("t1widgets.own_kit", lang),
                widgets.HTML(message_html(t("t1widgets.own_kit_hint", lang))),
                self.questions.widget,
                widgets.HBox([self.live, self.adopt_button]),
                self.status,
                self.alert,
            ]
        )
        if case.kit:
            self.questions.load([forms.question_fields(q) for q in case.kit])
            self.status.value = message_html(t("t1widgets.kit_adopted", lang, n=len(case.kit)), "ok")
        self._review_summary()

    # ---------------------------------------------------------------------------------------- the current kit
    def _review_rows(self) -> list[Any]:
        lang, kit = self.lang, self.case.current_kit()
        column = "text_zh_tw" if lang == "zh-TW" else "text_en"
        options = [(t("t1widgets.decision_keep", lang), "keep"), (t("t1widgets.decision_remove", lang), "remove")]
        rows = []
        for qid, text, competency in zip(kit["question_id"], kit[column], kit["competency"], strict=True):
            qid = str(qid)
            decided = self.case.kit_review.get(qid)
            toggle = widgets.ToggleButtons(options=options, value=decided, style={"button_width": "auto"})
            self.decisions[qid] = toggle
            self.when_changed(toggle, functools.partial(self.review, qid))
            about = value_label("competency", str(competency or ""), lang)
            shown = f"<b>{esc(qid)}</b> {esc(text)} <i>· {esc(about)}</i>{flags_html(self.case, str(text), lang)}"
            rows.append(widgets.HBox([toggle, widgets.HTML(shown)]))
        return rows

    def review(self, question_id: str) -> None:
        decision = self.decisions[question_id].value
        if decision is not None:
            self.case.review_question(question_id, decision)
        self._review_summary()

    def _review_summary(self) -> None:
        done, total = len(self.case.kit_review), len(self.decisions)
        kind = "ok" if done == total else "info"
        self.review_status.value = message_html(t("t1widgets.review_done", self.lang, done=done, total=total), kind)

    # -------------------------------------------------------------------------------------------- the own kit
    def _competencies(self, current: str = "") -> list[tuple[str, str]]:
        """The job's skills (all skills before a job is adopted), then "none"; ``current`` kept if it is another."""
        job = self.case.job
        ids = list(job.skills) if job is not None and job.skills else [s.id for s in load_skills()]
        if current and current not in ids:
            ids.append(current)
        return [(value_label("competency", s, self.lang) or s, s) for s in [*ids, ""]]

    def _make_row(self, values: Mapping[str, Any], remove: Any) -> tuple[dict[str, Any], Any]:
        lang = self.lang
        competency = str(values.get("competency", ""))
        options = self._competencies(competency)
        row: dict[str, Any] = {
            "text": widgets.Textarea(
                value=str(values.get("text", "")),
                placeholder=t("t1widgets.question_text", lang),
                layout=widgets.Layout(width="95%", height="54px"),
            ),
            "competency": widgets.Dropdown(
                options=options,
                value=competency if "competency" in values else options[0][1],
                description=t("t1widgets.col_competency", lang),
            ),
            "type": widgets.Dropdown(
                options=[(value_label("type", q, lang) or q, q) for q in QUESTION_TYPES],
                value=values.get("type", QUESTION_TYPES[0]),
                description=t("t1widgets.col_type", lang),
            ),
            "weight": widgets.BoundedFloatText(
                value=float(values.get("weight", 1.0)),
                min=0,
                max=10,
                step=0.5,
                description=t("t1widgets.col_weight", lang),
                layout=widgets.Layout(width="180px"),
            ),
        }
        for level in forms.ANCHOR_LEVELS:
            row[f"anchor_{level}"] = widgets.Text(
                value=str(values.get(f"anchor_{level}", "")),
                description=t("t1widgets.anchor", lang, level=level),
                layout=widgets.Layout(width="32%"),
            )
        row["text"].add_class("ck-question-text")
        for name in ("competency", "type", "weight", *(f"anchor_{level}" for level in forms.ANCHOR_LEVELS)):
            row[name].style = {"description_width": "initial"}
        flags = widgets.HTML(flags_html(self.case, row["text"].value, lang))
        flags.add_class("ck-question-flags")
        row["text"].observe(
            self.guard(lambda: setattr(flags, "value", flags_html(self.case, row["text"].value, lang))), "value"
        )
        wrap = widgets.Layout(flex_flow="row wrap")
        box = widgets.VBox(
            [
                widgets.HBox([remove, row["text"]]),
                flags,
                widgets.HBox([row["competency"], row["type"], row["weight"]], layout=wrap),
                widgets.HBox([row[f"anchor_{level}"] for level in forms.ANCHOR_LEVELS], layout=wrap),
            ],
            layout=widgets.Layout(border="1px solid #e0e0e0", padding="4px", margin="0 0 6px 0"),
        )
        box.add_class("ck-question")
        return row, box

    def job_changed(self, job: JobSpec) -> None:
        """A job listener: the competencies offered are the new job's skills (a question's own is kept)."""
        for row in self.questions.rows:
            current = row["competency"].value
            row["competency"].options = self._competencies(current)
            row["competency"].value = current

    def on_adopt(self, callback: Callable[[list[InterviewQuestion]], None]) -> None:
        self._adopted.append(callback)

    def form_data(self) -> list[dict[str, Any]]:
        return [forms.question_data(row) for row in self.questions.value]

    def _edited(self) -> None:
        if self.live.value:
            self.adopt()

    def adopt(self) -> list[InterviewQuestion] | None:
        """Adopt the kit on the form, or show every problem with it (the last kit adopted stays)."""
        try:
            kit = self.case.set_kit(self.form_data())
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return None
        self.status.value = message_html(t("t1widgets.kit_adopted", self.lang, n=len(kit)), "ok")
        for callback in self._adopted:
            callback(kit)
        return kit
