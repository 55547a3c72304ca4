"""T2's evidence sections: the data problems of the skills records and how each was handled, the skills audit
(gap totals by kind and the needs by role), the induction of every new starter, the training plan, its evaluation,
and the written texts. Static HTML (tables and inline SVG); plain functions of the graded submission, so tests call
them without a kernel. The plan and the evaluation are in :mod:`~casekit.cases.t2_training.evidence_plan`.

Every value that came from the candidate (ids, texts) goes through :func:`~casekit.html.esc`; figures go through
casekit's formatters; names of skills, roles and induction topics come from the catalogs. Figures the checks
computed are read from the grading's cache (the helpers of :mod:`~casekit.cases.t2_training.checks_base` keep them
there), never computed twice.
"""

from __future__ import annotations

from typing import Final

from casekit.cases.sections import Graded, Section, answer_of, free_text_section
from casekit.cases.t2_training import audit as audit_mod
from casekit.cases.t2_training import checks_base as cb
from casekit.cases.t2_training.answer import DataIssue, Induction, T2Answer
from casekit.cases.t2_training.audit import CATEGORIES
from casekit.cases.t2_training.checks_more import induction_faults
from casekit.cases.t2_training.evidence_plan import (
    MAX_ROWS,
    evaluation_html,
    heads,
    kind_label,
    more_rows,
    plan_html,
    role_label,
    skill_label,
    topic_label,
    yes,
)
from casekit.html import bar_chart, esc, html_table, plain_list
from casekit.i18n import t
from casekit.kpi import format_count, format_number
from casekit.scenario.catalogs import load_skills

__all__ = ["SECTIONS", "fault_text"]

_NEED_COLUMNS: Final = (
    "role",
    "skill",
    "kind",
    "kind_given",
    "people_given",
    "people_real",
    "priority_given",
    "priority_real",
    "critical_given",
    "policy",
)
_FAULTS: Final = ("no_plan", "missing", "after_go_live", "late", "go_live_window", "buddy", "trainer")


def _figure(value: float | None) -> str:
    """A gap total: whole when it is whole, one decimal otherwise; ``-`` when missing."""
    if value is None:
        return format_number(None)
    return format_number(value, 0 if float(value).is_integer() else 1)


def _names(g: Graded) -> dict[str, str]:
    return dict(zip(g.world.staff["staff_id"].astype(str), g.world.staff["name"].astype(str), strict=True))


def _person(staff_id: str, names: dict[str, str]) -> str:
    """A staff id with the person's name (the id alone when the world has no such person)."""
    name = names.get(staff_id)
    return esc(staff_id) if name is None else f"{esc(staff_id)} {esc(name)}"


# --------------------------------------------------------------------------------------------------- records
#: How a problem of the records fared, in the order the table shows them.
_OUTCOMES: Final = ("missed", "wrong", "found")


def _issue_row(
    names: dict[str, str], issue: DataIssue | None, fact: tuple[str, str | None, str, str], lang: str
) -> list[str]:
    """staff, skill (or the whole record), problem, assessed on, the candidate's handling (— when not listed)."""
    staff, skill, problem, assessed = fact
    skill_text = t("t2evidence.whole_record", lang) if skill is None else skill_label(skill, lang)
    action = t(f"t2evidence.action_{issue.action}", lang) if issue is not None else "—"
    return [
        _person(staff, names),
        esc(skill_text),
        esc(t(f"t2evidence.problem_{problem}", lang)),
        esc(assessed),
        esc(action),
    ]


