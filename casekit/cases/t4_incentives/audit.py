"""Auditing last period's payouts (P4.4): the ledger as paid, with the anomalies the world seeded into it.

:func:`payout_ledger` pays the organisation's incumbent scheme (:mod:`~casekit.cases.t4_incentives.incumbent`)
for the world's last full calendar month, then seeds, from the world's own random stream ``t4-audit``, exactly five
anomalies: two calculation errors (digits transposed, or another role's rate used), one payment to an ineligible person
(a failed gate ignored, or a support-role person given a line), one bonus over its cap, and one unexplained
gender gap (the women of one team put on a lower scorecard rate; 性別平等工作法 §10). ``truth`` records them
for the grader; the candidate finds them with the tools in :mod:`casekit.cases.t4_incentives.audit_tools` and records
:class:`AuditFinding` objects, which :func:`assess_findings` matches one to one with the truth on specific evidence
(kind, period, the people or the gap's team, component), reporting each finding that matches nothing as unsupported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from casekit import months
from casekit.cases.t4_incentives.incumbent import incumbent_scheme
from casekit.cases.t4_incentives.payout import compute_payouts
from casekit.cases.t4_incentives.scheme import SCHEME_ROLES, Component, Scheme
from casekit.errors import Problem, SpecError, UsageError
from casekit.i18n import t
from casekit.scenario.rng import stream
from casekit.scenario.world import World
from casekit.validation import pydantic_problems

__all__ = [
    "ANOMALY_KINDS",
    "UNSUPPORTED_REASONS",
    "Anomaly",
    "AnomalyKind",
    "AuditFinding",
    "FindingError",
    "FindingMatch",
    "FindingsAssessment",
    "Ledger",
    "Unsupported",
    "UnsupportedReason",
    "assess_findings",
    "last_full_month",
    "match_findings",
    "parse_findings",
    "payout_ledger",
]

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


# --- the candidate's findings ----------------------------------------------------------------------------------


class AuditFinding(BaseModel):
    """An anomaly the candidate reports, with the corrective action proposed."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    kind: Literal["calculation_error", "ineligible_payment", "over_cap", "gender_gap", "other"]
    staff_ids: list[str] = Field(default_factory=list, max_length=1000)
    period: str
    component: str | None = Field(default=None, max_length=40)
    team: str | None = Field(default=None, max_length=20)
    description: str = Field(min_length=1, max_length=2000)
    corrective_action: str = Field(min_length=1, max_length=2000)

    @field_validator("period")
    @classmethod
    def _month(cls, value: str) -> str:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            raise PydanticCustomError("casekit_month", "a month YYYY-MM")
        return value

    @field_validator("staff_ids")
    @classmethod
    def _ids(cls, value: list[str]) -> list[str]:
        bad = [s for s in value if not re.fullmatch(r"[A-Za-z0-9_-]{1,20}", s)]
        if bad:
            raise PydanticCustomError("casekit_staff_ids", "staff ids", {"bad": bad[0]})
        return value


class FindingError(SpecError):
    """Findings are malformed (all problems at once)."""


def parse_findings(data: object, source: str = "findings") -> list[AuditFinding]:
    """Validate a list of finding mappings (e.g. from an answer document); every problem, each naming its field."""
    if not isinstance(data, list):
        raise FindingError([Problem(source, "", "expect.list", type(data).__name__)])
    findings, problems = [], []
    for k, item in enumerate(data):
        try:
            findings.append(AuditFinding.model_validate(item))
        except ValidationError as exc:
            problems += pydantic_problems(f"{source}[{k}]", exc, AuditFinding)
    if problems:
        raise FindingError(problems)
    return findings


@dataclass(frozen=True)
class FindingMatch:
    """Whether a seeded anomaly was found, and by which finding (its index in the list given)."""

    anomaly: Anomaly
    found: bool
    finding: int | None


UnsupportedReason = Literal[
    "no_such_kind", "wrong_period", "wrong_people", "several_teams", "too_many_people", "wrong_component", "duplicate"
]
#: Why a finding identifies no seeded anomaly, from the least to the most nearly right; a finding's reason is the
#: one it got furthest to over the anomalies of its kind (``duplicate``: it identifies one another finding took).
UNSUPPORTED_REASONS: tuple[UnsupportedReason, ...] = get_args(UnsupportedReason)


