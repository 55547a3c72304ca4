"""T4's evidence sections: the scheme, the projected payouts, the simulated review, and the audit findings,
as static HTML (tables and inline SVG). Plain functions of the graded submission, so tests call them without a
kernel; the grading notebook shows them in the order :data:`SECTIONS` gives.

Every value that came from the candidate (component ids, scheme name, findings, free text) goes through
:func:`~casekit.html.esc`. The audit section shows which findings identify a seeded anomaly and, marked as
unsupported with the reason, those that identify none.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from casekit.cases.sections import Graded, Section, answer_of, free_text_section
from casekit.cases.t4_incentives.answer import T4Answer
from casekit.cases.t4_incentives.audit import AuditFinding, FindingsAssessment, Ledger, assess_findings
from casekit.html import bar_chart, esc, html_table, num
from casekit.i18n import t
from casekit.kpi import format_kpi

__all__ = ["SECTIONS", "cost_chart", "findings_html", "payouts_html", "review_html", "scheme_html"]


def cost_chart(periods: pd.DataFrame, budget: float | None, title: str) -> str:
    """Incentive cost per period in NT$ thousands, the budget as a reference line."""
    return bar_chart(
        [str(p) for p in periods["period"]],
        [float(v) / 1000 for v in periods["total"]],
        title=title,
        unit="k",
        reference=None if budget is None else float(budget) / 1000,
    )


def scheme_html(g: Graded, lang: str) -> str:
    scheme = answer_of(g, T4Answer).scheme
    rows = []
    for c in scheme.components:
        pay = ", ".join(f"{esc(t(f'evidence.role_{r}', lang))} {num(v)}" for r, v in c.pay.items())
        measures = "; ".join(
            f"{esc(t(f'kpi.{m.kpi}', lang))} ({esc(t(f'evidence.level_{m.level}', lang))}, "
            f"{esc(t('evidence.target', lang))} {num(m.target, 2)}, w {num(m.weight, 2)})"
            for m in c.measures
        )
        gates = "; ".join(f"{esc(t(f'kpi.{gt.kpi}', lang))} ≥ {num(gt.threshold, 2)}" for gt in c.gates)
        rows.append(
            (
                esc(c.id),
                esc(t(f"t4.type_{c.type}", lang)),
                pay,
                measures or "-",
                gates or "-",
                num(c.cap) if c.cap else "-",
            )
        )
    table = html_table(
        [t(f"evidence.col_{k}", lang) for k in ("component", "type", "pay", "measures", "gates", "cap")], rows
    )
    summary = t(
        "t4evidence.scheme_summary",
        lang,
        name=scheme.name or "-",
        budget=f"{scheme.budget_per_period:,.0f}",
        cap="-" if scheme.cap_per_person is None else f"{scheme.cap_per_person:,.0f}",
    )
    return f"<p>{esc(summary)}</p>{table}"


def payouts_html(g: Graded, lang: str) -> str:
    result = g.cache.get("payouts")
    if result is None:
        return f"<p>{esc(t('evidence.not_computed', lang))}</p>"
    by_role = result.people.groupby("role")["total"].agg(["count", "mean", "median", "max"])
    rows = [
        (esc(t(f"evidence.role_{r}", lang)), num(v["count"]), num(v["mean"]), num(v["median"]), num(v["max"]))
        for r, v in by_role.iterrows()
    ]
    table = html_table([t(f"evidence.col_{k}", lang) for k in ("role", "people", "mean", "median", "max")], rows)
    chart = cost_chart(result.periods, result.budget_per_period, t("t4evidence.chart_cost", lang))
    return table + chart


def review_html(g: Graded, lang: str) -> str:
    review = g.cache.get("review")
    if review is None:
        return f"<p>{esc(t('evidence.not_computed', lang))}</p>"
    k: pd.DataFrame = review.kpis
    rows = [
        (
            esc(t(f"kpi.{r['kpi']}", lang)),
            esc(t("html.yes", lang) if r["paid"] else ""),
            esc(format_kpi(str(r["kpi"]), r["baseline"])),
            esc(format_kpi(str(r["kpi"]), r["scheme"])),
            num(100 * r["change"] if r["change"] is not None else None, 1),
        )
        for r in k.to_dict("records")
    ]
    table = html_table([t(f"evidence.col_{c}", lang) for c in ("kpi", "paid", "baseline", "scheme", "change")], rows)
    chart = bar_chart(
        [t(f"kpi.{x}", lang) for x in k["kpi"]],
        [0.0 if v is None or v != v else 100 * float(v) for v in k["change"]],
        title=t("t4evidence.chart_change", lang),
        unit="%",
    )
    findings = "".join(f"<li>{esc(line)}</li>" for line in review.render(lang))
    return f"{table}{chart}<ul>{findings}</ul>"


def _assessment(g: Graded, findings: list[AuditFinding]) -> FindingsAssessment | None:
    """The matching the ``anomalies_found`` check made, or one made now from the ledger it cached; None when the
    ledger was not computed."""
    cached = g.cache.get("findings_assessment")
    if isinstance(cached, FindingsAssessment):
        return cached
    ledger = g.cache.get("ledger")
    if not isinstance(ledger, Ledger):
        return None
    teams = [str(tm) for tm in g.world.staff["team"].dropna().unique()]
    return assess_findings(findings, ledger, teams=teams)


def _finding_cells(k: int, f: AuditFinding, lang: str) -> tuple[str, ...]:
    return (
        esc(k + 1),
        esc(t(f"t4audit.kind_{f.kind}", lang)),
        esc(", ".join(f.staff_ids)),
        esc(f.team or ""),
        esc(f.description),
        esc(f.corrective_action),
    )


def _finding_headers(lang: str, *extra: str) -> list[str]:
    cols = [t(f"evidence.col_{c}", lang) for c in ("kind", "staff", "team", "finding", "action")]
    return [t("t4evidence.col_number", lang), *cols, *(t(key, lang) for key in extra)]


def findings_html(g: Graded, lang: str) -> str:
    """The findings that identify a seeded anomaly, each beside the anomaly it is credited with; then, marked
    unsupported with the reason, every finding that identifies none (it counts for nothing)."""
    findings = answer_of(g, T4Answer).findings
    if not findings:
        return f"<p>{esc(t('t4evidence.no_findings', lang))}</p>"
    assessment = _assessment(g, findings)
    if assessment is None:
        rows = [_finding_cells(k, f, lang) for k, f in enumerate(findings)]
        return f"<p>{esc(t('evidence.not_computed', lang))}</p>" + html_table(_finding_headers(lang), rows)
    credited = {m.finding: m.anomaly for m in assessment.matches if m.finding is not None}
    matched = [
        (*_finding_cells(k, f, lang), esc(credited[k].describe(lang))) for k, f in enumerate(findings) if k in credited
    ]
    label = esc(t("t4evidence.unsupported", lang))
    unsupported = [
        (
            *_finding_cells(u.finding, findings[u.finding], lang),
            f'<strong class="ck-unsupported">{label}</strong>: {esc(u.describe(lang))}',
        )
        for u in assessment.unsupported
    ]
    summary = t(
        "t4evidence.audit_summary",
        lang,
        found=assessment.found,
        seeded=len(assessment.matches),
        unsupported=len(assessment.unsupported),
    )
    parts = [
        f"<p>{esc(summary)}</p>",
        f"<h4>{esc(t('t4evidence.h_matched', lang))}</h4>",
        html_table(_finding_headers(lang, "t4evidence.col_anomaly"), matched, empty=t("t4evidence.none_matched", lang)),
    ]
    if unsupported:
        parts += [
            f"<h4>{esc(t('t4evidence.h_unsupported', lang))}</h4>",
            html_table(_finding_headers(lang, "t4evidence.col_unsupported"), unsupported, "ck-table ck-unsupported"),
        ]
    return "".join(parts)


#: What T4 shows of a graded submission, in order (the grading notebook adds the header, criteria and decision).
SECTIONS: Final = (
    Section("scheme", "t4evidence.h_scheme", scheme_html),
    Section("payouts", "t4evidence.h_payouts", payouts_html),
    Section("review", "t4evidence.h_review", review_html),
    Section("audit", "t4evidence.h_audit", findings_html),
    free_text_section(
        "texts",
        "t4evidence.h_texts",
        (("justification", "evidence.justification"), ("discussion", "evidence.discussion")),
    ),
)