def _records(g: Graded, lang: str) -> str:
    """Each problem the records have (a missing assessment per person and skill, an out-of-date record per person)
    found or missed as the check counts it, then what the candidate listed that the records do not have."""
    answer = answer_of(g, T2Answer)
    listed, names = answer.data_issues, _names(g)
    missing: list[tuple[str, str, str]] = []
    stale: dict[str, str] = {}
    issues = audit_mod.data_issues(g.world)
    dates = issues["assessed_on"].astype(object).where(issues["assessed_on"].notna(), "—").astype(str)
    for s, k, p, d in zip(issues["staff_id"], issues["skill_id"], issues["problem"], dates, strict=True):
        if p == "missing":
            missing.append((str(s), str(k), d))
        else:
            stale.setdefault(str(s), d)
    pairs = {(i.staff_id, i.skill_id): i for i in listed if i.problem == "missing" and i.skill_id is not None}
    whole = {i.staff_id: i for i in listed if i.problem == "missing" and i.skill_id is None}
    stale_listed = {i.staff_id: i for i in listed if i.problem == "stale"}
    real = {s for s, _, _ in missing} | set(stale)
    rows: list[tuple[str, list[str]]] = []
    for s, k, d in missing:
        issue = pairs.get((s, k)) or whole.get(s)
        rows.append(("missed" if issue is None else "found", _issue_row(names, issue, (s, k, "missing", d), lang)))
    for s, d in stale.items():
        issue = stale_listed.get(s)
        rows.append(("missed" if issue is None else "found", _issue_row(names, issue, (s, None, "stale", d), lang)))
    wrong = [i for i in listed if i.staff_id not in real]
    rows += [("wrong", _issue_row(names, i, (i.staff_id, i.skill_id, i.problem, "—"), lang)) for i in wrong]
    rows.sort(key=lambda r: _OUTCOMES.index(r[0]))
    cells = [[*c, esc(t(f"t2evidence.outcome_{o}", lang))] for o, c in rows[:MAX_ROWS]]
    count = {o: sum(1 for x, _ in rows if x == o) for o in _OUTCOMES}
    summary = t(
        "t2evidence.records_summary",
        lang,
        missing=format_count(len(missing)),
        stale=format_count(len(stale)),
        since=audit_mod.stale_before(g.world).isoformat(),
        listed=format_count(len(listed)),
        found=format_count(count["found"]),
        missed=format_count(count["missed"]),
        wrong=format_count(count["wrong"]),
        reassess=format_count(sum(1 for i in listed if i.action == "reassess")),
        assume=format_count(sum(1 for i in listed if i.action == "assume_gap")),
    )
    table = html_table(
        heads(lang, "staff", "skill", "problem", "assessed_on", "action", "outcome"),
        cells,
        empty=t("t2evidence.no_problems", lang),
    )
    return f'<p class="t2-records">{esc(summary)}</p>' + table + more_rows(len(cells), len(rows), lang)


# ----------------------------------------------------------------------------------------------------- audit
def _totals(g: Graded, lang: str) -> str:
    """The gap total of each kind as reported, as the records give it once handled as the candidate chose, and
    with every record at its true current level; a chart of the reported and recomputed totals."""
    reported = answer_of(g, T2Answer).reported
    given = {"technology": reported.gap_technology, "customer_service": reported.gap_customer_service}
    handled = cb.handled_audit(g.context).totals()
    true = cb.true_audit(g.context).totals()
    rows = []
    labels, values = [], []
    for kind in CATEGORIES:
        mine, found = given[kind], float(handled[kind])
        diff = None if mine is None else mine - found
        rows.append(
            [
                esc(kind_label(kind, lang)),
                esc(_figure(mine)),
                esc(_figure(found)),
                esc("-" if diff is None else format_number(diff, 0 if diff.is_integer() else 1, signed=True)),
                esc(_figure(float(true[kind]))),
            ]
        )
        for which, value in (("reported", mine), ("recomputed", found)):
            if value is not None:
                labels.append(t(f"t2evidence.bar_{which}", lang, kind=kind_label(kind, lang)))
                values.append(float(value))
    table = html_table(heads(lang, "kind", "reported", "recomputed", "difference", "true_gap"), rows)
    chart = bar_chart(labels, values, title=t("t2evidence.chart_gaps", lang))
    return table + chart


def _needs(g: Graded, lang: str) -> str:
    """Every need the policy says to address (real gaps above the threshold, compliance-critical ones whatever
    their priority) against the candidate's needs, then the needs they listed that the policy does not require."""
    answer = answer_of(g, T2Answer)
    above = cb.true_above(g.context)
    truth = cb.true_audit(g.context).needs
    priorities = {
        (str(r), str(s)): float(p) for r, s, p in zip(truth["role"], truth["skill_id"], truth["priority"], strict=True)
    }
    by_need = above.groupby(["role", "skill_id"], sort=False).agg(
        people=("staff_id", "nunique"), critical=("compliance_critical", "any")
    )
    by_need = by_need.reset_index()
    required = {
        (str(r), str(s)): int(n)
        for r, s, n in zip(by_need["role"], by_need["skill_id"], by_need["people"], strict=True)
    }
    critical = {
        (str(r), str(s)): bool(c)
        for r, s, c in zip(by_need["role"], by_need["skill_id"], by_need["critical"], strict=True)
    }
    listed = {(n.role, n.skill_id): n for n in answer.needs}
    kinds = {x.id: x.category for x in load_skills()}
    rows = []
    for key in [*required, *(k for k in listed if k not in required)]:
        role, skill = key
        need = listed.get(key)
        policy = ("critical" if critical.get(key, False) else "above") if key in required else "below"
        rows.append(
            [
                esc(role_label(role, lang)),
                esc(skill_label(skill, lang)),
                esc(kind_label(kinds.get(skill, ""), lang)),
                esc(kind_label(need.kind, lang)) if need is not None else "—",
                esc(format_count(need.people)) if need is not None else "—",
                esc(format_count(required[key])) if key in required else "—",
                esc(format_number(need.priority, 1)) if need is not None else "—",
                esc(format_number(priorities[key], 1)) if key in priorities else "—",
                yes(need.critical, lang) if need is not None else "—",
                esc(t(f"t2evidence.policy_{policy}", lang)),
            ]
        )
    intro = t(
        "t2evidence.needs_intro",
        lang,
        threshold=format_number(g.world.spec.training.priority_threshold, 1),
        required=format_count(len(required)),
        listed=format_count(len(listed)),
        absent=format_count(sum(1 for k in required if k not in listed)),
    )
    columns = heads(lang, *_NEED_COLUMNS)
    return f"<p>{esc(intro)}</p>" + html_table(columns, rows, empty=t("t2evidence.no_needs", lang))