@dataclass(frozen=True)
class Unsupported:
    """A finding that identifies no seeded anomaly (its index in the list given), and why."""

    finding: int
    reason: UnsupportedReason

    def describe(self, lang: str | None = None) -> str:
        return t(f"t4audit.unsupported_{self.reason}", lang)


@dataclass(frozen=True)
class FindingsAssessment:
    """The one-to-one matching of the findings with the seeded anomalies: ``matches`` one per anomaly in the
    truth's order; ``unsupported`` each finding that matched none, in the findings' order, with its reason."""

    matches: tuple[FindingMatch, ...]
    unsupported: tuple[Unsupported, ...]

    @property
    def found(self) -> int:
        return sum(m.found for m in self.matches)

    def anomaly_of(self, finding: int) -> Anomaly | None:
        """The anomaly the finding at index ``finding`` is credited with, if any."""
        return next((m.anomaly for m in self.matches if m.finding == finding), None)


_RANK: dict[str, int] = {r: k for k, r in enumerate(UNSUPPORTED_REASONS)}
_Judged = tuple[UnsupportedReason | None, Fraction]


def _furthest(a: UnsupportedReason, b: UnsupportedReason) -> UnsupportedReason:
    return a if _RANK[a] >= _RANK[b] else b


def _names(text: str, team: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(team)}(?![A-Za-z0-9])", text, re.IGNORECASE) is not None


def _people(f: AuditFinding, a: Anomaly) -> _Judged:
    """The people rule: some of the finding's staff ids are the anomaly's, and at least half of them are."""
    named, affected = {s.casefold() for s in f.staff_ids}, {s.casefold() for s in a.staff_ids}
    common = len(named & affected)
    if not common:
        return "wrong_people", Fraction(0)
    if 2 * common < len(named):
        return "too_many_people", Fraction(0)
    return None, Fraction(common, len(named | affected))


def _team(f: AuditFinding, a: Anomaly, teams: frozenset[str]) -> UnsupportedReason | None:
    """The team rule of a gender gap: the ``team`` field is the anomaly's team; or, with no ``team`` given, the
    anomaly's team is the only known team the description names."""
    if not a.team:
        return "wrong_people"
    if f.team and f.team.strip():
        return None if f.team.strip().casefold() == a.team.casefold() else "wrong_people"
    named = {tm.casefold() for tm in teams if _names(f.description, tm)}
    if a.team.casefold() not in named:
        return "wrong_people"
    return None if len(named) == 1 else "several_teams"


def _judge(f: AuditFinding, a: Anomaly, teams: frozenset[str]) -> _Judged:
    """Why the finding (of the anomaly's kind) does not identify the anomaly, or None when it does; and how
    closely it names the anomaly's people (the Jaccard similarity; 1 for a gap identified by its team)."""
    if f.period != a.period:
        return "wrong_period", Fraction(0)
    why, score = _people(f, a)
    if a.kind == "gender_gap":
        by_team = _team(f, a, teams)
        if by_team is None:
            why, score = None, Fraction(1)
        elif why is not None:
            why = _furthest(why, by_team)
    if why is not None:
        return why, Fraction(0)
    if a.component and f.component and f.component.strip().casefold() != a.component.casefold():
        return "wrong_component", Fraction(0)
    return None, score


def _assign(candidates: list[list[tuple[Fraction, int]]], n_findings: int) -> list[int | None]:
    """The assignment of findings to anomalies, each finding at most once, that matches the most anomalies, then
    has the highest total score, then gives each anomaly in turn the earliest finding. ``candidates[i]`` are the
    (score, finding) pairs that identify anomaly ``i``, best first; an optimal assignment only ever uses one of an
    anomaly's best ``len(candidates)`` (any other could be swapped for an unused better one), so no more are
    tried: at most 6^5 assignments for the five anomalies."""
    tops = [c[: len(candidates)] for c in candidates]
    best: list[int | None] = [None] * len(tops)
    best_key: tuple[int, Fraction, tuple[int, ...]] = (0, Fraction(0), tuple(-n_findings for _ in tops))

    def walk(i: int, chosen: list[int | None], used: set[int], total: Fraction) -> None:
        nonlocal best, best_key
        if i == len(tops):
            order = tuple(-n_findings if k is None else -k for k in chosen)
            key = (sum(k is not None for k in chosen), total, order)
            if key > best_key:
                best, best_key = list(chosen), key
            return
        for score, k in tops[i]:
            if k not in used:
                walk(i + 1, [*chosen, k], used | {k}, total + score)
        walk(i + 1, [*chosen, None], used, total)

    walk(0, [], set(), Fraction(0))
    return best


