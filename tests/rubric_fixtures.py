"""A small rubric and answers shared by the rubric and gradebook tests.

The rubric has four criteria mapped to P4.1, P4.2 and E1, all by method M2; three are checked automatically with
the built-in checks and one (T4-C04) is judged by an assessor.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from casekit.rubric import AssessorMark, CheckContext, Rubric, parse_rubric

RUBRIC_YAML = """\
schema_version: 1
id: T4-demo
case: T4
title: {zh-TW: 薪資與激勵方案（測試）, en: Pay and incentives (test)}
criteria:
  - id: T4-C01
    title: {zh-TW: 訂定個人 KPI, en: Individual KPIs set}
    elements: [P4.1, K6]
    method: M2
    essential: true
    levels: &levels
      - {id: met, descriptor: {zh-TW: 已訂定, en: Set}}
      - {id: not_yet_met, descriptor: {zh-TW: 尚未訂定, en: Not set yet}}
    judged_by: {check: field_present, params: {path: kpis.individual}}
  - id: T4-C02
    title: {zh-TW: 訂定團體 KPI, en: Team KPIs set}
    elements: [P4.1, E1]
    method: M2
    essential: false
    levels: *levels
    judged_by: {check: min_count, params: {path: kpis.team, min: 2}}
  - id: T4-C03
    title: {zh-TW: 依職責設定獎勵, en: Rewards fit responsibilities}
    elements: [P4.2, E1, S6]
    method: M2
    essential: true
    levels: *levels
    judged_by: {check: field_present, params: {path: rewards}}
  - id: T4-C04
    title: {zh-TW: 個案討論, en: Case discussion}
    elements: [P4.2]
    method: M2
    essential: true
    levels: *levels
    judged_by: {assessor: true}
"""

GOOD_ANSWER: dict[str, Any] = {
    "kpis": {"individual": ["aht", "qa"], "team": ["service_level", "csat"]},
    "rewards": {"bonus_share": 0.1},
}
NO_REWARDS: dict[str, Any] = {"kpis": GOOD_ANSWER["kpis"]}


def rubric() -> Rubric:
    return parse_rubric(RUBRIC_YAML, "rubrics/T4-demo.yaml")


def write_rubric(folder: Path, text: str = RUBRIC_YAML, name: str = "T4-demo.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def context(answer: dict[str, Any] | None = None) -> CheckContext:
    return CheckContext(answer=GOOD_ANSWER if answer is None else answer)


def mark(
    criterion_id: str = "T4-C04",
    result: str = "met",
    *,
    assessor: str = "assessor-a",
    time: str = "2025-03-01T10:00:00+08:00",
    reason: str = "explained the scheme's link to each role's duties",
) -> AssessorMark:
    return AssessorMark(criterion_id, assessor, result, reason, time)  # type: ignore[arg-type]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