def _audit(g: Graded, lang: str) -> str:
    return _totals(g, lang) + f"<h4>{esc(t('t2evidence.h_needs', lang))}</h4>" + _needs(g, lang)


# ------------------------------------------------------------------------------------------------- induction
def fault_text(code: str, lang: str, window: tuple[int, int]) -> str:
    """A fault of an induction (the check's code, ``kind`` or ``kind:topic``) in plain language."""
    kind, _, topic = code.partition(":")
    if kind not in _FAULTS:
        return code
    return t(f"t2evidence.fault_{kind}", lang, topic=topic_label(topic, lang), low=window[0], high=window[1])


def _steps(plan: Induction, lang: str) -> str:
    """The plan's topics by day, one a line, each with who leads it."""
    steps = sorted(plan.steps, key=lambda s: (s.day, s.topic))
    return "<br>".join(
        esc(
            t(
                "t2evidence.step",
                lang,
                day=s.day,
                topic=topic_label(s.topic, lang),
                owner=t(f"t2evidence.owner_{s.owner}", lang),
            )
        )
        for s in steps
    )


def _induction(g: Graded, lang: str) -> str:
    """Each new starter's induction with the faults the check found (read from the grading's cache), then any plan
    for a starter the organisation does not have."""
    answer = answer_of(g, T2Answer)
    faults = induction_faults(g.context)
    low, high = (int(x) for x in g.world.spec.training.go_live_days)
    names = _names(g)
    plans = {p.starter_id: p for p in answer.induction}
    starters = g.world.new_starters
    rows = []
    for s in starters.itertuples():
        sid = str(s.starter_id)
        plan = plans.get(sid)
        found = faults.get(sid, [])
        fault_list = plain_list([esc(fault_text(f, lang, (low, high))) for f in found], lang) if found else ""
        rows.append(
            [
                f"{esc(sid)} {esc(s.name)}",
                esc(s.team),
                esc(format_count(s.week)),
                _person(plan.buddy, names) if plan else "—",
                _person(plan.trainer, names) if plan else "—",
                esc(format_count(plan.go_live_day)) if plan else "—",
                _steps(plan, lang) if plan else "—",
                fault_list or esc(t("t2evidence.no_faults", lang)),
            ]
        )
    known = set(starters["starter_id"].astype(str))
    for sid, plan in plans.items():
        if sid not in known:
            rows.append(
                [
                    esc(sid),
                    "—",
                    "—",
                    _person(plan.buddy, names),
                    _person(plan.trainer, names),
                    esc(format_count(plan.go_live_day)),
                    _steps(plan, lang),
                    esc(t("t2evidence.fault_unknown_starter", lang)),
                ]
            )
    intro = t(
        "t2evidence.induction_intro",
        lang,
        starters=format_count(len(starters)),
        low=low,
        high=high,
        faulty=format_count(len(faults)),
    )
    columns = heads(lang, "starter", "team", "start_week", "buddy", "trainer", "go_live_day", "steps", "faults")
    return f"<p>{esc(intro)}</p>" + html_table(columns, rows, empty=t("t2evidence.no_starters", lang))


SECTIONS: Final = (
    Section("t2-records", "t2evidence.section_records", _records),
    Section("t2-audit", "t2evidence.section_audit", _audit),
    Section("t2-induction", "t2evidence.section_induction", _induction),
    Section("t2-plan", "t2evidence.section_plan", plan_html),
    Section("t2-evaluation", "t2evidence.section_evaluation", evaluation_html),
    free_text_section(
        "t2-texts",
        "t2evidence.section_texts",
        [("justification", "t2evidence.h_justification"), ("discussion", "t2evidence.h_discussion")],
    ),
)
