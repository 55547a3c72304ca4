"""Pure data shaping between T1's form fields and the mappings the case validates. Nothing here validates: every
mapping goes through a :class:`~casekit.cases.t1_recruitment.case.T1Case` method, which names every problem.

Units: shares (turnover, a retention action's expected reduction) are typed in % on the forms, as the tables show
them, and stored as shares (25 on the form is 0.25 in the document); money in whole NT$. An optional number is a
text field (blank = not given); a text that is not a number is passed on as it is, so the model names the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from casekit.cases.t1_recruitment.advert import JobAdvert
from casekit.cases.t1_recruitment.answer import ANCHOR_LEVELS, InterviewQuestion, JobSpec
from casekit.cases.t1_recruitment.retention import RetentionAction
from casekit.errors import AnswerError, Problem
from casekit.widgets.render import number_text, optional

__all__ = [
    "ANCHOR_LEVELS",
    "FIGURES",
    "JOB_TEXTS",
    "action_data",
    "action_fields",
    "advert_data",
    "advert_fields",
    "figure_data",
    "from_percent",
    "job_data",
    "job_fields",
    "lines",
    "number_text",
    "optional",
    "question_data",
    "question_fields",
    "skill_rows",
    "to_percent",
]

#: the job specification's free-text fields, in the form's order
JOB_TEXTS = ("qualifications", "knowledge", "special_requirements", "responsibilities", "capability")
#: the turnover figures the candidate reports: name -> typed in % (else NT$)
FIGURES: dict[str, bool] = {
    "annual_turnover": True,
    "voluntary_share": True,
    "early_tenure_rate": True,
    "cost_per_leaver": False,
}


def lines(text: str) -> list[str]:
    """One item per non-blank line, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def from_percent(text: str) -> Any:
    """A percentage typed in a text field as a share (``"25"`` -> 0.25); None when blank; other text as it is."""
    given = optional(text)
    if given is None:
        return None
    try:
        return float(given) / 100
    except ValueError:
        return given


def to_percent(value: float | None) -> str:
    return "" if value is None else number_text(round(float(value) * 100, 8))


def skill_rows(skills: Mapping[str, int]) -> list[dict[str, Any]]:
    return [{"skill": skill, "level": level} for skill, level in skills.items()]


def _skills(rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """The skill rows as skill -> level; a skill listed twice is a problem (the second would hide the first)."""
    out: dict[str, int] = {}
    twice = []
    for row in rows:
        skill = str(row["skill"])
        if skill in out:
            twice.append(skill)
        out[skill] = int(row["level"])
    if twice:
        raise AnswerError([Problem("job", "skills", "expect.unique_items", ", ".join(sorted(set(twice))))])
    return out


def job_data(fields: Mapping[str, Any], skills: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The job specification's mapping from its form (``fields`` by JobSpec field name, ``skills`` the rows)."""
    data = {name: fields[name] for name in JobSpec.model_fields if name in fields and name != "skills"}
    for name, value in data.items():
        if isinstance(value, str):
            data[name] = value.strip()
    data["skills"] = _skills(skills)
    return data


def job_fields(job: JobSpec) -> dict[str, Any]:
    """The form fields that show ``job`` (the inverse of :func:`job_data`, skills apart)."""
    return {name: getattr(job, name) for name in JobSpec.model_fields if name != "skills"}


def advert_data(
    *, title: str, text: str, pay_min: str, pay_max: str, pay_negotiable: bool, requested_data: str
) -> dict[str, Any]:
    return {
        "title": title.strip(),
        "text": text.strip(),
        "pay_min": optional(pay_min),
        "pay_max": optional(pay_max),
        "pay_negotiable": pay_negotiable,
        "requested_data": lines(requested_data),
    }


def advert_fields(advert: JobAdvert) -> dict[str, Any]:
    return {
        "title": advert.title,
        "text": advert.text,
        "pay_min": number_text(advert.pay_min),
        "pay_max": number_text(advert.pay_max),
        "pay_negotiable": advert.pay_negotiable,
        "requested_data": "\n".join(advert.requested_data),
    }


def question_data(row: Mapping[str, Any]) -> dict[str, Any]:
    """One question's mapping from its row; blank anchors are left out."""
    anchors = {level: str(row[f"anchor_{level}"]).strip() for level in ANCHOR_LEVELS}
    return {
        "text": str(row["text"]).strip(),
        "competency": row["competency"],
        "type": row["type"],
        "weight": row["weight"],
        "anchors": {level: text for level, text in anchors.items() if text},
    }


def question_fields(question: InterviewQuestion) -> dict[str, Any]:
    anchors = {f"anchor_{level}": question.anchors.get(level, "") for level in ANCHOR_LEVELS}
    return {
        "text": question.text,
        "competency": question.competency,
        "type": question.type,
        "weight": question.weight,
        **anchors,
    }


def action_data(row: Mapping[str, Any]) -> dict[str, Any]:
    """One retention action's mapping from its row: texts stripped, the expected reduction from % to a share."""
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items()}
    data["expected_reduction"] = float(row["expected_reduction"]) / 100
    return data


def action_fields(action: RetentionAction) -> dict[str, Any]:
    data = action.model_dump()
    data["expected_reduction"] = round(float(action.expected_reduction) * 100, 8)
    return data


def figure_data(texts: Mapping[str, str]) -> dict[str, Any]:
    """The turnover figures from their text fields: % to shares, NT$ as typed; blank ones left out (None)."""
    return {name: from_percent(texts[name]) if pct else optional(texts[name]) for name, pct in FIGURES.items()}
