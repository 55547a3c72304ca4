"""The skills records (K7): the organisation's training policy, every person's recorded levels (filtered by role,
team and data problem, a blank level marked), the data problems the candidate lists with how each is handled
(:meth:`T2Case.set_data_issues`, adopted as the list is edited), and what the reassessments found
(:meth:`T2Case.reassessment_results`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import get_args

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t2_training.answer import DataIssue
from casekit.cases.t2_training.audit import stale_before
from casekit.cases.t2_training.case import T2Case
from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import t
from casekit.kpi import format_count, format_money, format_number, format_share
from casekit.scenario.catalogs import load_roles, load_skills
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.row_list import Field, RowList
from casekit.widgets.t2_training import forms
from casekit.widgets.t2_training.render import (
    ALL,
    boxed,
    column_label,
    field_table,
    option_pairs,
    role_label,
    skill_label,
    staff_options,
    table_html,
    title,
)

__all__ = ["ACTIONS", "PROBLEMS", "RecordsPanel", "person_records", "policy_html", "records_html"]

PROBLEMS: tuple[str, ...] = get_args(DataIssue.model_fields["problem"].annotation)
ACTIONS: tuple[str, ...] = get_args(DataIssue.model_fields["action"].annotation)
_FILTERS = ("missing", "stale", "none")
_PERSON = ("staff_id", "name", "role", "team", "assessed_on", "age_months")
_BLANK = "background:#fde2e1;color:#b42318"
_OLD = "background:#fff4ce;color:#9a6700"
_OTHER = "color:#9aa0a6"


def policy_html(case: T2Case, lang: str) -> str:
    """The organisation's training policy as a two-column table."""
    p = case.policy
    low, high = p["go_live_days"]
    rows = [
        ("t2widgets.policy_budget", format_money(p["budget"], lang)),
        ("t2widgets.policy_threshold", format_number(p["priority_threshold"], 1)),
        ("t2widgets.policy_valid_months", format_count(p["assessment_valid_months"])),
        ("t2widgets.policy_critical_weeks", format_count(p["critical_within_weeks"])),
        ("t2widgets.policy_go_live", t("t2widgets.days_range", lang, low=low, high=high)),
        (
            "t2widgets.policy_service_level",
            t(
                "t2widgets.sl_target",
                lang,
                share=format_share(p["service_level"], 0),
                seconds=p["service_level_seconds"],
            ),
        ),
    ]
    return field_table(rows, lang)


def person_records(case: T2Case) -> pd.DataFrame:
    """One row per person: their id, name, role, team, assessment date and its age in months, then their recorded
    level of every skill (a column per skill id, in the skills catalog's order; missing where blank)."""
    records = case.records()
    levels = records.pivot(index="staff_id", columns="skill_id", values="proficiency")
    people = records.drop_duplicates("staff_id").set_index("staff_id")[list(_PERSON[1:])]
    skills = [s.id for s in load_skills() if s.id in levels.columns]
    order = [str(s) for s in case.world.staff["staff_id"] if s in people.index]
    return people.join(levels[skills]).loc[order].rename_axis("staff_id").reset_index()


def _filtered(people: pd.DataFrame, role: str, team: str, problem: str, oldest: str) -> pd.DataFrame:
    keep = pd.Series(True, index=people.index)
    if role != ALL:
        keep &= people["role"] == role
    if team != ALL:
        keep &= people["team"] == team
    skills = [c for c in people.columns if c not in _PERSON]
    blank = people[skills].isna().any(axis=1)
    old = people["assessed_on"].astype(str) < oldest
    if problem == "missing":
        keep &= blank
    elif problem == "stale":
        keep &= old
    elif problem == "none":
        keep &= ~blank & ~old
    return people[keep]


