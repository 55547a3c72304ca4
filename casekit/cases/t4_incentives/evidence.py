"""T4's evidence sections: the scheme, the projected payouts, the simulated review, and the audit findings,
as static HTML (tables and inline SVG). Plain functions of the graded submission, so tests call them without a
kernel; the grading notebook shows them in the order :data:`SECTIONS` gives.

Every value that came from the candidate (component ids, scheme name, findings, free text) goes through
:func:`~casekit.html.esc`.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from casekit.cases.sections import Graded, Section, answer_of, free_text_section
from casekit.cases.t4_incentives.answer import T4Answer
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


def findings_html(g: Graded, lang: str) -> str:
    findings = answer_of(g, T4Answer).findings
    if not findings:
        return f"<p>{esc(t('t4evidence.no_findings', lang))}</p>"
    rows = [
        (
            esc(t(f"t4audit.kind_{f.kind}", lang)),
            esc(", ".join(f.staff_ids)),
            esc(f.team or ""),
            esc(f.description),
            esc(f.corrective_action),
        )
        for f in findings
    ]
    return html_table([t(f"evidence.col_{c}", lang) for c in ("kind", "staff", "team", "finding", "action")], rows)


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
