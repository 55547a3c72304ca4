"""Auditing last period's payouts (P4.4): the ledger as paid, with the anomalies the world seeded into it.

:func:`payout_ledger` pays the organisation's incumbent scheme (:mod:`~casekit.cases.t4_incentives.incumbent`)
for the world's last full calendar month, then seeds, from the world's own random stream ``t4-audit``, exactly five
anomalies: two calculation errors (digits transposed, or another role's rate used), one payment to an ineligible person
(a failed gate ignored, or a support-role person given a line), one bonus over its cap, and one unexplained
gender gap (the women of one team put on a lower scorecard rate; 性別平等工作法 §10). ``truth`` records them
for the grader; the candidate finds them with the tools in :mod:`casekit.cases.t4_incentives.audit_tools` and records
:class:`~casekit.cases.t4_incentives.findings.AuditFinding` objects, which
:func:`~casekit.cases.t4_incentives.findings.assess_findings` matches with the truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from casekit import months
from casekit.cases.t4_incentives.incumbent import incumbent_scheme
from casekit.cases.t4_incentives.payout import compute_payouts
from casekit.cases.t4_incentives.scheme import SCHEME_ROLES, Component, Scheme
from casekit.errors import UsageError
from casekit.i18n import t
from casekit.scenario.rng import stream
from casekit.scenario.world import World

__all__ = ["ANOMALY_KINDS", "Anomaly", "AnomalyKind", "Ledger", "last_full_month", "payout_ledger"]

AnomalyKind = Literal["calculation_error", "ineligible_payment", "over_cap", "gender_gap"]
ANOMALY_KINDS: tuple[str, ...] = get_args(AnomalyKind)
GAP_CUT = (0.15, 0.25)  # women's scorecard rate cut in the seeded team


@dataclass(frozen=True)
class Anomaly:
    """One anomaly seeded into the ledger: the grader's truth. ``expected`` is what the scheme pays, ``paid`` what
    was paid (sums over the lines for a gender gap); ``note_key`` is the catalog key that tells the story."""

    kind: AnomalyKind
    staff_ids: tuple[str, ...]
    period: str
    component: str | None
    team: str | None
    expected: float
    paid: float
    note_key: str

    def describe(self, lang: str | None = None) -> str:
        return t(
            self.note_key,
            lang,
            staff=", ".join(self.staff_ids),
            component=self.component or "-",
            team=self.team or "-",
            expected=f"{self.expected:,.2f}",
            paid=f"{self.paid:,.2f}",
        )


@dataclass(frozen=True)
class Ledger:
    """Last period's payout lines as paid (``PayoutResult.lines`` columns plus ``name`` and ``gender``), the
    anomalies seeded into them, the scheme they were paid under, the period and its base payroll (NT$)."""

    paid: pd.DataFrame = field(repr=False, compare=False)
    truth: tuple[Anomaly, ...]
    scheme: Scheme = field(repr=False)
    period: str
    base_payroll: float


def last_full_month(world: World) -> str:
    """The last calendar month (``YYYY-MM``) the world covers from its first to its last day; when it covers no
    month in full, the month it covers most days of (the later on a tie)."""
    return months.last_full_month(world.spec.start_date, world.days)


def payout_ledger(
    world: World, seed: int | None = None, *, inject: bool = True, scheme: Scheme | None = None
) -> Ledger:
    """Last full month's payouts under ``scheme`` (default: the incumbent), with the seeded anomalies unless
    ``inject`` is false. ``seed`` (default: the world's) only chooses the anomalies; same inputs, same ledger."""
    scheme = scheme or incumbent_scheme(world.spec, world.headcount)
    period = last_full_month(world)
    lines = compute_payouts(scheme, world.contacts, world.staff, [period]).lines
    if lines.empty:
        raise UsageError(t("t4audit.no_period", None, period=period))
    paid = lines.merge(world.staff[["staff_id", "name", "gender"]], on="staff_id", how="left")
    truth: tuple[Anomaly, ...] = ()
    if inject:
        paid, truth = _Injector(world, scheme, period, paid, seed).run()
    pay = world.pay
    base_payroll = float(pay.loc[pay["month"] == period, "base_pay"].sum())
    return Ledger(paid.reset_index(drop=True), truth, scheme, period, base_payroll)


class _Injector:
    """Seeds the anomalies into a copy of the paid lines; each anomaly touches different people."""

    def __init__(self, world: World, scheme: Scheme, period: str, paid: pd.DataFrame, seed: int | None) -> None:
        self.world, self.scheme, self.period = world, scheme, period
        self.paid = paid.copy()
        self.rng = stream(world.seed if seed is None else seed, "t4-audit")
        self.used: set[str] = set()
        self.gap_team = ""
        self.components = {c.id: c for c in scheme.components}

    def run(self) -> tuple[pd.DataFrame, tuple[Anomaly, ...]]:
        truth = [self._gender_gap(), self._over_cap(), self._ineligible()]
        truth += [self._calculation_error(), self._calculation_error()]
        paid = self.paid.sort_values(["period", "staff_id", "component"], kind="stable")
        return paid.reset_index(drop=True), tuple(truth)

    def _fail(self, kind: str) -> UsageError:
        return UsageError(t("t4audit.cannot_seed", None, kind=t(f"t4audit.kind_{kind}"), period=self.period))

    def _free(self, mask: pd.Series) -> pd.DataFrame:
        """Lines matching ``mask`` of people not yet used and outside the gender-gap team."""
        p = self.paid
        return p[mask & ~p["staff_id"].isin(self.used) & (p["team"] != self.gap_team)]

    def _choose(self, rows: pd.DataFrame) -> Any:
        return rows.index[int(self.rng.integers(len(rows)))]

    def _anomaly(self, kind: AnomalyKind, i: Any, expected: float, note: str) -> Anomaly:
        row = self.paid.loc[i]
        self.used.add(str(row["staff_id"]))
        return Anomaly(
            kind,
            (str(row["staff_id"]),),
            self.period,
            str(row["component"]),
            str(row["team"]),
            round(expected, 2),
            float(row["amount"]),
            note,
        )

    def _cap(self, component: str) -> float:
        cap = self.components[component].cap
        return np.inf if cap is None else cap

    def _set(self, i: Any, amount: float, raw: float | None = None) -> None:
        self.paid.loc[i, "amount"] = round(amount, 2)
        self.paid.loc[i, "amount_raw"] = round(amount if raw is None else raw, 2)
        self.paid.loc[i, "capped"] = False

    def _gender_gap(self) -> Anomaly:
        kinds = ("scorecard", "team_bonus", "tiered", "threshold_bonus", "commission")
        target = next((c for k in kinds for c in self.scheme.components if c.type == k), None)
        if target is None:
            raise self._fail("gender_gap")
        p = self.paid
        lines = p[(p["component"] == target.id) & (p["amount"] > 0)]
        counts = lines.groupby(["team", "gender"]).size().unstack(fill_value=0)
        counts = counts.reindex(columns=["F", "M"], fill_value=0)
        # prefer a team where the gap is plain to see; small, mostly-female centres may only have smaller groups
        teams: list[str] = []
        for women_min, men_min in ((3, 2), (2, 1)):
            teams = sorted(str(tm) for tm in counts.index[(counts["F"] >= women_min) & (counts["M"] >= men_min)])
            if teams:
                break
        if not teams:
            raise self._fail("gender_gap")
        team = teams[int(self.rng.integers(len(teams)))]
        cut = float(self.rng.uniform(*GAP_CUT))
        women = lines[(lines["team"] == team) & (lines["gender"] == "F")]
        expected = float(women["amount"].sum())
        for i in women.index:
            rate = round(float(p.loc[i, "rate"]) * (1 - cut) / 10) * 10.0
            raw = rate * float(p.loc[i, "units"])
            self.paid.loc[i, "rate"] = rate
            self._set(i, min(raw, self._cap(target.id)), raw)
        self.gap_team = team
        ids = tuple(sorted(str(s) for s in women["staff_id"]))
        self.used.update(ids)
        paid = round(float(self.paid.loc[women.index, "amount"].sum()), 2)
        return Anomaly("gender_gap", ids, self.period, target.id, team, expected, paid, "t4audit.note_gender_gap")

    def _over_cap(self) -> Anomaly:
        p = self.paid
        capped_ids = [c.id for c in self.scheme.components if c.cap is not None and c.type != "non_cash"]
        in_capped = p["component"].isin(capped_ids)
        natural = self._free(in_capped & p["capped"] & (p["amount_raw"] > p["amount"] + 1))
        if len(natural):
            i = self._choose(natural)
            expected = float(p.loc[i, "amount"])
            self._set(i, float(p.loc[i, "amount_raw"]))
            return self._anomaly("over_cap", i, expected, "t4audit.note_cap_not_applied")
        top = self._free(in_capped & (p["amount"] > 0)).sort_values(["amount", "staff_id"], ascending=[False, True])
        if top.empty:
            raise self._fail("over_cap")
        i = self._choose(top.head(5))
        expected = float(p.loc[i, "amount"])
        amount = round(self._cap(str(p.loc[i, "component"])) * float(self.rng.uniform(1.1, 1.3)) / 10) * 10.0
        self._set(i, amount)
        return self._anomaly("over_cap", i, expected, "t4audit.note_over_cap_topped_up")

    def _ineligible(self) -> Anomaly:
        p = self.paid
        cash = p["cash"] & (p["rate"] > 0) & (p["units"] > 0)
        failed = self._free(cash & p["eligible"] & ~p["gates_passed"])
        staff = self.world.staff
        support = staff[~staff["role"].isin(SCHEME_ROLES)].sort_values("staff_id")
        if len(failed) and (support.empty or self.rng.random() < 0.5):
            i = self._choose(failed)
            raw = float(p.loc[i, "rate"]) * float(p.loc[i, "units"])
            self.paid.loc[i, "gates_passed"] = True
            self._set(i, min(raw, self._cap(str(p.loc[i, "component"]))), raw)
            return self._anomaly("ineligible_payment", i, 0.0, "t4audit.note_gate_failed_paid")
        comp = next((c for c in self.scheme.components if c.type != "non_cash" and c.type != "commission"), None)
        if support.empty or comp is None:
            raise self._fail("ineligible_payment")
        person = support.loc[self._choose(support)]
        rate = comp.pay.get("agent", max(comp.pay.values()))
        units = round(float(self.rng.uniform(0.9, 1.1)), 4)
        raw = rate * units
        amount = round(min(raw, self._cap(comp.id)), 2)
        row = {
            "period": self.period,
            "staff_id": person["staff_id"],
            "role": person["role"],
            "team": person["team"],
            "component": comp.id,
            "type": comp.type,
            "cash": True,
            "eligible": True,
            "gates_passed": True,
            "rate": float(rate),
            "units": units,
            "amount_raw": round(raw, 2),
            "amount": amount,
            "capped": amount < raw - 1e-9,
            "name": person["name"],
            "gender": person["gender"],
        }
        self.paid = pd.concat([self.paid, pd.DataFrame([row])], ignore_index=True)
        return self._anomaly("ineligible_payment", self.paid.index[-1], 0.0, "t4audit.note_support_role_paid")

    def _calculation_error(self) -> Anomaly:
        p = self.paid
        rows = self._free(p["cash"] & p["eligible"] & p["gates_passed"] & ~p["capped"] & (p["amount"] >= 100))
        order = [rows.index[k] for k in self.rng.permutation(len(rows))]
        for i in order:
            slips = ["transposed", "wrong_rate"]
            if self.rng.random() < 0.5:
                slips.reverse()
            for slip in slips:
                amount = self._slip(slip, i)
                if amount is not None:
                    expected = float(p.loc[i, "amount"])
                    self._set(i, amount, amount)
                    return self._anomaly("calculation_error", i, expected, f"t4audit.note_{slip}")
        raise self._fail("calculation_error")

    def _slip(self, slip: str, i: Any) -> float | None:
        row = self.paid.loc[i]
        amount, cap = float(row["amount"]), self._cap(str(row["component"]))
        if slip == "transposed":
            digits = str(int(amount))
            spots = [k for k in range(len(digits) - 1) if digits[k] != digits[k + 1] and (k or digits[1] != "0")]
            if not spots:
                return None
            k = spots[int(self.rng.integers(len(spots)))]
            swapped = digits[:k] + digits[k + 1] + digits[k] + digits[k + 2 :]
            new = round(int(swapped) + amount - int(amount), 2)
        else:
            comp: Component = self.components[str(row["component"])]
            own = comp.pay.get(row["role"])
            prefer = {"agent": "senior_agent", "senior_agent": "agent", "team_leader": "senior_agent"}
            others = sorted((r for r, v in comp.pay.items() if v != own), key=lambda r: r != prefer.get(row["role"]))
            if not others:
                return None
            new = round(comp.pay[others[0]] * float(row["units"]), 2)
        return new if 0 < new <= cap and abs(new - amount) >= 1 else None
