"""A toy case kind, registered with casekit from outside its package (entry point ``casekit.cases``: TOY).

Everything a kind declares, in about forty lines; its own logic is in :mod:`casekit_toy.logic`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from casekit.answers import AnswerDocument, AnswerSchema
from casekit.cases import Case, CaseKind, Graded, Profiles, Section, answer_of
from casekit.html import esc, html_table, num
from casekit.scenario import World
from casekit_toy.logic import CHECKS, grading_context, team_qa

HERE = Path(__file__).parent


class ToyAnswer(AnswerDocument):
    schema_version: int = 2
    case: Literal["TOY"] = "TOY"
    weakest_team: str = Field(min_length=1, max_length=20)
    qa_target: float = Field(ge=0, le=100)


class ToyCase(Case[ToyAnswer]):
    answer_model = ToyAnswer
    weakest_team: str = ""
    qa_target: float = 0.0

    def _answer(self, header: dict[str, Any]) -> ToyAnswer:
        return ToyAnswer(**header, weakest_team=self.weakest_team, qa_target=self.qa_target)

    def _resume(self, doc: ToyAnswer) -> None:
        self.weakest_team, self.qa_target = doc.weakest_team, doc.qa_target


def _upgrade_v1(doc: dict[str, Any]) -> dict[str, Any]:
    doc["weakest_team"] = doc.pop("team")  # version 1 called the field "team"
    return doc


def _qa_section(g: Graded, lang: str) -> str:
    qa, picked = team_qa(g.world), answer_of(g, ToyAnswer).weakest_team
    rows = [(esc(team) + (" ←" if team == picked else ""), num(v, 1)) for team, v in qa.items()]
    return html_table(["team", "QA"], rows)


def _build(profile: str, org: str, seed: int, cid: str, lang: str = "en", *, world: World | None = None) -> ToyCase:
    case = ToyCase(org, seed, cid, lang, world=world)
    qa = team_qa(case.world)
    case.weakest_team = str(qa.index[0] if profile == "right" else qa.index[-1])
    case.qa_target = round(float(qa.iloc[0]) + 2, 1)
    return case


KIND = CaseKind(
    id="TOY",
    title_key="toy.title",
    task="T3",
    elements=("P3.1", "E1"),
    answers=AnswerSchema("TOY", {2: ToyAnswer}, upgrades={1: _upgrade_v1}),
    case=ToyCase,
    checks=CHECKS,
    context=grading_context,
    sections=(Section("qa", "toy.h_qa", _qa_section),),
    rubrics=(HERE / "toy.yaml",),
    profiles=Profiles({"right": frozenset(), "wrong_team": frozenset({"TOY-C01", "TOY-C02"})}, _build),
    locales=HERE / "locales",
)
