"""T1's evidence sections: the job and its advertisement, the interview kit, the selection, the turnover analysis,
the retention plan with its simulated months and the successors, the hire count, and the written texts. Static
HTML (tables and inline SVG); plain functions of the graded submission, so tests call them without a kernel.

Every value that came from the candidate (texts, ids, scopes) goes through :func:`~casekit.html.esc`; figures go
through casekit's formatters; names of skills, roles and exit factors come from the catalogs.
"""

from __future__ import annotations

from typing import Final

from casekit.cases.sections import Graded, Section, answer_of, free_text_section
from casekit.cases.t1_recruitment import checks as ck
from casekit.cases.t1_recruitment import selection as sel
from casekit.cases.t1_recruitment.advert import check_advert
from casekit.cases.t1_recruitment.answer import T1Answer
from casekit.cases.t1_recruitment.case import advert_rules, places
from casekit.cases.t1_recruitment.fairness import check_question
from casekit.cases.t1_recruitment.retention import addresses_driver
from casekit.html import bar_chart, esc, html_table, plain_list
from casekit.i18n import t
from casekit.kpi import format_count, format_money, format_number, format_share
from casekit.scenario.catalogs import EXIT_FACTORS, load_roles, load_skills
from casekit.scenario.recruitment import job_competence

__all__ = ["SECTIONS", "factor_label", "scope_label", "skill_label"]

SHIFTS: Final = ("early", "day", "late", "night")


def skill_label(skill: str, lang: str) -> str:
    names = {s.id: s.label(lang) for s in load_skills()}
    return names.get(skill, skill)


def factor_label(factor: str, lang: str) -> str:
    return t(f"t1evidence.factor_{factor}", lang) if factor in EXIT_FACTORS else factor


def scope_label(scope: str, lang: str) -> str:
    """``team:T03`` -> "team T03"; ``shift:late`` -> "late shift"; ``all`` -> "everyone"."""
    kind, _, value = scope.partition(":")
    if kind == "team":
        return t("t1evidence.scope_team", lang, team=value)
    if kind == "shift":
        return t(
            "t1evidence.scope_shift", lang, shift=t(f"t1evidence.shift_{value}", lang) if value in SHIFTS else value
        )
    return t("t1evidence.scope_all", lang) if scope == "all" else scope


def _yes(flag: bool, lang: str) -> str:
    return esc(t("t1evidence.yes" if flag else "t1evidence.no", lang))


def _job(g: Graded, lang: str) -> str:
    answer = answer_of(g, T1Answer)
    job, ad = answer.job, answer.advert
    role = next((r for r in load_roles() if r.id == job.role), None)
    required = role.required_skills if role else {}
    rows = [
        [esc(skill_label(s, lang)), esc(format_count(level)), esc(format_count(required.get(s, 0)))]
        for s, level in job.skills.items()
    ]
    rows += [[esc(skill_label(s, lang)), "—", esc(format_count(v))] for s, v in required.items() if s not in job.skills]
    heads = [t(f"t1evidence.col_{c}", lang) for c in ("skill", "asked", "role_requires")]
    pay = t("t1evidence.pay_range", lang, low=format_money(job.pay_min, lang), high=format_money(job.pay_max, lang))
    issues = check_advert(ad, **advert_rules(g.world))
    issue_list = (
        plain_list([esc(i.explain(lang)) for i in issues], lang) if issues else esc(t("t1evidence.lawful", lang))
    )
    ad_pay = (
        t("t1evidence.pay_range", lang, low=format_money(ad.pay_min, lang), high=format_money(ad.pay_max, lang))
        if ad.pay_min is not None and ad.pay_max is not None
        else t("t1evidence.negotiable", lang)
    )
    experience = t("t1evidence.experience", lang, months=job.experience_months)
    return (
        f"<p><b>{esc(job.title)}</b> · {esc(pay)} · {esc(experience)}</p>"
        + html_table(heads, rows)
        + f"<h4>{esc(t('t1evidence.h_advert', lang))}</h4><p><b>{esc(ad.title)}</b> · {esc(ad_pay)}</p>"
        + f'<blockquote class="ck-text">{esc(ad.text)}</blockquote><p>{issue_list}</p>'
    )