def assess_findings(
    findings: Sequence[AuditFinding], truth: Ledger | Sequence[Anomaly], *, teams: Iterable[str] = ()
) -> FindingsAssessment:
    """Match the candidate's findings with the seeded anomalies one to one, and say why each other finding is
    unsupported.

    A finding *identifies* an anomaly when all of these hold:

    - the same ``kind`` (a kind no anomaly has, such as ``other``: ``no_such_kind``) and the same ``period``
      (``wrong_period``);
    - the people rule: at least one of its distinct staff ids (case aside) is one of the anomaly's people
      (``wrong_people``),
      and at least half of its distinct staff ids are (``too_many_people``), so it never names more than twice the
      anomaly's people: a finding listing everyone identifies nothing. For a gender gap the team rule is enough
      instead: its ``team`` field is the anomaly's team (case aside), or, when it gives no ``team``, the
      description names the anomaly's team and no other known team (``several_teams``: a description naming
      several teams does not count). A ``team`` field naming another team fails the team rule whatever the
      description says;
    - where both the anomaly and the finding name a component, the same one, case aside (``wrong_component``).

    Then each anomaly is credited with at most one identifying finding and each finding with at most one anomaly:
    the assignment that credits the most anomalies, then the highest total score (the Jaccard similarity of the
    finding's staff ids with the anomaly's people; 1 for a gender gap identified by its team), then the earliest
    finding for each anomaly in the truth's order. A finding credited with nothing is unsupported: ``duplicate``
    when it identifies an anomaly another finding is credited with, otherwise the reason it got furthest to over
    the anomalies of its kind, in the order of :data:`UNSUPPORTED_REASONS`.

    ``truth`` is the ledger (its teams are known teams) or its anomalies alone; the known teams, which a
    description may name, are also the anomalies' teams and any ``teams`` given (the world's staff teams).
    """
    known = set(teams)
    if isinstance(truth, Ledger):
        known |= {str(tm) for tm in truth.paid["team"].dropna().unique()}
        anomalies: Sequence[Anomaly] = truth.truth
    else:
        anomalies = truth
    known |= {a.team for a in anomalies if a.team}
    team_set = frozenset(tm for tm in (str(x).strip() for x in known) if tm)
    judged = [[_judge(f, a, team_set) if f.kind == a.kind else None for a in anomalies] for f in findings]
    candidates = [
        sorted(
            ((j[1], k) for k, row in enumerate(judged) if (j := row[i]) is not None and j[0] is None),
            key=lambda c: (-c[0], c[1]),
        )
        for i in range(len(anomalies))
    ]
    chosen = _assign(candidates, len(findings))
    matches = tuple(FindingMatch(a, k is not None, k) for a, k in zip(anomalies, chosen, strict=True))
    credited = {k for k in chosen if k is not None}
    unsupported = []
    for k, row in enumerate(judged):
        if k in credited:
            continue
        reason: UnsupportedReason = "no_such_kind"
        for j in row:
            if j is not None:
                reason = _furthest(reason, j[0] or "duplicate")
        unsupported.append(Unsupported(k, reason))
    return FindingsAssessment(matches, tuple(unsupported))


def match_findings(
    findings: Sequence[AuditFinding], truth: Ledger | Sequence[Anomaly], *, teams: Iterable[str] = ()
) -> list[FindingMatch]:
    """For each seeded anomaly, the finding credited with it under :func:`assess_findings` (one to one, on the
    kind, the period, the people or the gap's team, and the component)."""
    return list(assess_findings(findings, truth, teams=teams).matches)
