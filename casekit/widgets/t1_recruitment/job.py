"""The vacancy and the job (N1, N2): the vacancy, the organisation's role profile and its incumbents' skill levels as
reference; the job specification and description form (adopted by :meth:`T1Case.set_job`); the advertisement form
with its live legality check (:meth:`T1Case.advert_issues`), adopted by :meth:`T1Case.set_advert`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t1_recruitment.advert import JobAdvert
from casekit.cases.t1_recruitment.answer import JobSpec
from casekit.cases.t1_recruitment.case import T1Case
from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import t
from casekit.kpi import format_count, format_money
from casekit.scenario.catalogs import load_roles, load_skills
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.row_list import Field, RowList
from casekit.widgets.t1_recruitment import forms
from casekit.widgets.t1_recruitment.render import (
    field_table,
    items_html,
    left,
    role_label,
    shift_label,
    table_html,
    title,
)

__all__ = ["JobPanel", "incumbent_skills"]

_WIDE = {"description_width": "16em"}
_TEXT = widgets.Layout(width="95%")
_AREA = widgets.Layout(width="95%", height="60px")


def incumbent_skills(case: T1Case) -> pd.DataFrame:
    """Per skill: the level the role profile requires, and the incumbents' levels (mean, lowest, highest)."""
    world, role = case.world, str(case.vacancy["role"])
    profile = next((r for r in load_roles() if r.id == role), None)
    required = profile.required_skills if profile else {}
    holders = world.staff.loc[world.staff["role"] == role, "staff_id"]
    levels = world.skills[world.skills["staff_id"].isin(set(holders))]
    stats = levels.groupby("skill_id")["proficiency"].agg(["mean", "min", "max"])
    rows = [
        {
            "skill": s.id,
            "required": required.get(s.id, 0),
            "incumbents_mean": stats["mean"].get(s.id),
            "incumbents_min": stats["min"].get(s.id),
            "incumbents_max": stats["max"].get(s.id),
        }
        for s in load_skills()
        if s.id in required or s.id in stats.index
    ]
    return pd.DataFrame(rows)