def _kit(g: Graded, lang: str) -> str:
    answer = answer_of(g, T1Answer)
    rows = []
    for i, q in enumerate(answer.kit, start=1):
        flags = check_question(q.text)
        flag_text = plain_list([esc(f.explain(lang)) for f in flags], lang) if flags else "—"
        rows.append(
            [f"Q{i}", esc(q.text), esc(skill_label(q.competency, lang)), esc(format_count(len(q.anchors))), flag_text]
        )
    heads = [t(f"t1evidence.col_{c}", lang) for c in ("question", "text", "competency", "anchors", "flags")]
    labels = g.world.truth["kit_labels"]
    current = g.world.interview_kit
    review = []
    for qid, zh, en in zip(current["question_id"], current["text_zh_tw"], current["text_en"], strict=True):
        fair = bool(labels[str(qid)]["fair"])
        decision = answer.kit_review.get(str(qid), "")
        right = decision == "remove" or fair
        review.append(
            [
                esc(zh if lang == "zh-TW" else en),
                _yes(fair, lang),
                esc(t(f"t1evidence.decision_{decision or 'none'}", lang)),
                _yes(right, lang),
            ]
        )
    review_heads = [t(f"t1evidence.col_{c}", lang) for c in ("text", "fair", "decision", "right")]
    return (
        html_table(heads, rows)
        + f"<h4>{esc(t('t1evidence.h_current_kit', lang))}</h4>"
        + html_table(review_heads, review)
    )


def _selection(g: Graded, lang: str) -> str:
    answer = answer_of(g, T1Answer)
    context = g.context
    truth = job_competence(g.world)
    ratings = ck.ratings(context)
    icc = sel.icc(ratings, form=answer.reported.icc_form)
    intro = t(
        "t1evidence.selection_intro",
        lang,
        places=places(g.world),
        selected=len(answer.selection.selected),
        excluded=", ".join(answer.selection.excluded_raters) or "—",
        form=icc.form,
        icc=format_number(icc.value),
        disagreements=len(sel.disagreements(ratings)),
    )
    applicants = g.world.applicants.set_index("applicant_id")
    rank = truth.rank(ascending=False, method="first")
    rows = [
        [
            esc(a),
            esc(applicants.loc[a, "gender"]) if a in applicants.index else "—",
            esc(applicants.loc[a, "age_band"]) if a in applicants.index else "—",
            esc(format_count(rank.get(a, 0))),
        ]
        for a in answer.selection.selected
    ]
    heads = [t(f"t1evidence.col_{c}", lang) for c in ("applicant", "gender", "age_band", "true_rank")]
    impact = []
    for by in ck.GROUPINGS:
        known = [a for a in answer.selection.selected if a in applicants.index]
        table = sel.adverse_impact(g.world.applicants, known, by)
        for row in table.itertuples():
            impact.append(
                [
                    esc(t(f"t1evidence.by_{by}", lang)),
                    esc(row.group),
                    esc(format_count(row.selected)),
                    esc(format_count(row.applicants)),
                    esc(format_share(row.rate)),
                    esc(format_number(row.ratio)),
                    _yes(bool(row.flagged), lang),
                ]
            )
    impact_heads = [
        t(f"t1evidence.col_{c}", lang) for c in ("by", "group", "selected", "applicants", "rate", "ratio", "flagged")
    ]
    return (
        f"<p>{esc(intro)}</p>"
        + html_table(heads, rows)
        + f"<h4>{esc(t('t1evidence.h_impact', lang))}</h4>"
        + html_table(impact_heads, impact)
        + f"<p>{esc(t('t1evidence.small_sample', lang))}</p>"
    )


