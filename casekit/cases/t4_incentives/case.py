"""The T4 case as one object: what the candidate's widgets and the demo's simulated candidates both drive.

It holds the world (regenerated from organisation + seed), the scheme being designed, the simulation and its
review, the audit ledger and the candidate's findings and texts, and turns them into the answer document. All the
logic lives here (or in the modules it calls), never in a widget callback, so tests see it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

import pandas as pd
from pydantic import ValidationError

from casekit import months
from casekit.cases.base import Case, ChecklistItem
from casekit.cases.t4_incentives import audit_tools
from casekit.cases.t4_incentives.answer import ReportedFigures, T4Answer
from casekit.cases.t4_incentives.audit import Ledger, payout_ledger
from casekit.cases.t4_incentives.findings import AuditFinding, FindingError, match_findings
from casekit.cases.t4_incentives.payout import PayoutResult, compute_payouts, period_kpis
from casekit.cases.t4_incentives.response import simulate_response
from casekit.cases.t4_incentives.review import Review, review_effectiveness
from casekit.cases.t4_incentives.scheme import Scheme, parse_scheme
from casekit.kpi import kpis
from casekit.scenario import World
from casekit.validation import pydantic_problems

__all__ = ["T4Case", "full_months", "projected_cost_per_period"]


def full_months(world: World) -> list[str]:
    """The calendar months the world covers from their first day to their last."""
    return months.full_months(world.spec.start_date, world.days)


def projected_cost_per_period(result: PayoutResult, world: World) -> float:
    """Mean monthly cost over the full months of the world (partial months would understate it)."""
    periods = result.periods[result.periods["period"].isin(full_months(world))]
    if periods.empty:
        periods = result.periods
    return float(periods["total"].mean()) if len(periods) else 0.0


class T4Case(Case[T4Answer]):
    """One candidate's T4 case: organisation, seed, the draft scheme, simulation, audit, findings and texts."""

    answer_model = T4Answer

    def __init__(
        self, org: str, seed: int, candidate_id: str, lang: str = "zh-TW", *, world: World | None = None
    ) -> None:
        super().__init__(org, seed, candidate_id, lang, world=world)
        self.scheme: Scheme | None = None
        self.simulated: pd.DataFrame | None = None
        self.review: Review | None = None
        self._review_scheme: Scheme | None = None
        self.findings: list[AuditFinding] = []
        self.justification = ""
        self.discussion = ""

    # ------------------------------------------------------------------------------------------------ the world
    @cached_property
    def kpi_tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return period_kpis(self.world.contacts, self.world.staff)

    @cached_property
    def _contacts_by_team(self) -> pd.DataFrame:
        """The contact rows with each person's team, role and month, joined once for every exploration."""
        contacts = self.world.contacts.merge(self.world.staff[["staff_id", "team", "role"]], on="staff_id")
        return contacts.assign(month=months.period_column(contacts["date"]))

    def explore(self, by: str = "team") -> pd.DataFrame:
        """KPIs per ``staff``, ``team``, ``month`` or ``team_month`` for the exploration tables and charts."""
        keys = {"staff": ["staff_id"], "team": ["team"], "month": ["month"], "team_month": ["team", "month"]}[by]
        return kpis(self._contacts_by_team, keys)

    # ----------------------------------------------------------------------------------------------- the scheme
    def set_scheme(self, data: Any) -> Scheme:
        """Validate and adopt a scheme (a mapping or a :class:`Scheme`); raises SchemeError with every problem."""
        scheme = data if isinstance(data, Scheme) else parse_scheme(data, "scheme")
        self.scheme = scheme
        return scheme

    def preview(self, scheme: Scheme | None = None) -> PayoutResult:
        """What the scheme would have paid over the world's months: the live preview while designing."""
        chosen = scheme or self._require_scheme()
        return compute_payouts(chosen, self.world.contacts, self.world.staff, kpi_tables=self.kpi_tables)

    def preview_summary(self, result: PayoutResult) -> dict[str, Any]:
        """Payout per role, cost against budget and the distribution of what people get."""
        people = result.people
        per_month = projected_cost_per_period(result, self.world)
        by_role = people.groupby("role")["total"].describe(percentiles=[0.1, 0.5, 0.9])
        return {
            "cost_per_period": per_month,
            "budget_per_period": result.budget_per_period,
            "within_budget": per_month <= result.budget_per_period + 1e-6,
            "share_paid": float((people["total"] > 0).mean()) if len(people) else 0.0,
            "by_role": by_role,
        }

    # --------------------------------------------------------------------------------------------- simulation
    def simulate(self, months: int = 3) -> Review:
        """Run the scheme for ``months`` simulated months and review its effectiveness (P4.3)."""
        scheme = self._require_scheme()
        self.simulated = simulate_response(self.world, scheme, months)
        self.review = review_effectiveness(self.world, scheme, self.simulated)
        self._review_scheme = scheme
        return self.review

    # ------------------------------------------------------------------------------------------------- audit
    @cached_property
    def ledger(self) -> Ledger:
        """Last period's payouts under the organisation's current scheme, with the seeded anomalies (P4.4)."""
        return payout_ledger(self.world)

    def audit(self, tool: str) -> Any:
        """Run one audit tool by name: recompute, budget_variance, concentration, eligibility, caps,
        threshold_bunching, gaming_signals, pay_gaps, pay_gaps_by_team."""
        ledger, world = self.ledger, self.world
        tools: dict[str, Callable[[], Any]] = {
            "recompute": lambda: audit_tools.recompute(ledger, world),
            "budget_variance": lambda: audit_tools.budget_variance(ledger),
            "concentration": lambda: audit_tools.concentration(ledger),
            "eligibility": lambda: audit_tools.eligibility(ledger, world),
            "caps": lambda: audit_tools.caps(ledger),
            "threshold_bunching": lambda: audit_tools.threshold_bunching(ledger, world),
            "gaming_signals": lambda: audit_tools.gaming_signals(world),
            "pay_gaps": lambda: audit_tools.pay_gaps(ledger, world, by=("gender",), lang=self.lang),
            "pay_gaps_by_team": lambda: audit_tools.pay_gaps(ledger, world, by=("team", "gender"), lang=self.lang),
        }
        return tools[tool]()

    AUDIT_TOOLS = (
        "recompute",
        "budget_variance",
        "concentration",
        "eligibility",
        "caps",
        "threshold_bunching",
        "gaming_signals",
        "pay_gaps",
        "pay_gaps_by_team",
    )

    def add_finding(self, data: Any, source: str = "finding") -> AuditFinding:
        """Validate and record a finding; raises FindingError naming every problem (``source`` names the form)."""
        if isinstance(data, AuditFinding):
            finding = data
        else:
            try:
                finding = AuditFinding.model_validate(data)
            except ValidationError as exc:
                raise FindingError(pydantic_problems(source, exc, AuditFinding)) from None
        self.findings.append(finding)
        return finding

    def remove_finding(self, index: int) -> None:
        del self.findings[index]

    def findings_found(self) -> int:
        """How many seeded anomalies the findings identify (the candidate does not see the truth itself)."""
        return sum(m.found for m in match_findings(self.findings, self.ledger.truth))

    # ------------------------------------------------------------------------------------------------ answer
    def reported(self) -> ReportedFigures:
        """The figures as the candidate saw them; the grader recomputes each one."""
        preview_cost = None
        if self.scheme is not None:
            preview_cost = round(projected_cost_per_period(self.preview(), self.world), 2)
        sim_cost, changes = None, {}
        if self.review is not None and self.review_is_current:
            sim_cost = round(float(self.review.cost["total"]), 2)
            table = self.review.kpis
            changes = {
                str(k): round(float(v), 6)
                for k, v in zip(table["kpi"], table["change"], strict=True)
                if v is not None and v == v  # skip missing and NaN
            }
        variance = audit_tools.budget_variance(self.ledger)["variance"] if self.findings else None
        return ReportedFigures(
            projected_cost_per_period=preview_cost,
            simulated_cost_total=sim_cost,
            simulated_kpi_change=changes,
            audit_budget_variance=None if variance is None else round(float(variance), 2),
        )

    @property
    def review_is_current(self) -> bool:
        """Whether the review was run on the scheme now adopted (else it describes an earlier design)."""
        return self.review is not None and self._review_scheme == self.scheme

    def checklist(self) -> list[ChecklistItem]:
        """What the T4 rubric looks for, each done or still to do: a scheme adopted, a simulation run on that
        scheme, an audit finding, the justification, the case discussion, the declaration."""
        return [
            ChecklistItem("candidate.check_t4_scheme", self.scheme is not None),
            ChecklistItem("candidate.check_t4_simulated", self.scheme is not None and self.review_is_current),
            ChecklistItem("candidate.check_t4_finding", bool(self.findings)),
            ChecklistItem("candidate.check_t4_justification", bool(self.justification.strip())),
            ChecklistItem("candidate.check_t4_discussion", bool(self.discussion.strip())),
            ChecklistItem("candidate.check_declared", self.declaration is not None),
        ]

    def _answer(self, header: dict[str, Any]) -> T4Answer:
        return T4Answer(
            **header,
            scheme=self._require_scheme(),
            reported=self.reported(),
            findings=list(self.findings),
            justification=self.justification,
            discussion=self.discussion,
        )

    def _resume(self, doc: T4Answer) -> None:
        """The scheme, findings and texts back from a saved document (the simulation is re-run only when asked)."""
        self.scheme = doc.scheme
        self.findings = list(doc.findings)
        self.justification = doc.justification
        self.discussion = doc.discussion

    def _require_scheme(self) -> Scheme:
        return self.require(self.scheme, "t4.no_scheme")
