"""T3's evidence of the appraisal: the rating the review period's data gives each member against the targets they
agreed, next to the candidate's rating; the results each member missed; the development plans with the problems the
grader found (no plan for a member below target, a plan on what is not their gap, an offer that does not move the
KPI, no owner, a late date, another measure); and recognition (deserved, undeserved, forgotten).

Figures come from the grading's cache (:mod:`~casekit.cases.t3_performance.checks_base`); every value from the
candidate goes through :func:`~casekit.html.esc`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from casekit.cases.sections import Graded, answer_of
from casekit.cases.t3_performance import checks_base as cb
from casekit.cases.t3_performance import development
from casekit.cases.t3_performance.answer import T3Answer
from casekit.cases.t3_performance.appraisal import RATINGS
from casekit.cases.t3_performance.evidence_more import (
    MAX_ROWS,
    flag,
    heads,
    kpi_label,
    member_names,
    more_rows,
    person,
    yes,
)
from casekit.cases.t3_performance.history import format_value
from casekit.html import esc, html_table, plain_list
from casekit.i18n import t
from casekit.kpi import format_count, format_share
from casekit.rubric.checks import cached

__all__ = ["appraisal_html", "rating_text"]


def rating_text(rating: Any, lang: str) -> str:
    if rating is None or rating != rating or int(rating) not in RATINGS:
        return "—"
    return t("t3evidence.rating", lang, rating=int(rating), word=t(f"t3evidence.rating_{RATINGS[int(rating)]}", lang))


def _ratings(g: Graded, lang: str) -> str:
    computed, names = cb.ratings(g.context), member_names(g)
    given = {r.staff_id: r for r in answer_of(g, T3Answer).appraisal}
    truth = {str(r["staff_id"]): r for r in computed.to_dict("records")}
    rows: list[tuple[bool, list[str]]] = []
    for staff in [str(s) for s in g.world.members["staff_id"]]:
        mine = given.get(staff)
        known = truth.get(staff)
        rating = None if known is None else int(known["rating"])
        bad = mine is None or rating is None or mine.rating != rating
        note = "unrated" if mine is None else "no_data" if rating is None else "differs" if bad else "same"
        text = t(f"t3evidence.rating_{note}", lang)
        cells = [
            person(staff, names),
            esc(format_count(known["kpis"])) if known else "—",
            esc(format_count(known["met"])) if known else "—",
            esc(format_count(known["exceeded"])) if known else "—",
            esc(format_share(known["share_met"])) if known else "—",
            esc(rating_text(rating, lang)),
            esc(rating_text(mine.rating if mine else None, lang)),
            flag(text) if bad else esc(text),
            esc(mine.comment) if mine else "",
        ]
        rows.append((bad, cells))
    rows.sort(key=lambda r: not r[0])
    spec = g.world.spec.appraisal
    intro = t(
        "t3evidence.ratings_intro",
        lang,
        meets=format_share(spec.ratings.meets, 0),
        partly=format_share(spec.ratings.partly, 0),
        margin=format_share(spec.exceed_margin, 0),
        differ=format_count(sum(b for b, _ in rows)),
    )
    columns = heads(lang, "member", "kpis", "met", "exceeded", "share_met", "rating_data", "rating_given", "status")
    table = html_table([*columns, *heads(lang, "comment")], [c for _, c in rows])
    return f"<p>{esc(intro)}</p>" + table


def _results(g: Graded, lang: str) -> str:
    results, names = cb.results(g.context), member_names(g)
    results = results.assign(order=results["met"].astype(bool)).sort_values(["order", "staff_id"], kind="mergesort")
    rows = [
        [
            person(str(r["staff_id"]), names),
            esc(kpi_label(str(r["kpi"]), lang)),
            esc(format_value(str(r["kpi"]), r["target"])),
            esc(format_value(str(r["kpi"]), r["actual"])),
            yes(True, lang) if r["met"] else f'<strong class="t3-missed">{yes(False, lang)}</strong>',
            yes(bool(r["exceeded"]), lang),
            esc(format_share(r["shortfall"])),
        ]
        for r in results.to_dict("records")
    ]
    missed = int((~results["met"].astype(bool)).sum())
    intro = t("t3evidence.results_intro", lang, results=format_count(len(results)), missed=format_count(missed))
    columns = heads(lang, "member", "kpi", "target", "actual", "met", "exceeded", "shortfall")
    table = html_table(columns, rows[:MAX_ROWS], empty=t("t3evidence.no_results", lang))
    return f"<p>{esc(intro)}</p>" + table + more_rows(min(len(rows), MAX_ROWS), len(rows), lang)


def _plans(g: Graded, lang: str) -> str:
    answer, names = answer_of(g, T3Answer), member_names(g)
    members = set(names)
    plans = [p for p in answer.development if p.staff_id in members]

    def compute() -> pd.DataFrame:
        return development.plan_problems(g.world, cb.results(g.context), cb.ratings(g.context), plans)

    problems = cached(g.context, "plan_problems", compute)
    by_member: dict[str, list[str]] = {}
    for s, p in zip(problems["staff_id"], problems["problem"], strict=True):
        by_member.setdefault(str(s), []).append(str(p))
    offers = g.world.training.set_index("offer_id")
    rows = []
    for p in answer.development:
        found = [x for x in by_member.get(p.staff_id, []) if x != "missing"]
        offer = "—"
        if p.offer_id is not None:
            title = (
                offers.loc[p.offer_id, "title_zh_tw" if lang == "zh-TW" else "title_en"]
                if p.offer_id in offers.index
                else p.offer_id
            )
            offer = esc(title)
        text = plain_list([flag(t(f"t3evidence.plan_problem_{x}", lang)) for x in found], lang) if found else ""
        rows.append(
            [
                person(p.staff_id, names),
                esc(kpi_label(p.kpi, lang)),
                esc(t(f"t3evidence.action_{p.action}", lang)),
                offer,
                person(p.owner, names),
                esc(p.due.isoformat()),
                esc(kpi_label(p.measure, lang)),
                esc(format_value(p.measure, p.target)),
                text or esc(t("t3evidence.no_plan_problems", lang)),
            ]
        )
    missing = sorted(s for s, x in by_member.items() if "missing" in x)
    rows += [[person(s, names), *["—"] * 7, flag(t("t3evidence.plan_problem_missing", lang))] for s in missing]
    below = int((cb.ratings(g.context)["rating"] <= 2).sum())
    intro = t("t3evidence.plans_intro", lang, below=format_count(below), plans=format_count(len(answer.development)))
    columns = heads(lang, "member", "kpi", "action", "offer", "owner", "due", "measure", "target", "problems")
    return f"<p>{esc(intro)}</p>" + html_table(columns, rows, empty=t("t3evidence.no_plans", lang))


def _recognition(g: Graded, lang: str) -> str:
    answer, names = answer_of(g, T3Answer), member_names(g)
    computed = cb.ratings(g.context)
    rating = dict(zip(computed["staff_id"].astype(str), computed["rating"], strict=True))
    rows = []
    for r in answer.recognition:
        low = rating.get(r.staff_id, 0) <= 2 and r.staff_id in rating
        status = t("t3evidence.recognition_undeserved" if low else "t3evidence.recognition_ok", lang)
        cells = [esc(t(f"t3evidence.recognition_{r.kind}", lang)), esc(r.note), flag(status) if low else esc(status)]
        rows.append([person(r.staff_id, names), esc(rating_text(rating.get(r.staff_id), lang)), *cells])
    given = {r.staff_id for r in answer.recognition}
    forgotten = sorted(s for s, v in rating.items() if int(v) == 4 and s not in given)
    text = flag(t("t3evidence.recognition_forgotten", lang))
    rows += [[person(s, names), esc(rating_text(4, lang)), "—", "", text] for s in forgotten]
    columns = heads(lang, "member", "rating_data", "kind", "note", "status")
    return html_table(columns, rows, empty=t("t3evidence.no_recognition", lang))


def appraisal_html(g: Graded, lang: str) -> str:
    """Ratings from the data against the candidate's, the results missed, development plans and recognition."""
    return (
        _ratings(g, lang)
        + f"<h4>{esc(t('t3evidence.h_results', lang))}</h4>"
        + _results(g, lang)
        + f"<h4>{esc(t('t3evidence.h_development', lang))}</h4>"
        + _plans(g, lang)
        + f"<h4>{esc(t('t3evidence.h_recognition', lang))}</h4>"
        + _recognition(g, lang)
    )