class JobPanel(Panel):
    """Tab 1: the reference, then the job form and the advertisement form."""

    def __init__(self, case: T1Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self._adopted: list[Callable[[JobSpec], None]] = []
        self.reference = widgets.HTML(self._reference_html())
        self._job_form()
        self._advert_form()
        self.widget = widgets.VBox(
            [
                title("t1widgets.job_reference", lang),
                self.reference,
                title("t1widgets.job_heading", lang),
                *self.job_inputs.values(),
                widgets.HTML(esc(t("t1widgets.job_skills", lang))),
                self.skills.widget,
                left(self.adopt_job_button),
                self.job_status,
                title("t1widgets.advert_heading", lang),
                *self.advert_inputs.values(),
                widgets.HTML(f"<b>{esc(t('t1widgets.advert_check', lang))}</b>"),
                self.advert_check,
                left(self.adopt_advert_button),
                self.advert_status,
                self.alert,
            ]
        )
        if case.job is not None:
            self.show_job(case.job)
        if case.advert is not None:
            self.show_advert(case.advert)
        self.check_advert()

    # ------------------------------------------------------------------------------------------------ reference
    def _reference_html(self) -> str:
        lang, case = self.lang, self.case
        v = case.vacancy
        reason = v.get("reason_zh_tw") if lang == "zh-TW" else v.get("reason_en")
        vacancy = field_table(
            [
                ("t1widgets.col_role", role_label(str(v["role"]), lang)),
                ("t1widgets.col_team", str(v["team"])),
                ("t1widgets.col_shift", shift_label(str(v["shift"]), lang)),
                ("t1widgets.band", f"{format_money(v['pay_min'], lang)} – {format_money(v['pay_max'], lang)}"),
                ("t1widgets.reason", str(reason or "")),
            ],
            lang,
        )
        roles = case.world.roles
        found = roles[roles["role"] == v["role"]]
        profile = ""
        if len(found):
            row = found.iloc[0]
            suffix = "zh_tw" if lang == "zh-TW" else "en"
            texts = [(f"t1widgets.col_{f}", str(row.get(f"{f}_{suffix}", ""))) for f in ("title", *_PROFILE_TEXTS)]
            profile = field_table(
                [
                    *texts,
                    ("t1widgets.col_classification", str(row["classification"])),
                    ("t1widgets.col_pay_grade", str(row["pay_grade"])),
                    ("t1widgets.col_reports_to", role_label(str(row["reports_to"]), lang)),
                    ("t1widgets.col_min_experience_months", format_count(row["min_experience_months"])),
                    ("t1widgets.col_headcount", format_count(row["headcount"])),
                ],
                lang,
            )
        skills = table_html(
            incumbent_skills(case),
            lang,
            counts=("required", "incumbents_min", "incumbents_max"),
            numbers={"incumbents_mean": 2},
        )
        return (
            f"{vacancy}<h4>{esc(t('t1widgets.role_profile', lang))}</h4>{profile}"
            f"<h4>{esc(t('t1widgets.incumbents', lang))}</h4>{skills}"
        )

    # ------------------------------------------------------------------------------------------------ the job
    def _job_form(self) -> None:
        lang = self.lang
        roles = [(f"{r.label(lang)} ({r.id})", r.id) for r in load_roles()]
        role = str(self.case.vacancy["role"])
        inputs: dict[str, Any] = {
            "role": widgets.Dropdown(
                options=roles,
                value=role if role in dict(roles).values() else None,
                style=_WIDE,
                layout=widgets.Layout(width="520px"),
            ),
            "title": widgets.Text(layout=_TEXT, style=_WIDE),
            "experience_months": widgets.BoundedIntText(min=0, max=240, style=_WIDE),
        }
        for name in forms.JOB_TEXTS:
            inputs[name] = widgets.Textarea(layout=_AREA, style=_WIDE)
        for name in ("classification", "pay_grade", "reports_to"):
            inputs[name] = widgets.Text(style=_WIDE)
        for name in ("pay_min", "pay_max"):
            inputs[name] = widgets.BoundedIntText(min=0, max=1_000_000, step=1000, style=_WIDE)
        for name, w in inputs.items():
            w.description = t(f"t1widgets.col_{name}", lang)
            w.add_class(f"ck-job-{name.replace('_', '-')}")
        self.job_inputs = inputs
        skills = tuple((f"{s.label(lang)} ({s.id})", s.id) for s in load_skills())
        levels = tuple((str(level), level) for level in range(5))
        self.skills = RowList(
            [
                Field("skill", t("t1widgets.col_skill", lang), skills[0][1], skills, width="330px"),
                Field("level", t("t1widgets.col_level", lang), 2, levels, width="130px"),
            ],
            lang,
            t("t1widgets.add_skill", lang),
        )
        self.skills.add_button.layout.align_self = "flex-start"
        self.adopt_job_button = widgets.Button(
            description=t("t1widgets.adopt_job", lang), button_style="primary", layout=widgets.Layout(width="auto")
        )
        self.when_clicked(self.adopt_job_button, self.adopt_job)
        self.job_status = widgets.HTML(message_html(t("t1widgets.job_hint", lang)))

    def on_adopt(self, callback: Callable[[JobSpec], None]) -> None:
        """Call ``callback(job)`` whenever a job specification is adopted."""
        self._adopted.append(callback)

    def job_form_data(self) -> dict[str, Any]:
        return forms.job_data({k: w.value for k, w in self.job_inputs.items()}, self.skills.value)

    def adopt_job(self) -> JobSpec | None:
        """Adopt the form's job specification, or show every problem with it (the last one adopted stays)."""
        try:
            job = self.case.set_job(self.job_form_data())
        except CasekitError as exc:
            self.job_status.value = problems_html(exc, self.lang)
            return None
        text = t("t1widgets.job_adopted", self.lang, title=job.title, skills=len(job.skills))
        self.job_status.value = message_html(text, "ok")
        for callback in self._adopted:
            callback(job)
        return job

    def show_job(self, job: JobSpec) -> None:
        for name, value in forms.job_fields(job).items():
            if name in self.job_inputs:
                self.job_inputs[name].value = value
        self.skills.load(forms.skill_rows(job.skills))
        self.job_status.value = message_html(
            t("t1widgets.job_adopted", self.lang, title=job.title, skills=len(job.skills)), "ok"
        )

    # ---------------------------------------------------------------------------------------------- the advert
    def _advert_form(self) -> None:
        lang = self.lang
        self.advert_inputs: dict[str, Any] = {
            "title": widgets.Text(layout=_TEXT, style=_WIDE),
            "text": widgets.Textarea(layout=widgets.Layout(width="95%", height="120px"), style=_WIDE),
            "pay_min": widgets.Text(style=_WIDE),
            "pay_max": widgets.Text(style=_WIDE),
            "pay_negotiable": widgets.Checkbox(indent=False),
            "requested_data": widgets.Textarea(layout=_AREA, style=_WIDE),
        }
        for name, w in self.advert_inputs.items():
            w.description = t(f"t1widgets.advert_{name}", lang)
            w.add_class(f"ck-advert-{name.replace('_', '-')}")
            self.when_changed(w, self.check_advert)
        self.advert_inputs["requested_data"].placeholder = t("t1widgets.advert_requested_hint", lang)
        self.advert_inputs["pay_min"].placeholder = self.advert_inputs["pay_max"].placeholder = t(
            "t1widgets.advert_pay_hint", lang
        )
        self.advert_check = widgets.HTML()
        self.advert_check.add_class("ck-advert-check")
        self.adopt_advert_button = widgets.Button(
            description=t("t1widgets.adopt_advert", lang), button_style="primary", layout=widgets.Layout(width="auto")
        )
        self.when_clicked(self.adopt_advert_button, self.adopt_advert)
        self.advert_status = widgets.HTML(message_html(t("t1widgets.advert_hint", lang)))

    def advert_form_data(self) -> dict[str, Any]:
        return forms.advert_data(**{k: w.value for k, w in self.advert_inputs.items()})

    def check_advert(self) -> None:
        """The live check: what is unlawful in the advertisement as it stands on the form."""
        try:
            issues = self.case.advert_issues(self.advert_form_data())
        except CasekitError as exc:
            self.advert_check.value = problems_html(exc, self.lang)
            return
        self.advert_check.value = items_html(
            (issue.explain(self.lang) for issue in issues), t("t1widgets.advert_lawful", self.lang)
        )

    def adopt_advert(self) -> JobAdvert | None:
        try:
            advert = self.case.set_advert(self.advert_form_data())
        except CasekitError as exc:
            self.advert_status.value = problems_html(exc, self.lang)
            return None
        issues = len(self.case.advert_issues(advert))
        kind = "ok" if not issues else "warn"
        self.advert_status.value = message_html(t("t1widgets.advert_adopted", self.lang, issues=issues), kind)
        return advert

    def show_advert(self, advert: JobAdvert) -> None:
        for name, value in forms.advert_fields(advert).items():
            self.advert_inputs[name].value = value
        issues = len(self.case.advert_issues(advert))
        self.advert_status.value = message_html(t("t1widgets.advert_adopted", self.lang, issues=issues), "ok")


_PROFILE_TEXTS = ("qualifications", "special_requirements", "responsibilities", "capability")
