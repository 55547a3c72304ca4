"""The skills audit and the needs (P2.2, P2.3): coverage by role, the needs the audit finds with the technology and
customer-service gap totals apart (:meth:`T2Case.audit`, following the data problems as handled), and the
candidate's own needs list, adopted as it is edited (:meth:`T2Case.set_needs`). Nothing copies the audit's table
into the answer: the candidate writes every need."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

import ipywidgets as widgets

from casekit.cases.t2_training.answer import Need
from casekit.cases.t2_training.audit import CATEGORIES, Audit
from casekit.cases.t2_training.case import T2Case
from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import t
from casekit.kpi import format_count
from casekit.scenario.catalogs import load_roles, load_skills
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.row_list import Rows
from casekit.widgets.t2_training import forms
from casekit.widgets.t2_training.render import boxed, option_pairs, table_html, title

__all__ = ["KINDS", "NeedsPanel", "coverage_html", "needs_html", "totals_html"]

KINDS: tuple[str, ...] = get_args(Need.model_fields["kind"].annotation)
_NEED_COLUMNS = ("role", "skill_id", "people_affected", "gap_total", "criticality", "compliance_critical", "priority")
_WIDE = {"description_width": "initial"}


def totals_html(found: Audit, lang: str) -> str:
    """The gap totals of technology and customer-service skills, apart; and how many rows still have a data
    problem nobody handled (a missing one has no gap yet)."""
    totals = found.totals()
    lines = [message_html(t(f"t2widgets.total_{c}", lang, gap=format_count(totals[c])), "info") for c in CATEGORIES]
    open_ = found.gaps["status"].isin(["missing", "stale"])
    if open_.any():
        people = found.gaps.loc[open_, "staff_id"].nunique()
        lines.append(message_html(t("t2widgets.unhandled", lang, rows=int(open_.sum()), people=people), "warn"))
    return "".join(lines)


def coverage_html(found: Audit, lang: str) -> str:
    return table_html(found.coverage, lang, counts=("required", "people", "at_level"), shares=("coverage",))


def needs_html(found: Audit, category: str, lang: str) -> str:
    """The audit's needs of one skill category, with its gap total."""
    needs = found.needs[found.needs["category"] == category]
    total = t(f"t2widgets.total_{category}", lang, gap=format_count(int(needs["gap_total"].sum())))
    return (
        f"<h4>{esc(t(f't2widgets.category_{category}', lang))}</h4>"
        + message_html(total)
        + table_html(
            needs,
            lang,
            columns=_NEED_COLUMNS,
            counts=("people_affected", "gap_total", "criticality", "priority"),
        )
    )


class NeedsPanel(Panel):
    """Tab 2: the audit's tables (again whenever the data problems are adopted), then the candidate's needs."""

    def __init__(self, case: T2Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self._audit: Audit | None = None
        self.totals = widgets.HTML()
        self.coverage = widgets.HTML()
        self.needs_tables = {c: widgets.HTML() for c in CATEGORIES}
        self.needs = Rows(self._make_row, lang, t("t2widgets.add_need", lang))
        self.needs.add_button.layout.align_self = "flex-start"
        self.needs.widget.add_class("ck-needs")
        self.needs.load([forms.need_fields(n) for n in case.needs])
        self.needs.on_change(self.guard(self.adopt))
        self.status = widgets.HTML(message_html(t("t2widgets.needs_hint", lang)))
        if case.needs:
            self.status.value = message_html(t("t2widgets.needs_adopted", lang, n=len(case.needs)), "ok")
        self.widget = widgets.VBox(
            [
                title("t2widgets.audit_heading", lang),
                widgets.HTML(message_html(t("t2widgets.audit_hint", lang))),
                self.totals,
                title("t2widgets.coverage_heading", lang, 4),
                boxed(self.coverage),
                title("t2widgets.needs_found_heading", lang, 4),
                *(boxed(self.needs_tables[c]) for c in CATEGORIES),
                title("t2widgets.needs_heading", lang),
                widgets.HTML(message_html(t("t2widgets.needs_own_hint", lang))),
                self.needs.widget,
                self.status,
                self.alert,
            ]
        )
        self.audit_changed()

    def audit_changed(self, *_issues: Any) -> None:
        """A data-problems listener: the audit's tables for the problems as now handled (when they changed)."""
        found = self.case.audit()
        if found is self._audit:
            return
        self._audit = found
        self.totals.value = totals_html(found, self.lang)
        self.coverage.value = coverage_html(found, self.lang)
        for c, box in self.needs_tables.items():
            box.value = needs_html(found, c, self.lang)

    def _make_row(self, values: Mapping[str, Any], remove: Any) -> tuple[dict[str, Any], Any]:
        lang = self.lang
        roles = [r.id for r in load_roles()]
        skills = [s.id for s in load_skills()]
        role, skill = values.get("role", roles[0]), values.get("skill_id", skills[0])
        kind = values.get("kind", KINDS[0])
        row: dict[str, Any] = {
            "role": widgets.Dropdown(
                options=option_pairs("role", dict.fromkeys([*roles, role]), lang),
                value=role,
                description=t("t2widgets.col_role", lang),
            ),
            "skill_id": widgets.Dropdown(
                options=option_pairs("skill_id", dict.fromkeys([*skills, skill]), lang),
                value=skill,
                description=t("t2widgets.col_skill_id", lang),
            ),
            "kind": widgets.Dropdown(
                options=option_pairs("kind", dict.fromkeys([*KINDS, kind]), lang),
                value=kind,
                description=t("t2widgets.col_kind", lang),
            ),
            "people": widgets.BoundedIntText(
                value=int(values.get("people", 0)), min=0, max=5000, description=t("t2widgets.col_people", lang)
            ),
            "priority": widgets.BoundedFloatText(
                value=float(values.get("priority", 0)),
                min=0,
                max=1_000_000,
                description=t("t2widgets.col_priority", lang),
            ),
            "critical": widgets.Checkbox(
                value=bool(values.get("critical", False)), description=t("t2widgets.col_critical", lang), indent=False
            ),
        }
        for name, w in row.items():
            w.style = _WIDE
            w.add_class(f"ck-need-{name.replace('_', '-')}")
        row["people"].layout.width = row["priority"].layout.width = "170px"
        box = widgets.HBox([remove, *row.values()], layout=widgets.Layout(flex_flow="row wrap"))
        box.add_class("ck-need")
        return row, box

    def adopt(self) -> list[Need] | None:
        """Adopt the needs on the form (or show every problem with them: the last list adopted stays)."""
        try:
            needs = self.case.set_needs([forms.need_data(row) for row in self.needs.value])
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return None
        self.status.value = message_html(t("t2widgets.needs_adopted", self.lang, n=len(needs)), "ok")
        return needs
