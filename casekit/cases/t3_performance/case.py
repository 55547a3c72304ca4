"""The T3 case as one object: what the candidate's widgets and the demo's simulated candidates both drive.

It holds the world (regenerated from organisation + seed) and the section the candidate manages: its members, their
KPI history and the band each target is judged against; the KPI set of every role; the targets proposed to each
member and what the simulated member says back; the agreements recorded; the review calendar and the data plan;
then, once every member's KPIs are agreed, the review period's results against the agreed targets, the ratings,
development plans and recognition, and the texts. All the logic lives here or in the modules it calls, never in a
widget callback, so tests see it.

The review period's data is the world's hidden truth: the case shows it only once the appraisal is open (every
member agreed on every KPI of their role's set), as a manager sees the quarter's figures only after it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any, TypeVar

import pandas as pd

from casekit.cases.base import Case, ChecklistItem, Memo, parse_part, unknown_id
from casekit.cases.t3_performance import appraisal, development, history, response
from casekit.cases.t3_performance import calendar as calendar_mod
from casekit.cases.t3_performance.answer import (
    Agreement,
    DataSource,
    DevPlan,
    KpiSet,
    Rating,
    Recognition,
    Reported,
    Review,
    T3Answer,
    answer_problems,
)
from casekit.errors import AnswerError, Problem, UsageError
from casekit.i18n import t
from casekit.scenario import World
from casekit.scenario.catalogs import KpiDef, load_kpi_catalog
from casekit.scenario.performance import AppraisalCalendar, appraisal_calendar

__all__ = ["MEMO_SIZE", "T3Case", "agreed_targets", "missing_agreements", "unknown_ids"]

T = TypeVar("T")
#: How many figures a case keeps memoised (member responses by proposal, results by agreements).
MEMO_SIZE = 64


def unknown_ids(doc: T3Answer, world: World, source: str = "answer") -> list[Problem]:
    """Ids in ``doc`` the section or the world does not have (members, offers), each named with its field."""
    members = set(world.members["staff_id"])
    offers = set(world.training["offer_id"])
    problems: list[Problem] = []

    def need(ok: bool, field: str, got: str, known: Collection[str]) -> None:
        if not ok:
            problems.append(unknown_id(source, field, got, known))

    for part in ("agreements", "reviews", "appraisal", "development", "recognition"):
        for i, item in enumerate(getattr(doc, part)):
            need(item.staff_id in members, f"{part}.{i}.staff_id", item.staff_id, members)
    for i, plan in enumerate(doc.development):
        need(plan.owner in members, f"development.{i}.owner", plan.owner, members)
        if plan.offer_id is not None:
            need(plan.offer_id in offers, f"development.{i}.offer_id", plan.offer_id, offers)
    return problems


def set_kpis(world: World, kpi_sets: Iterable[KpiSet]) -> pd.DataFrame:
    """Every member x every KPI of their role's set: ``staff_id, role, kpi`` (a role without a set has none)."""
    by_role = {s.role: list(s.kpis) for s in kpi_sets}
    rows = [
        (staff_id, role, kpi)
        for staff_id, role in zip(world.members["staff_id"], world.members["role"], strict=True)
        for kpi in by_role.get(role, [])
    ]
    return pd.DataFrame(rows, columns=["staff_id", "role", "kpi"])


def missing_agreements(world: World, kpi_sets: Iterable[KpiSet], agreements: Iterable[Agreement]) -> pd.DataFrame:
    """The member x KPI pairs of the sets that have no agreement recorded: ``staff_id, role, kpi``."""
    wanted = set_kpis(world, kpi_sets)
    done = {(a.staff_id, a.kpi) for a in agreements}
    keep = [(s, k) not in done for s, k in zip(wanted["staff_id"], wanted["kpi"], strict=True)]
    return wanted[keep].reset_index(drop=True)


def agreed_targets(agreements: Iterable[Agreement]) -> dict[tuple[str, str], float]:
    """The agreed value of every (member, KPI) agreement."""
    return {(a.staff_id, a.kpi): a.agreed for a in agreements}


