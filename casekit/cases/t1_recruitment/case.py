"""The T1 case as one object: what the candidate's widgets and the demo's simulated candidates both drive.

It holds the world (regenerated from organisation + seed), the job specification and advertisement being written,
the structured interview kit and the review of the organisation's current one, the panel's ratings and the
selection, the turnover analysis and the drivers found, the retention plan and its six-month simulation, the
successors, the hire count, and the texts, and turns them into the answer document. All the logic lives here (or
in the modules it calls), never in a widget callback, so tests see it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import Any, TypeVar

import pandas as pd

from casekit.cases.base import Case, ChecklistItem, Memo, parse_part
from casekit.cases.t1_recruitment import selection as sel
from casekit.cases.t1_recruitment import succession, turnover
from casekit.cases.t1_recruitment.advert import AdvertIssue, JobAdvert, check_advert
from casekit.cases.t1_recruitment.answer import (
    Driver,
    InterviewQuestion,
    JobSpec,
    Reported,
    Selection,
    Staffing,
    Successor,
    T1Answer,
)
from casekit.cases.t1_recruitment.fairness import Flag, check_question
from casekit.cases.t1_recruitment.hiring import HiringNeed, hiring_need
from casekit.cases.t1_recruitment.retention import RetentionAction, RetentionReview, simulate_retention
from casekit.errors import AnswerError, Problem
from casekit.scenario import World
from casekit.scenario.catalogs import load_law
from casekit.scenario.recruitment import interview_ratings
from casekit.scenario.spec import minimum_wage

__all__ = ["PLACE_SHARE", "T1Case", "advert_rules", "places"]

T = TypeVar("T")

#: This round's places: a fifth of the applicant pool (at least three); the rest of the hires come later.
PLACE_SHARE = 0.2
DEFAULT_SHRINKAGE = 0.3


def places(world: World) -> int:
    """How many applicants this recruitment round offers a place to."""
    return max(3, round(PLACE_SHARE * len(world.applicants)))


def advert_rules(world: World) -> dict[str, Any]:
    """What an advertisement is checked against: the role's pay band, the year's minimum wage, the §5 II
    disclosure threshold."""
    vacancy = world.vacancy.iloc[0]
    wage = minimum_wage(world.spec.start_date.year) or {"monthly": 0}
    return {
        "band": (int(vacancy["pay_min"]), int(vacancy["pay_max"])),
        "minimum_monthly": int(wage["monthly"]),
        "disclosure_threshold": int(load_law()["job_ad_pay_disclosure_threshold"]),
    }


class T1Case(Case[T1Answer]):
    """One candidate's T1 case."""

    answer_model = T1Answer

    def __init__(
        self, org: str, seed: int, candidate_id: str, lang: str = "zh-TW", *, world: World | None = None
    ) -> None:
        super().__init__(org, seed, candidate_id, lang, world=world)
        self.job: JobSpec | None = None
        self.advert: JobAdvert | None = None
        self.kit: list[InterviewQuestion] = []
        self.kit_review: dict[str, str] = {}
        self.excluded_raters: list[str] = []
        self.selected: list[str] = []
        self.drivers: list[Driver] = []
        self.actions: list[RetentionAction] = []
        self.retention_review: RetentionReview | None = None
        self._reviewed_actions: list[RetentionAction] | None = None
        self.successors: list[Successor] = []
        self.staffing: Staffing | None = None
        self.turnover_method = "compound"
        #: the turnover figures as the candidate worked them out from the tools' tables (annual_turnover,
        #: voluntary_share, early_tenure_rate, cost_per_leaver); the grader recomputes each
        self.turnover_figures: dict[str, float] = {}
        self.justification = ""
        self.discussion = ""
        #: figures that depend only on the world and a part of the answer, by that part (ratings by the kit's
        #: competencies, the need by shrinkage, ...): a draft save asks for them after every change
        self._memo = Memo()

    # --------------------------------------------------------------------------------------------- the world
    @property
    def vacancy(self) -> dict[str, Any]:
        """The role to fill, its team and shift, the band, and why."""
        return {str(k): v for k, v in self.world.vacancy.iloc[0].to_dict().items()}

    @property
    def places(self) -> int:
        return places(self.world)

    # ------------------------------------------------------------------------------------- job and advert
    def set_job(self, data: Any) -> JobSpec:
        """Validate and adopt the job specification and description; AnswerError naming every problem."""
        job: JobSpec = parse_part(JobSpec, data, "job")
        self.job = job
        return job

    def set_advert(self, data: Any) -> JobAdvert:
        advert: JobAdvert = parse_part(JobAdvert, data, "advert")
        self.advert = advert
        return advert

    def advert_issues(self, advert: Any = None) -> list[AdvertIssue]:
        """What is unlawful in ``advert`` (a :class:`JobAdvert` or the form's mapping; default: the adopted one):
        the live check beside the form. AnswerError naming every problem when the form's data is not an advert."""
        chosen: JobAdvert | None = self.advert if advert is None else parse_part(JobAdvert, advert, "advert")
        return [] if chosen is None else check_advert(chosen, **advert_rules(self.world))

    # ------------------------------------------------------------------------------------------ interview kit
    def set_kit(self, questions: Iterable[Any]) -> list[InterviewQuestion]:
        """Validate and adopt the structured kit (the same questions, in this order, for every applicant)."""
        kit = [parse_part(InterviewQuestion, q, f"kit.{i}") for i, q in enumerate(questions)]
        self.kit = kit
        return kit

    @staticmethod
    def question_flags(text: str) -> tuple[Flag, ...]:
        """The fairness check of one question (就業服務法 §5): each flag names its ground and article."""
        return check_question(text)

    def current_kit(self) -> pd.DataFrame:
        """The organisation's current interview questions, each with the fairness check's flags."""
        kit = self.world.interview_kit.copy()
        text = kit["text_zh_tw"] if self.lang == "zh-TW" else kit["text_en"]
        kit["flags"] = [len(check_question(str(x))) for x in text]
        kit["decision"] = [self.kit_review.get(str(q), "") for q in kit["question_id"]]
        return kit

    def review_question(self, question_id: str, decision: str) -> None:
        """Keep or remove one of the current kit's questions."""
        known = sorted(str(q) for q in self.world.interview_kit["question_id"])
        if question_id not in known:
            raise AnswerError(
                [Problem("kit_review", "question_id", "expect.one_of", question_id, {"expected": ", ".join(known)})]
            )
        if decision not in ("keep", "remove"):
            raise AnswerError(
                [Problem("kit_review", question_id, "expect.one_of", decision, {"expected": "keep, remove"})]
            )
        self.kit_review[question_id] = decision

    # ------------------------------------------------------------------------------------------ selection
    def ratings(self) -> pd.DataFrame:
        """The three interviewers' ratings of every applicant on the kit's questions (Q1.. in kit order)."""
        return self._ratings(tuple(q.competency for q in self.kit))

    def _memoised(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        return self._memo.get(key, compute)

    def _ratings(self, competencies: tuple[str, ...]) -> pd.DataFrame:
        return self._memoised(("ratings", competencies), lambda: interview_ratings(self.world, list(competencies)))

    @property
    def weights(self) -> dict[str, float]:
        return {f"Q{i + 1}": q.weight for i, q in enumerate(self.kit)}

    def panel(self, exclude_raters: Sequence[str] | None = None) -> pd.DataFrame:
        """Panel scores, weighted by question, without the raters left out."""
        excluded = self.excluded_raters if exclude_raters is None else list(exclude_raters)
        scores = sel.panel_scores(self.ratings(), self.weights, exclude_raters=excluded)
        return scores.merge(self.world.applicants, on="applicant_id", how="left")

    def disagreements(self) -> pd.DataFrame:
        return sel.disagreements(self.ratings())

    def reliability(self, form: str = "ICC(2,1)") -> sel.IccResult:
        return sel.icc(self.ratings(), form=form)

    def rater_bias(self, by: str) -> pd.DataFrame:
        return sel.rater_bias(self.ratings(), self.world.applicants, by)

    def adverse_impact(self, by: str, selected: Sequence[str] | None = None) -> pd.DataFrame:
        return sel.adverse_impact(self.world.applicants, self.selected if selected is None else selected, by)

    def select(self, applicant_ids: Iterable[str], exclude_raters: Iterable[str] = ()) -> list[str]:
        known = set(self.world.applicants["applicant_id"])
        chosen = list(dict.fromkeys(applicant_ids))
        unknown = [a for a in chosen if a not in known]
        if unknown:
            allowed = {"expected": ", ".join(sorted(known))}
            raise AnswerError([Problem("selection", "selected", "expect.one_of", ", ".join(unknown), allowed)])
        raters = sorted(set(exclude_raters))
        stray = [r for r in raters if r not in set(self.ratings()["rater"])] if raters else []
        if stray:
            allowed = {"expected": ", ".join(sorted(set(self.ratings()["rater"])))}
            raise AnswerError([Problem("selection", "excluded_raters", "expect.one_of", ", ".join(stray), allowed)])
        self.selected = chosen
        self.excluded_raters = raters
        return self.selected

    # ------------------------------------------------------------------------------------------- turnover
    @cached_property
    def separation_rates(self) -> pd.DataFrame:
        return turnover.separation_rates(self.world)

    def annual_turnover(self, method: str | None = None) -> float:
        return turnover.annualised(self.separation_rates["rate"], method=method or self.turnover_method)

    def early_tenure(self) -> turnover.EarlyTenure:
        return turnover.early_tenure_attrition(self.world)

    def turnover_cost(self) -> turnover.TurnoverCost:
        return turnover.turnover_cost(self.world)

    def crosstab(self, cols: str) -> pd.DataFrame:
        return turnover.exit_crosstab(self.world, cols=cols)

    def set_turnover_figures(self, method: str, **figures: float | None) -> dict[str, float]:
        """The candidate's turnover figures and the annualisation method they used; AnswerError naming every
        problem (an unknown figure, a value out of range)."""
        data = {"turnover_method": method, **figures}
        reported: Reported = parse_part(Reported, data, "turnover")
        self.turnover_method = reported.turnover_method
        self.turnover_figures = {k: float(v) for k, v in figures.items() if v is not None}
        return self.turnover_figures

    def find_drivers(self) -> list[turnover.Driver]:
        return turnover.find_drivers(self.world)

    def set_drivers(self, drivers: Iterable[Any]) -> list[Driver]:
        self.drivers = [parse_part(Driver, d, f"drivers.{i}") for i, d in enumerate(drivers)]
        return self.drivers

    # ------------------------------------------------------------------------------------------ retention
    def set_actions(self, actions: Iterable[Any]) -> list[RetentionAction]:
        self.actions = [parse_part(RetentionAction, a, f"retention.{i}") for i, a in enumerate(actions)]
        return self.actions

    def simulate_retention(self, months: int = 6) -> RetentionReview:
        """Run the retention plan for ``months`` simulated months (the world reacts)."""
        self.retention_review = simulate_retention(self.world, self.actions, months)
        self._reviewed_actions = list(self.actions)
        return self.retention_review

    @property
    def retention_is_current(self) -> bool:
        return self.retention_review is not None and self._reviewed_actions == self.actions

    def team_leaders(self) -> pd.DataFrame:
        """The team leaders who need a successor (staff id, name, team, and how many of their team are ready)."""
        return self._memoised(("team_leaders",), lambda: succession.team_leaders(self.world))

    def readiness(self) -> pd.DataFrame:
        return succession.succession_readiness(self.world)

    def set_successors(self, successors: Iterable[Any]) -> list[Successor]:
        self.successors = [parse_part(Successor, s, f"successors.{i}") for i, s in enumerate(successors)]
        return self.successors

    # ------------------------------------------------------------------------------------------- staffing
    def hiring(self, shrinkage: float = DEFAULT_SHRINKAGE) -> HiringNeed:
        return self._memoised(
            ("hiring", shrinkage), lambda: hiring_need(self.world, shrinkage, self.annual_turnover("compound"))
        )

    def set_staffing(self, shrinkage: float, hires: int) -> Staffing:
        self.staffing = parse_part(Staffing, {"shrinkage": shrinkage, "hires": hires}, "staffing")
        return self.staffing

    # ------------------------------------------------------------------------------------------- answer
    def reported(self) -> Reported:
        """The figures as the candidate saw them; the grader recomputes each one."""
        figures: dict[str, Any] = {"turnover_method": self.turnover_method}
        if self.kit:
            competencies = tuple(q.competency for q in self.kit)
            figures["icc"], figures["disagreements"] = self._memoised(
                ("rating_figures", competencies),
                lambda: (round(self.reliability("ICC(2,1)").value, 4), len(self.disagreements())),
            )
        if self.selected:
            figures["adverse_impact"] = self._memoised(("impact", tuple(self.selected)), self._impact_ratios)
        figures.update(self.turnover_figures)
        if self.staffing is not None:
            need = self.hiring(self.staffing.shrinkage)
            figures["fte_need"] = round(need.need.fte, 2)
            figures["service_level"] = round(need.service_level(self.staffing.hires), 4)
        if self.retention_review is not None and self.retention_is_current:
            figures["avoided_leavers"] = round(float(self.retention_review.avoided), 2)
        return Reported(**figures)

    def _impact_ratios(self) -> dict[str, float]:
        """The selection's adverse-impact ratio of every gender and age-band group (``"gender:F"``)."""
        impact: dict[str, float] = {}
        for by in ("gender", "age_band"):
            table = self.adverse_impact(by)
            impact.update(
                {f"{by}:{g}": round(float(r), 4) for g, r in zip(table["group"], table["ratio"], strict=True)}
            )
        return impact

    def checklist(self) -> list[ChecklistItem]:
        """What the T1 rubric looks for, in the order the candidate works."""
        return [
            ChecklistItem("candidate.check_t1_job", self.job is not None),
            ChecklistItem("candidate.check_t1_advert", self.advert is not None),
            ChecklistItem("candidate.check_t1_kit", bool(self.kit)),
            ChecklistItem("candidate.check_t1_review", len(self.kit_review) == len(self.world.interview_kit)),
            ChecklistItem("candidate.check_t1_selection", bool(self.selected)),
            ChecklistItem("candidate.check_t1_turnover", "annual_turnover" in self.turnover_figures),
            ChecklistItem("candidate.check_t1_drivers", bool(self.drivers)),
            ChecklistItem("candidate.check_t1_retention", bool(self.actions) and self.retention_is_current),
            ChecklistItem("candidate.check_t1_successors", bool(self.successors)),
            ChecklistItem("candidate.check_t1_staffing", self.staffing is not None),
            ChecklistItem("candidate.check_t1_justification", bool(self.justification.strip())),
            ChecklistItem("candidate.check_t1_discussion", bool(self.discussion.strip())),
            ChecklistItem("candidate.check_declared", self.declaration is not None),
        ]

    def _answer(self, header: dict[str, Any]) -> T1Answer:
        return T1Answer(
            **header,
            job=self.require(self.job, "t1.no_job"),
            advert=self.require(self.advert, "t1.no_advert"),
            kit=list(self.kit),
            kit_review=dict(self.kit_review),
            selection=Selection(excluded_raters=list(self.excluded_raters), selected=list(self.selected)),
            drivers=list(self.drivers),
            retention=list(self.actions),
            successors=list(self.successors),
            staffing=self.staffing,
            reported=self.reported(),
            justification=self.justification,
            discussion=self.discussion,
        )

    def _resume(self, doc: T1Answer) -> None:
        self.job, self.advert = doc.job, doc.advert
        self.kit = list(doc.kit)
        self.kit_review = dict(doc.kit_review)
        self.excluded_raters = list(doc.selection.excluded_raters)
        self.selected = list(doc.selection.selected)
        self.drivers = list(doc.drivers)
        self.actions = list(doc.retention)
        self.successors = list(doc.successors)
        self.staffing = doc.staffing
        if doc.reported.avoided_leavers is not None and self.actions:
            self.simulate_retention()  # the review the saved figure came from (deterministic: the same figure)
        self.turnover_method = doc.reported.turnover_method
        names = ("annual_turnover", "voluntary_share", "early_tenure_rate", "cost_per_leaver")
        given = {n: getattr(doc.reported, n) for n in names}
        self.turnover_figures = {n: float(v) for n, v in given.items() if v is not None}
        self.justification, self.discussion = doc.justification, doc.discussion
