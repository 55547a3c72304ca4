"""The candidate's audit findings (P4.4) and how they are matched with the anomalies seeded into the ledger
(:mod:`~casekit.cases.t4_incentives.audit`): :class:`AuditFinding` objects, which :func:`assess_findings` matches one
to one with the truth on specific evidence (kind, period, the people or the gap's team, component), reporting each
finding that matches nothing as unsupported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from casekit.cases.t4_incentives.audit import Anomaly, Ledger
from casekit.errors import Problem, SpecError
from casekit.i18n import t
from casekit.validation import pydantic_problems

__all__ = [
    "UNSUPPORTED_REASONS",
    "AuditFinding",
    "FindingError",
    "FindingMatch",
    "FindingsAssessment",
    "Unsupported",
    "UnsupportedReason",
    "assess_findings",
    "match_findings",
    "parse_findings",
]


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
