"""The evidence a grading notebook shows, as static HTML: tables and inline SVG charts, no scripts, no widgets.

Every value that came from a candidate (ids, scheme names, findings, free text) goes through :func:`esc`; the
portfolio page is opened by assessors, so a candidate's ``<script>`` must stay text.
"""

from __future__ import annotations

import pandas as pd

from casekit.grading import GradedCase
from casekit.html import bar_chart, esc, html_table, num
from casekit.i18n import t
from casekit.kpi import format_kpi
from casekit.standard import load_standard

__all__ = [
    "bar_chart",
    "cost_chart",
    "criteria_html",
    "decision_html",
    "esc",
    "findings_html",
    "header_html",
    "payouts_html",
    "review_html",
    "scheme_html",
    "texts_html",
]


def cost_chart(periods: pd.DataFrame, budget: float | None, title: str) -> str:
    """Incentive cost per period in NT$ thousands, the budget as a reference line."""
    return bar_chart(
        [str(p) for p in periods["period"]],
        [float(v) / 1000 for v in periods["total"]],
        title=title,
        unit="k",
        reference=None if budget is None else float(budget) / 1000,
    )


def header_html(g: GradedCase, lang: str) -> str:
    a = g.answer
    title = g.world.spec.title.get(lang)
    rows = [
        (esc(t("evidence.candidate", lang)), esc(a.candidate_id)),
        (esc(t("evidence.case", lang)), esc(g.rubric.title.get(lang))),
        (
            esc(t("evidence.organisation", lang)),
            f"{esc(title)} ({esc(a.org)}, {esc(t('evidence.seed', lang))} {esc(a.seed)})",
        ),
        (
            esc(t("evidence.decision", lang)),
            f'<span class="ck-decision ck-{esc(g.decision.outcome)}">{esc(g.decision.label(lang))}</span>',
        ),
        (esc(t("evidence.score", lang)), esc(g.decision.feedback(lang))),
        ("SHA-256", f"<code>{esc(g.sha256)}</code>"),
    ]
    return html_table((t("evidence.field", lang), t("evidence.value", lang)), rows, "ck-table ck-header")


def scheme_html(g: GradedCase, lang: str) -> str:
    scheme = g.answer.scheme  # type: ignore[attr-defined]
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
        "evidence.scheme_summary",
        lang,
        name=scheme.name or "-",
        budget=f"{scheme.budget_per_period:,.0f}",
        cap="-" if scheme.cap_per_person is None else f"{scheme.cap_per_person:,.0f}",
    )
    return f"<p>{esc(summary)}</p>{table}"


def payouts_html(g: GradedCase, lang: str) -> str:
    result = g.cache.get("payouts")
    if result is None:
        return f"<p>{esc(t('evidence.not_computed', lang))}</p>"
    by_role = result.people.groupby("role")["total"].agg(["count", "mean", "median", "max"])
    rows = [
        (esc(t(f"evidence.role_{r}", lang)), num(v["count"]), num(v["mean"]), num(v["median"]), num(v["max"]))
        for r, v in by_role.iterrows()
    ]
    table = html_table([t(f"evidence.col_{k}", lang) for k in ("role", "people", "mean", "median", "max")], rows)
    chart = cost_chart(result.periods, result.budget_per_period, t("evidence.chart_cost", lang))
    return table + chart


def review_html(g: GradedCase, lang: str) -> str:
    review = g.cache.get("review")
    if review is None:
        return f"<p>{esc(t('evidence.not_computed', lang))}</p>"
    k: pd.DataFrame = review.kpis
    rows = [
        (
            esc(t(f"kpi.{r['kpi']}", lang)),
            esc(t("evidence.yes", lang) if r["paid"] else ""),
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
        title=t("evidence.chart_change", lang),
        unit="%",
    )
    findings = "".join(f"<li>{esc(line)}</li>" for line in review.render(lang))
    return f"{table}{chart}<ul>{findings}</ul>"


def findings_html(g: GradedCase, lang: str) -> str:
    findings = g.answer.findings  # type: ignore[attr-defined]
    if not findings:
        return f"<p>{esc(t('evidence.no_findings', lang))}</p>"
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


def criteria_html(g: GradedCase, lang: str) -> str:
    std = load_standard()
    rows = []
    for c in g.result.criteria:
        elements = ", ".join(f'<abbr title="{esc(std.get(e).label(lang))}">{esc(e)}</abbr>' for e in c.elements)
        title = c.title.get(lang) or c.title.get("en") or c.id
        evidence = "; ".join(f"{esc(k)}={esc(v)}" for k, v in c.evidence.items())
        marks = "; ".join(
            f"{esc(m.assessor)} ({esc(m.time)}): {esc(t(f'rubric.state_{m.result}', lang))} — {esc(m.reason)}"
            for m in c.marks
        )
        rows.append(
            (
                esc(c.id),
                esc(title),
                elements,
                esc(c.method),
                esc(t("evidence.yes", lang) if c.essential else ""),
                f'<span class="ck-state ck-{esc(c.state)}">{esc(c.state_label(lang))}</span>',
                esc(c.message(lang)),
                evidence or "-",
                marks or "-",
            )
        )
    return html_table(
        [
            t(f"evidence.col_{k}", lang)
            for k in ("id", "criterion", "elements", "method", "essential", "state", "why", "evidence", "marks")
        ],
        rows,
    )


def decision_html(g: GradedCase, lang: str) -> str:
    reasons = "".join(f"<li>{esc(r.render(lang))}</li>" for r in g.decision.reasons)
    covered = sorted({e for c in g.result.criteria if c.state == "met" for e in c.elements})
    head = (
        f'<p class="ck-decision ck-{esc(g.decision.outcome)}"><strong>{esc(g.decision.label(lang))}</strong> — '
        f"{esc(g.decision.feedback(lang))}</p>"
    )
    cov = f"<p>{esc(t('evidence.covered', lang, ids=', '.join(covered) or '-'))}</p>"
    return head + (f"<ul>{reasons}</ul>" if reasons else "") + cov


def texts_html(g: GradedCase, lang: str) -> str:
    parts = []
    for key in ("justification", "discussion"):
        text = getattr(g.answer, key, "") or t("evidence.empty_text", lang)
        parts.append(
            f'<h4>{esc(t(f"evidence.{key}", lang))}</h4><blockquote class="ck-text">'
            f"{esc(text).replace(chr(10), '<br>')}</blockquote>"
        )
    return "".join(parts)