def _turnover(g: Graded, lang: str) -> str:
    answer = answer_of(g, T1Answer)
    rates = ck.rates(g.context)
    chart = bar_chart(
        [str(m) for m in rates["month"]],
        [float(r) * 100 for r in rates["rate"]],
        title=t("t1evidence.chart_rates", lang),
        unit="%",
    )
    truth = {(d["factor"], d["scope"]) for d in g.world.truth["turnover_drivers"]}
    named = {(d.factor, d.scope) for d in answer.drivers}
    rows = [
        [
            esc(factor_label(f, lang)),
            esc(scope_label(s, lang)),
            _yes((f, s) in named, lang),
            _yes((f, s) in truth, lang),
        ]
        for f, s in sorted(truth | named)
    ]
    heads = [t(f"t1evidence.col_{c}", lang) for c in ("factor", "scope", "named", "seeded")]
    return chart + f"<h4>{esc(t('t1evidence.h_drivers', lang))}</h4>" + html_table(heads, rows)


def _retention(g: Graded, lang: str) -> str:
    answer = answer_of(g, T1Answer)
    review = ck.retention_review(g.context)
    drivers = list(g.world.truth["turnover_drivers"])
    rows = [
        [
            esc(factor_label(a.factor, lang)),
            esc(scope_label(a.scope, lang)),
            esc(a.description),
            esc(format_money(a.cost_per_month, lang)),
            esc(a.owner),
            esc(a.measure),
            _yes(addresses_driver(a, drivers), lang),
        ]
        for a in answer.retention
    ]
    heads = [
        t(f"t1evidence.col_{c}", lang) for c in ("factor", "scope", "action", "cost", "owner", "measure", "on_driver")
    ]
    summary = t("t1evidence.retention_summary", lang, avoided=format_number(review.avoided, 1))
    successors = [
        [esc(s.team_leader), esc(s.staff_id), esc(t(f"t1evidence.readiness_{s.readiness}", lang))]
        for s in answer.successors
    ]
    succ_heads = [t(f"t1evidence.col_{c}", lang) for c in ("team_leader", "successor", "readiness")]
    return (
        html_table(heads, rows)
        + f"<p>{esc(summary)}</p>"
        + f"<h4>{esc(t('t1evidence.h_successors', lang))}</h4>"
        + html_table(succ_heads, successors)
    )


def _staffing(g: Graded, lang: str) -> str:
    answer = answer_of(g, T1Answer)
    if answer.staffing is None:
        return f"<p>{esc(t('t1evidence.no_staffing', lang))}</p>"
    need = ck.hiring(g.context, answer.staffing.shrinkage)
    text = t(
        "t1evidence.staffing",
        lang,
        shrinkage=format_share(answer.staffing.shrinkage),
        observed=format_share(ck.observed_shrinkage(g.world)),
        fte=format_number(need.need.fte, 1),
        current=format_number(need.current_fte, 1),
        leavers=format_number(need.expected_leavers, 1),
        hires=answer.staffing.hires,
        low=need.min_hires,
        high=need.max_hires,
        level=format_share(need.service_level(answer.staffing.hires)),
        target=format_share(need.target_sl),
    )
    return f"<p>{esc(text)}</p>"


SECTIONS: Final = (
    Section("t1-job", "t1evidence.section_job", _job),
    Section("t1-kit", "t1evidence.section_kit", _kit),
    Section("t1-selection", "t1evidence.section_selection", _selection),
    Section("t1-turnover", "t1evidence.section_turnover", _turnover),
    Section("t1-retention", "t1evidence.section_retention", _retention),
    Section("t1-staffing", "t1evidence.section_staffing", _staffing),
    free_text_section(
        "t1-texts",
        "t1evidence.section_texts",
        [("justification", "widgets.justification"), ("discussion", "widgets.discussion")],
    ),
)
