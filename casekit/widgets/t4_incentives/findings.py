"""The audit findings form: what the candidate found in the payouts and the corrective action, added to the case."""

from __future__ import annotations

import functools
from typing import Any, get_args

import ipywidgets as widgets

from casekit.cases.t4_incentives.case import T4Case
from casekit.cases.t4_incentives.findings import AuditFinding
from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import t
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.t4_incentives.forms import finding_data

__all__ = ["FINDING_KINDS", "FindingsForm"]

FINDING_KINDS: tuple[str, ...] = get_args(AuditFinding.model_fields["kind"].annotation)
_WIDE = {"description_width": "initial"}


def finding_html(finding: AuditFinding, lang: str) -> str:
    """One finding as an escaped line: kind, where, what and the corrective action."""
    where = ", ".join(
        esc(part)
        for part in (", ".join(finding.staff_ids), finding.period, finding.component or "", finding.team or "")
        if part
    )
    return (
        f"<b>{esc(t(f't4audit.kind_{finding.kind}', lang))}</b> ({where}): {esc(finding.description)}"
        f"<br>→ {esc(finding.corrective_action)}"
    )


class FindingsForm(Panel):
    """Adds findings to ``case.findings`` (validated by the finding model; every problem shown) and lists them,
    each with a remove button."""

    def __init__(self, case: T4Case, lang: str, period: str = "") -> None:
        self.case = case
        self.lang = lang
        self.kind = widgets.Dropdown(
            options=[(t(f"t4audit.kind_{k}", lang), k) for k in FINDING_KINDS],
            description=t("widgets.finding_kind", lang),
            style=_WIDE,
        )
        self.staff_ids = widgets.Text(
            description=t("widgets.finding_staff", lang), placeholder="E0001, E0002", style=_WIDE
        )
        self.period = widgets.Text(value=period, description=t("widgets.finding_period", lang), style=_WIDE)
        self.component = widgets.Text(description=t("widgets.finding_component", lang), style=_WIDE)
        self.team = widgets.Text(description=t("widgets.finding_team", lang), style=_WIDE)
        area = widgets.Layout(width="98%", height="70px")
        self.description = widgets.Textarea(placeholder=t("widgets.finding_description", lang), layout=area)
        self.corrective_action = widgets.Textarea(placeholder=t("widgets.finding_action", lang), layout=area)
        self.add_button = widgets.Button(description=t("widgets.add_finding", lang), button_style="primary")
        self.when_clicked(self.add_button, self.add)
        self.status = widgets.HTML()
        self.list_box = widgets.VBox()
        self.remove_buttons: list[Any] = []
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<h3>{esc(t('widgets.findings_form_heading', lang))}</h3>"),
                widgets.HBox([self.kind, self.staff_ids], layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox([self.period, self.component, self.team], layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HTML(esc(t("widgets.finding_description", lang))),
                self.description,
                widgets.HTML(esc(t("widgets.finding_action", lang))),
                self.corrective_action,
                self.add_button,
                self.status,
                self.list_box,
                self.alert,
            ]
        )
        self.render()

    def form_data(self) -> dict[str, Any]:
        return finding_data(
            kind=self.kind.value,
            staff_ids=self.staff_ids.value,
            period=self.period.value,
            component=self.component.value,
            team=self.team.value,
            description=self.description.value,
            corrective_action=self.corrective_action.value,
        )

    def add(self) -> AuditFinding | None:
        """Add the form's finding to the case, or show every problem with it."""
        try:
            finding = self.case.add_finding(self.form_data(), t("widgets.finding_source", self.lang))
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return None
        for w in (self.staff_ids, self.description, self.corrective_action):
            w.value = ""
        self.status.value = message_html(t("widgets.finding_added", self.lang, n=len(self.case.findings)), "ok")
        self.render()
        return finding

    def remove(self, index: int) -> None:
        self.case.remove_finding(index)
        self.status.value = message_html(t("widgets.finding_removed", self.lang, n=len(self.case.findings)), "ok")
        self.render()

    def render(self) -> None:
        """List the case's findings, each with its own remove button."""
        for b in self.remove_buttons:
            b.close()
        self.remove_buttons = []
        rows = []
        for i, finding in enumerate(self.case.findings):
            remove = widgets.Button(description=t("widgets.remove", self.lang), layout=widgets.Layout(width="auto"))
            self.when_clicked(remove, functools.partial(self.remove, i))
            self.remove_buttons.append(remove)
            rows.append(widgets.HBox([remove, widgets.HTML(f"{i + 1}. {finding_html(finding, self.lang)}")]))
        if not rows:
            rows.append(widgets.HTML(message_html(t("widgets.no_findings", self.lang))))
        self.list_box.children = rows
