"""The evidence a grading notebook shows, as static HTML: tables and inline SVG charts, no scripts, no widgets.

Every value that came from a candidate (ids, scheme names, findings, free text) goes through :func:`esc`; the
portfolio page is opened by assessors, so a candidate's ``<script>`` must stay text.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from casekit.grading import GradedCase
from casekit.i18n import t
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


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], cls: str = "ck-table") -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _num(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    return esc(f"{float(value):,.{digits}f}")


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    unit: str = "",
    reference: float | None = None,
    width: int = 560,
) -> str:
    """A horizontal bar chart as inline SVG (negative values to the left of the axis); ``reference`` draws a line."""
    n = len(values)
    # room for the longest label: CJK characters are about twice as wide as Latin ones at this size
    label_px = max([sum(12 if ord(ch) > 0x2E80 else 7 for ch in str(label)) for label in labels] + [40])
    row, left, pad = 24, min(300, label_px + 12), 10
    height = n * row + 40
    span = max([abs(v) for v in values] + ([abs(reference)] if reference is not None else []) + [1e-9])
    has_neg = any(v < 0 for v in values)
    zero = left + (width - left - pad) / 2 if has_neg else left
    scale = (width - zero - pad - 60) / span
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'class="ck-chart"><title>{esc(title)}</title>',
        f'<text x="4" y="14" font-size="13" font-weight="bold">{esc(title)}</text>',
    ]
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = 26 + i * row
        w = abs(v) * scale
        x = zero if v >= 0 else zero - w
        parts.append(f'<text x="{left - 6}" y="{y + 14}" font-size="12" text-anchor="end">{esc(label)}</text>')
        parts.append(
            f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row - 8}" '
            f'fill="{"#3b7dd8" if v >= 0 else "#d8663b"}"/>'
        )
        tx = x + w + 4 if v >= 0 else x - 4
        anchor = "start" if v >= 0 else "end"
        parts.append(
            f'<text x="{tx:.1f}" y="{y + 14}" font-size="11" text-anchor="{anchor}">{esc(f"{v:,.1f}{unit}")}</text>'
        )
    parts.append(f'<line x1="{zero}" y1="22" x2="{zero}" y2="{height - 10}" stroke="#444"/>')
    if reference is not None:
        rx = zero + reference * scale
        parts.append(
            f'<line x1="{rx:.1f}" y1="22" x2="{rx:.1f}" y2="{height - 10}" stroke="#c00" stroke-dasharray="4 3"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


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
    return _table((t("evidence.field", lang), t("evidence.value", lang)), rows, "ck-table ck-header")


def scheme_html(g: GradedCase, lang: str) -> str:
    scheme = g.answer.scheme  # type: ignore[attr-defined]
    rows = []
    for c in scheme.components:
        pay = ", ".join(f"{esc(t(f'evidence.role_{r}', lang))} {_num(v)}" for r, v in c.pay.items())
        measures = "; ".join(
            f"{esc(t(f'kpi.{m.kpi}', lang))} ({esc(t(f'evidence.level_{m.level}', lang))}, "
            f"{esc(t('evidence.target', lang))} {_num(m.target, 2)}, w {_num(m.weight, 2)})"
            for m in c.measures
        )
        gates = "; ".join(f"{esc(t(f'kpi.{gt.kpi}', lang))} ≥ {_num(gt.threshold, 2)}" for gt in c.gates)
        rows.append(
            (
                esc(c.id),
                esc(t(f"t4.type_{c.type}", lang)),
                pay,
                measures or "-",
                gates or "-",
                _num(c.cap) if c.cap else "-",
            )
        )
    table = _table(
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
        (esc(t(f"evidence.role_{r}", lang)), _num(v["count"]), _num(v["mean"]), _num(v["median"]), _num(v["max"]))
        for r, v in by_role.iterrows()
    ]
    table = _table([t(f"evidence.col_{k}", lang) for k in ("role", "people", "mean", "median", "max")], rows)
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
            _num(r["baseline"], 3),
            _num(r["scheme"], 3),
            _num(100 * r["change"] if r["change"] is not None else None, 1),
        )
        for r in k.to_dict("records")
    ]
    table = _table([t(f"evidence.col_{c}", lang) for c in ("kpi", "paid", "baseline", "scheme", "change")], rows)
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
    return _table([t(f"evidence.col_{c}", lang) for c in ("kind", "staff", "team", "finding", "action")], rows)


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
    return _table(
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