class T3Case(Case[T3Answer]):
    """One candidate's T3 case."""

    answer_model = T3Answer

    def __init__(
        self, org: str, seed: int, candidate_id: str, lang: str = "zh-TW", *, world: World | None = None
    ) -> None:
        super().__init__(org, seed, candidate_id, lang, world=world)
        self.kpi_sets: dict[str, KpiSet] = {}
        self.agreements: dict[tuple[str, str], Agreement] = {}
        self.reviews: list[Review] = []
        self.data_plan: list[DataSource] = []
        self.appraisal: dict[str, Rating] = {}
        self.development: list[DevPlan] = []
        self.recognition: list[Recognition] = []
        self.justification = ""
        self.discussion = ""
        #: figures that depend on the world and a part of the answer, by that part (bounded: every target a
        #: candidate tries leaves responses)
        self._memo = Memo(MEMO_SIZE)
        #: figures of the world alone (histories, bands, the calendar): kept for the case's life
        self._fixed = Memo()

    def _world_figure(self, key: str, compute: Callable[[], T]) -> T:
        return self._fixed.get(key, compute)

    def _adopt(self, source: str, **parts: Any) -> None:
        """Validate ``parts`` as they will sit in the answer (ids against the world); AnswerError naming each."""
        doc = T3Answer.model_construct(**parts)  # the other parts at their defaults; the header is not read
        problems = answer_problems(doc, source) + unknown_ids(doc, self.world, source)
        if problems:
            raise AnswerError(problems)

    # ------------------------------------------------------------------------------------------ the section
    def calendar(self) -> AppraisalCalendar:
        """The case's dates: the history's end, the review period, when agreements and the appraisal are due."""
        return self._world_figure("calendar", lambda: appraisal_calendar(self.world))

    @property
    def policy(self) -> dict[str, Any]:
        """The organisation's performance-management policy, as the case brief states it."""
        spec = self.world.spec.appraisal
        return {
            "pip_review_days": spec.pip_review_days,
            "appraisal_within_days": spec.appraisal_within_days,
            "ramp_days": spec.ramp_days,
            "meets": spec.ratings.meets,
            "partly": spec.ratings.partly,
            "exceed_margin": spec.exceed_margin,
        }

    def members(self) -> pd.DataFrame:
        """The section's members with their PIP (start date and KPI) if they are on one."""
        pips = self.world.pips.rename(columns={"start_date": "pip_start", "kpi": "pip_kpi"})
        out = self.world.members.merge(pips[["staff_id", "pip_start", "pip_kpi"]], on="staff_id", how="left")
        out["on_pip"] = out["pip_start"].notna()
        return out

    def pips(self) -> pd.DataFrame:
        return self.world.pips

    def catalog(self) -> list[KpiDef]:
        return list(load_kpi_catalog())

    def kpis_for(self, role: str) -> list[str]:
        """The catalog's KPIs that can measure a member of ``role`` (the data exists for them)."""
        return [k.id for k in load_kpi_catalog() if role in k.roles]

    def history(self) -> pd.DataFrame:
        """Every member's KPI history by month (long: ``staff_id, month, kpi, value``)."""
        return self._world_figure("history", lambda: history.member_history(self.world))

    def peers(self) -> pd.DataFrame:
        """The distribution targets are judged against: the same KPIs for every person (or team) of the world."""
        return self._world_figure("peers", lambda: history.peer_history(self.world))

    def bands(self) -> pd.DataFrame:
        """Each member's band per KPI: worst and best month, median, the peers' 95th percentile, floor, ceiling."""
        return self._world_figure("bands", lambda: history.bands(self.world))

    # ------------------------------------------------------------------------------------------- KPI sets
    def set_kpi_sets(self, sets: Iterable[Any]) -> list[KpiSet]:
        """Adopt the KPI set of every role; AnswerError naming every problem (unknown role or KPI, repeats)."""
        parsed = [parse_part(KpiSet, x, f"kpi_sets.{i}") for i, x in enumerate(sets)]
        self._adopt("kpi_sets", kpi_sets=parsed)
        self.kpi_sets = {s.role: s for s in parsed}
        return parsed

    def wanted(self) -> pd.DataFrame:
        """Every member x KPI the sets ask to be agreed: ``staff_id, role, kpi``."""
        return set_kpis(self.world, self.kpi_sets.values())

    # ------------------------------------------------------------------------------------ the agreements
    def propose(self, rows: Iterable[tuple[str, str, float]]) -> pd.DataFrame:
        """What each member says to the targets proposed to them: ``staff_id, kpi, target, verdict, reason, best,
        ceiling, comment`` (their words, in the case's language)."""
        chosen = tuple((str(s), str(k), float(v)) for s, k, v in rows)
        return self._memo.get(("propose", chosen), lambda: self._responses(chosen))

    def _responses(self, rows: tuple[tuple[str, str, float], ...]) -> pd.DataFrame:
        members = set(self.world.members["staff_id"])
        unknown = sorted({s for s, _, _ in rows} - members)
        if unknown:
            raise UsageError(t("t3.unknown_member", self.lang, ids=", ".join(unknown)))
        frame = response.respond_all(self.world, rows, bands=self.bands())
        frame["comment"] = [response.comment(r, self.lang) for r in frame.itertuples(index=False)]
        return frame

    def set_agreements(self, items: Iterable[Any]) -> list[Agreement]:
        """Adopt the agreements (replacing those of the same member and KPI); AnswerError naming every problem."""
        parsed = [parse_part(Agreement, x, f"agreements.{i}") for i, x in enumerate(items)]
        self._adopt("agreements", agreements=parsed)  # named by their place in ``items``; none given twice
        self.agreements = {**self.agreements, **{(a.staff_id, a.kpi): a for a in parsed}}
        return parsed

    def clear_agreements(self) -> None:
        self.agreements = {}

    def missing_agreements(self) -> pd.DataFrame:
        """The member x KPI pairs of the sets with no agreement yet."""
        return missing_agreements(self.world, self.kpi_sets.values(), self.agreements.values())

    # ------------------------------------------------------------------------------ calendar, data plan
    def set_reviews(self, items: Iterable[Any]) -> list[Review]:
        parsed = [parse_part(Review, x, f"reviews.{i}") for i, x in enumerate(items)]
        self._adopt("reviews", reviews=parsed)
        self.reviews = parsed
        return parsed

    def review_problems(self) -> pd.DataFrame:
        """What the review calendar still lacks: a month without a one-to-one, no appraisal, a PIP review late."""
        rows = tuple((r.staff_id, r.kind, r.date) for r in self.reviews)
        return self._memo.get(("reviews", rows), lambda: calendar_mod.review_problems(self.world, rows))

    def set_data_plan(self, items: Iterable[Any]) -> list[DataSource]:
        parsed = [parse_part(DataSource, x, f"data_plan.{i}") for i, x in enumerate(items)]
        self._adopt("data_plan", data_plan=parsed)
        self.data_plan = parsed
        return parsed

    # ------------------------------------------------------------------------------------------ appraisal
    def appraisal_open(self) -> bool:
        """Whether the review period's figures can be shown: every member agreed on every KPI of their set."""
        if not self.kpi_sets or not self.agreements:
            return False
        sets = tuple((r, tuple(s.kpis)) for r, s in sorted(self.kpi_sets.items()))
        key = ("open", sets, frozenset(self.agreements))
        return self._memo.get(key, lambda: self.missing_agreements().empty)

    def _agreed(self) -> tuple[tuple[tuple[str, str], float], ...]:
        return tuple(sorted(agreed_targets(self.agreements.values()).items()))

    def results(self) -> pd.DataFrame:
        """The review period's result of every agreed KPI against its target; UsageError until the appraisal is
        open."""
        if not self.appraisal_open():
            raise UsageError(t("t3.appraisal_closed", self.lang))
        agreed = self._agreed()
        actuals = self._world_figure("review_results", lambda: history.review_results(self.world))
        return self._memo.get(("results", agreed), lambda: appraisal.results(self.world, dict(agreed), actuals=actuals))

    def ratings(self) -> pd.DataFrame:
        """The rating the data gives each member (the organisation's rule applied to the results)."""
        agreed = self._agreed()
        return self._memo.get(("ratings", agreed), lambda: appraisal.ratings(self.world, self.results()))

    def main_gaps(self) -> pd.DataFrame:
        return appraisal.main_gap(self.results())

    def linked_offers(self, kpi: str) -> list[str]:
        """The world's training offers whose skills move ``kpi``."""
        return development.linked_offers(self.world, kpi)

    def set_appraisal(self, items: Iterable[Any]) -> list[Rating]:
        parsed = [parse_part(Rating, x, f"appraisal.{i}") for i, x in enumerate(items)]
        self._adopt("appraisal", appraisal=parsed)
        self.appraisal = {r.staff_id: r for r in parsed}
        return parsed

    def set_development(self, items: Iterable[Any]) -> list[DevPlan]:
        parsed = [parse_part(DevPlan, x, f"development.{i}") for i, x in enumerate(items)]
        self._adopt("development", development=parsed)
        self.development = parsed
        return parsed

    def development_problems(self) -> pd.DataFrame:
        """What the development plans still lack, by member: missing, not the gap, an unlinked offer, ..."""
        results = self.results()
        return development.plan_problems(self.world, results, self.ratings(), self.development)

    def set_recognition(self, items: Iterable[Any]) -> list[Recognition]:
        parsed = [parse_part(Recognition, x, f"recognition.{i}") for i, x in enumerate(items)]
        self._adopt("recognition", recognition=parsed)
        self.recognition = parsed
        return parsed

    # --------------------------------------------------------------------------------------------- answer
    def reported(self) -> Reported:
        """The figures as the candidate saw them; the grader recomputes each one."""
        figures: dict[str, Any] = {"members": len(self.world.members)}
        if self.agreements:
            figures["objections"] = sum(a.member_verdict == "object" for a in self.agreements.values())
        if self.appraisal_open():
            rated = self.ratings()["rating"]
            figures["below_target"] = int((rated <= 2).sum())
            figures["exceeds"] = int((rated == 4).sum())
        return Reported(**figures)

    def checklist(self) -> list[ChecklistItem]:
        """What the T3 rubric looks for, in the order the candidate works."""
        roles = set(self.world.members["role"])
        return [
            ChecklistItem("candidate.check_t3_sets", roles <= set(self.kpi_sets)),
            ChecklistItem("candidate.check_t3_agreements", self.appraisal_open()),
            ChecklistItem("candidate.check_t3_calendar", bool(self.reviews) and self.review_problems().empty),
            ChecklistItem("candidate.check_t3_data_plan", bool(self.data_plan)),
            ChecklistItem("candidate.check_t3_appraisal", set(self.world.members["staff_id"]) <= set(self.appraisal)),
            ChecklistItem("candidate.check_t3_justification", bool(self.justification.strip())),
            ChecklistItem("candidate.check_t3_discussion", bool(self.discussion.strip())),
            ChecklistItem("candidate.check_declared", self.declaration is not None),
        ]

    def _answer(self, header: dict[str, Any]) -> T3Answer:
        return T3Answer(
            **header,
            kpi_sets=[self.kpi_sets[r] for r in sorted(self.kpi_sets)],
            agreements=[self.agreements[k] for k in sorted(self.agreements)],
            reviews=list(self.reviews),
            data_plan=list(self.data_plan),
            appraisal=[self.appraisal[s] for s in sorted(self.appraisal)],
            development=list(self.development),
            recognition=list(self.recognition),
            reported=self.reported(),
            justification=self.justification,
            discussion=self.discussion,
        )

    def _resume(self, doc: T3Answer) -> None:
        self.kpi_sets = {s.role: s for s in doc.kpi_sets}
        self.agreements = {(a.staff_id, a.kpi): a for a in doc.agreements}
        self.reviews = list(doc.reviews)
        self.data_plan = list(doc.data_plan)
        self.appraisal = {r.staff_id: r for r in doc.appraisal}
        self.development = list(doc.development)
        self.recognition = list(doc.recognition)
        self.justification, self.discussion = doc.justification, doc.discussion