def records_html(
    case: T2Case, people: pd.DataFrame, lang: str, *, role: str = ALL, team: str = ALL, problem: str = ALL
) -> str:
    """The records of the people the filters keep, a person a row and a skill a column: a blank level marked, an
    assessment older than the policy allows marked, a skill the person's role does not require greyed."""
    oldest = stale_before(case.world).isoformat()  # the policy's oldest valid assessment
    shown = _filtered(people, role, team, problem, oldest)
    skills = [c for c in people.columns if c not in _PERSON]
    required = {r.id: set(r.required_skills) for r in load_roles()}
    head = "".join(f"<th>{esc(column_label(c, lang))}</th>" for c in _PERSON)
    head += "".join(f"<th>{esc(skill_label(s, lang))}</th>" for s in skills)
    body = []
    for rec in shown.to_dict("records"):
        cells = [esc(rec["staff_id"]), esc(rec["name"]), esc(role_label(str(rec["role"]), lang)), esc(rec["team"])]
        cells = [f"<td>{c}</td>" for c in cells]
        style = _OLD if str(rec["assessed_on"]) < oldest else ""
        cells.append(f'<td style="{style}">{esc(rec["assessed_on"])}</td>')
        cells.append(f'<td style="{style}">{esc(format_number(rec["age_months"], 1))}</td>')
        needed = required.get(str(rec["role"]), set())
        for s in skills:
            level = rec[s]
            if pd.isna(level):
                cells.append(f'<td style="{_BLANK}" title="{esc(t("t2widgets.blank", lang))}">&#8203;</td>')
            else:
                cells.append(f'<td style="{"" if s in needed else _OTHER}">{esc(int(level))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    line = t("t2widgets.records_shown", lang, shown=len(shown), total=len(people), date=oldest)
    table = f'<table class="ck-table ck-records"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    return message_html(line) + table


class RecordsPanel(Panel):
    """Tab 1: the policy and the records, then the data problems (adopted as they are edited) and what the
    reassessments found."""

    def __init__(self, case: T2Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self._adopted: list[Callable[[list[DataIssue]], None]] = []
        self.people = person_records(case)
        #: the oldest assessment date the policy still takes as valid (ISO)
        self.oldest = stale_before(case.world).isoformat()
        wide = {"description_width": "initial"}
        roles = [r.id for r in load_roles() if r.id in set(self.people["role"])]
        self.role = widgets.Dropdown(
            options=[(t("t2widgets.every", lang), ALL), *option_pairs("role", roles, lang)],
            value=ALL,
            description=t("t2widgets.col_role", lang),
            style=wide,
        )
        teams = sorted(str(x) for x in self.people["team"].unique())
        self.team = widgets.Dropdown(
            options=[(t("t2widgets.every", lang), ALL), *((x, x) for x in teams)],
            value=ALL,
            description=t("t2widgets.col_team", lang),
            style=wide,
        )
        self.problem = widgets.Dropdown(
            options=[
                (t("t2widgets.filter_all", lang), ALL),
                *((t(f"t2widgets.filter_{p}", lang), p) for p in _FILTERS),
            ],
            value=ALL,
            description=t("t2widgets.filter_problem", lang),
            style=wide,
        )
        self.problem.add_class("ck-records-problem")
        self.records = widgets.HTML()
        for w in (self.role, self.team, self.problem):
            self.when_changed(w, self.show_records)
        self.issues = RowList(self._fields(), lang, t("t2widgets.add_issue", lang))
        self.issues.add_button.layout.align_self = "flex-start"
        self.issues.widget.add_class("ck-issues")
        self.issues.load([forms.issue_fields(i) for i in case.data_issues])
        self.issues.on_change(self.guard(self.adopt))
        self.status = widgets.HTML(message_html(t("t2widgets.issues_hint", lang)))
        self.status.add_class("ck-issues-status")
        self.results = widgets.HTML()
        self.results.add_class("ck-results")
        self.widget = widgets.VBox(
            [
                title("t2widgets.policy_heading", lang),
                widgets.HTML(policy_html(case, lang)),
                title("t2widgets.records_heading", lang),
                widgets.HTML(message_html(t("t2widgets.records_hint", lang))),
                widgets.HBox([self.role, self.team, self.problem], layout=widgets.Layout(flex_flow="row wrap")),
                boxed(self.records, "420px"),
                title("t2widgets.issues_heading", lang),
                self.issues.widget,
                self.status,
                title("t2widgets.results_heading", lang, 4),
                boxed(self.results),
                self.alert,
            ]
        )
        self.show_records()
        if case.data_issues:
            self.status.value = message_html(self._adopted_text(case.data_issues), "ok")
        self.show_results()

    def _fields(self) -> list[Field]:
        lang, world = self.lang, self.case.world
        staff = tuple(staff_options(world, lang))
        skills = ((t("t2widgets.whole_record", lang), forms.WHOLE), *option_pairs("skill_id", _skill_ids(), lang))
        return [
            Field("staff_id", t("t2widgets.col_staff_id", lang), staff[0][1], staff, "330px"),
            Field("skill_id", t("t2widgets.col_skill_id", lang), forms.WHOLE, skills, "330px"),
            Field(
                "problem", t("t2widgets.col_problem", lang), PROBLEMS[0], tuple(option_pairs("problem", PROBLEMS, lang))
            ),
            Field(
                "action",
                t("t2widgets.col_action", lang),
                ACTIONS[0],
                tuple(option_pairs("action", ACTIONS, lang)),
                "260px",
            ),
        ]

    def show_records(self) -> None:
        self.records.value = records_html(
            self.case, self.people, self.lang, role=self.role.value, team=self.team.value, problem=self.problem.value
        )

    def on_adopt(self, callback: Callable[[list[DataIssue]], None]) -> None:
        self._adopted.append(callback)

    def _adopted_text(self, issues: Sequence[DataIssue]) -> str:
        reassessed, assumed = self.case.handled
        return t("t2widgets.issues_adopted", self.lang, n=len(issues), people=len(reassessed), pairs=len(assumed))

    def adopt(self) -> list[DataIssue] | None:
        """Adopt the data problems on the form (or show every problem with them: the last list adopted stays)."""
        try:
            issues = self.case.set_data_issues([forms.issue_data(row) for row in self.issues.value])
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return None
        self.status.value = message_html(self._adopted_text(issues), "ok")
        self.show_results()
        for callback in self._adopted:
            callback(issues)
        return issues

    def show_results(self) -> None:
        found = self.case.reassessment_results()
        if found.empty:
            self.results.value = message_html(t("t2widgets.no_reassessment", self.lang))
            return
        line = t("t2widgets.reassessed", self.lang, people=found["staff_id"].nunique())
        columns = ("staff_id", "role", "team", "skill_id", "category", "required", "current", "gap")
        self.results.value = message_html(line) + table_html(
            found, self.lang, columns=columns, counts=("required", "current", "gap")
        )


def _skill_ids() -> list[str]:
    return [s.id for s in load_skills()]
