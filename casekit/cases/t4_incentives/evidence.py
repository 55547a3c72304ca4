"""T4's evidence sections: the scheme, the projected payouts, the simulated review, and the audit findings,
as static HTML (tables and inline SVG). Plain functions of the graded submission, so tests call them without a
kernel; the grading notebook shows them in the order :data:`SECTIONS` gives.

Every value that came from the candidate (component ids, scheme name, findings, free text) goes through
:func:`~casekit.html.esc`. Figures read as people read them: KPI values (targets and thresholds too) through
:func:`~casekit.kpi.format_kpi`, money through :func:`~casekit.kpi.format_money`, counts whole. The audit section
shows which findings identify a seeded anomaly and, marked as unsupported with the reason, those that identify
none; then the grader's independent recomputation of the audited payouts and the gaming signals, the rows with a
discrepancy or a signal first and a long table cut to those, with a line saying how many rows are not shown.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any, Final, TypeVar

import pandas as pd

from casekit.cases.sections import Graded, Section, answer_of, free_text_section
from casekit.cases.t4_incentives.answer import T4Answer
from casekit.cases.t4_incentives.audit import Ledger
from casekit.cases.t4_incentives.audit_tools import gaming_signals, recompute
from casekit.cases.t4_incentives.evidence_text import anomaly_text, note_text, role_label
from casekit.cases.t4_incentives.findings import AuditFinding, FindingsAssessment, assess_findings
from casekit.cases.t4_incentives.scheme import KPI_DIRECTIONS, Component
from casekit.html import bar_chart, esc, html_table, plain_list
from casekit.i18n import t
from casekit.kpi import format_count, format_kpi, format_money, format_number, format_share

__all__ = ["MAX_ROWS", "SECTIONS", "cost_chart", "findings_html", "payouts_html", "review_html", "scheme_html"]

T = TypeVar("T")

#: A table of the audit section longer than this shows only the rows that matter (a discrepancy, a signal).
MAX_ROWS: Final = 15


def cost_chart(periods: pd.DataFrame, budget: float | None, title: str) -> str:
    """Incentive cost per period in NT$ thousands, the budget as a reference line."""
    return bar_chart(
        [str(p) for p in periods["period"]],
        [float(v) / 1000 for v in periods["total"]],
        title=title,
        unit="k",
        reference=None if budget is None else float(budget) / 1000,
    )


def _pay(c: Component, lang: str) -> str:
    """What the component pays each role: an amount (per sale for a commission)."""
    parts = []
    for role, amount in c.pay.items():
        money = format_money(amount, lang)
        if c.type == "commission":
            money = t("t4evidence.per_sale", lang, amount=money)
        parts.append(f"{role_label(role, lang)} {esc(money)}")
    return plain_list(parts, lang)


def _measures(c: Component, lang: str) -> str:
    measures = [
        t(
            "t4evidence.measure",
            lang,
            kpi=t(f"kpi.{m.kpi}", lang),
            level=t(f"evidence.level_{m.level}", lang),
            target=format_kpi(m.kpi, m.target),
            weight=format_number(m.weight, 2),
        )
        for m in c.measures
    ]
    if c.type == "tiered" and c.measures:
        kpi = c.measures[0].kpi
        measures += [
            t("t4evidence.band", lang, threshold=format_kpi(kpi, b.threshold), share=format_share(b.fraction, 0))
            for b in sorted(c.bands, key=lambda b: b.threshold * KPI_DIRECTIONS[kpi])
        ]
    return "<br>".join(esc(m) for m in measures)


def _type(c: Component, lang: str) -> str:
    label = t(f"t4.type_{c.type}", lang)
    if c.type != "non_cash" or c.non_cash_kind is None:
        return label
    kind = t(f"t4evidence.reward_{c.non_cash_kind}", lang)
    if c.non_cash_kind == "competition" and c.top_n:
        return t("t4evidence.non_cash_top", lang, type=label, kind=kind, n=format_count(c.top_n))
    return t("t4evidence.non_cash", lang, type=label, kind=kind)


def scheme_html(g: Graded, lang: str) -> str:
    scheme = answer_of(g, T4Answer).scheme
    rows = []
    for c in scheme.components:
        gates = "<br>".join(
            f"{esc(t(f'kpi.{gt.kpi}', lang))} {'≥' if KPI_DIRECTIONS[gt.kpi] > 0 else '≤'} "
            f"{esc(format_kpi(gt.kpi, gt.threshold))}"
            for gt in c.gates
        )
        rows.append(
            (
                esc(c.id),
                esc(_type(c, lang)),
                _pay(c, lang),
                _measures(c, lang) or "-",
                gates or "-",
                esc(format_money(c.cap, lang)) if c.cap else "-",
            )
        )
    table = html_table(
        [t(f"evidence.col_{k}", lang) for k in ("component", "type", "pay", "measures", "gates", "cap")], rows
    )
    summary = t(
        "t4evidence.scheme_summary",
        lang,
        name=scheme.name or "-",
        budget=format_money(scheme.budget_per_period, lang),
        cap=format_money(scheme.cap_per_person, lang),
    )
    return f"<p>{esc(summary)}</p>{table}"


def payouts_html(g: Graded, lang: str) -> str:
    result = g.cache.get("payouts")
    if result is None:
        return f"<p>{esc(t('evidence.not_computed', lang))}</p>"
    people = result.people
    by_role = people.groupby("role")["total"].agg(["mean", "median", "max"])
    heads = people.groupby("role")["staff_id"].nunique()
    rows = [
        (
            role_label(r, lang),
            esc(format_count(heads.get(r))),
            *(esc(format_money(v[k], lang)) for k in ("mean", "median", "max")),
        )
        for r, v in by_role.iterrows()
    ]
    table = html_table([t(f"evidence.col_{k}", lang) for k in ("role", "people", "mean", "median", "max")], rows)
    note = t("t4evidence.payouts_note", lang, months=format_count(people["period"].nunique()))
    chart = cost_chart(result.periods, result.budget_per_period, t("t4evidence.chart_cost", lang))
    return f"<p>{esc(note)}</p>{table}{chart}"


def _change(value: Any) -> float:
    """A relative change as a bar's length in %; 0 when missing or when it shows as 0.0."""
    if value is None or value != value:
        return 0.0
    pct = 100 * float(value)
    return 0.0 if abs(pct) < 0.05 else pct


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
            esc(format_share(r["change"], signed=True)),
        )
        for r in k.to_dict("records")
    ]
    table = html_table([t(f"evidence.col_{c}", lang) for c in ("kpi", "paid", "baseline", "scheme", "change")], rows)
    chart = bar_chart(
        [t(f"kpi.{x}", lang) for x in k["kpi"]],
        [_change(v) for v in k["change"]],
        title=t("t4evidence.chart_change", lang),
        unit="%",
    )
    findings = "".join(f"<li>{esc(note_text(note, lang))}</li>" for note in review.notes)
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
    unsupported with the reason, every finding that identifies none (it counts for nothing); then the grader's
    recomputation of the audited payouts and the gaming signals, what matters first."""
    return _findings_html(g, lang) + _recomputation_html(g, lang) + _gaming_html(g, lang)


def _findings_html(g: Graded, lang: str) -> str:
    findings = answer_of(g, T4Answer).findings
    if not findings:
        return f"<p>{esc(t('t4evidence.no_findings', lang))}</p>"
    assessment = _assessment(g, findings)
    if assessment is None:
        rows = [_finding_cells(k, f, lang) for k, f in enumerate(findings)]
        return f"<p>{esc(t('evidence.not_computed', lang))}</p>" + html_table(_finding_headers(lang), rows)
    credited = {m.finding: m.anomaly for m in assessment.matches if m.finding is not None}
    matched = [
        (*_finding_cells(k, f, lang), esc(anomaly_text(credited[k], lang)))
        for k, f in enumerate(findings)
        if k in credited
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


def _cached(g: Graded, key: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept in the grading's cache for the other language's page."""
    cache = g.cache
    if isinstance(cache, MutableMapping):
        if key not in cache:
            cache[key] = compute()
        value: T = cache[key]
        return value
    return compute()


def _rows_that_matter(frame: pd.DataFrame, matters: pd.Series) -> tuple[pd.DataFrame, int, int]:
    """``frame`` (sorted, the rows that matter first) as the page shows it: whole when short, else only the rows
    that matter (at most :data:`MAX_ROWS`); with how many rows are not shown and how many of those matter."""
    if len(frame) <= MAX_ROWS:
        return frame, 0, 0
    shown = frame[matters].head(MAX_ROWS)
    hidden = matters.drop(shown.index)
    return shown, len(hidden), int(hidden.sum())


def _staff(staff_id: Any, name: Any, lang: str) -> str:
    if not isinstance(name, str) or not name:
        return esc(staff_id)
    return esc(t("t4evidence.staff_name", lang, staff=staff_id, name=name))


def _recomputation_html(g: Graded, lang: str) -> str:
    """The grader's independent recomputation of the audited payouts: the lines paid otherwise than the scheme
    says first, the largest difference first."""
    ledger = g.cache.get("ledger")
    if not isinstance(ledger, Ledger):
        return ""
    lines = _cached(g, "recomputed", lambda: recompute(ledger, g.world))
    frame = lines.assign(_ok=lines["issue"] == "ok", _size=-lines["difference"].abs())
    frame = frame.sort_values(["_ok", "_size", "staff_id", "component"], kind="stable")
    shown, hidden, differ = _rows_that_matter(frame, ~frame["_ok"])
    rows = [
        (
            _staff(r["staff_id"], r["name"], lang),
            role_label(r["role"], lang),
            esc(r["team"]),
            esc(r["component"]),
            esc(format_money(r["paid"], lang, cents=_needs_cents(r["paid"]))),
            esc(format_money(r["expected"], lang, cents=_needs_cents(r["expected"]))),
            esc(format_money(r["difference"], lang, cents=_needs_cents(r["difference"]))),
            esc(t(f"t4audit.issue_{r['issue']}", lang)),
        )
        for r in shown.to_dict("records")
    ]
    heads = [t(f"evidence.col_{c}", lang) for c in ("staff", "role", "team", "component")]
    heads += [t(f"t4evidence.col_{c}", lang) for c in ("paid_amount", "recomputed", "difference", "issue")]
    summary = t(
        "t4evidence.recompute_summary",
        lang,
        lines=format_count(len(frame)),
        differ=format_count(int((~frame["_ok"]).sum())),
        period=ledger.period,
    )
    parts = [
        f"<h4>{esc(t('t4audit.heading_recompute', lang))}</h4>",
        f"<p>{esc(summary)}</p>",
        html_table(heads, rows, empty=t("t4evidence.recompute_all_agree", lang)),
    ]
    if hidden:
        key = "t4evidence.recompute_more" if differ else "t4evidence.recompute_more_agree"
        more = t(
            key, lang, hidden=format_count(hidden), agree=format_count(hidden - differ), differ=format_count(differ)
        )
        parts.append(f"<p>{esc(more)}</p>")
    return "".join(parts)


def _needs_cents(amount: Any) -> bool:
    """An amount shown to the cent: one under NT$1 that is not 0 (whole NT$ would show it as 0 or 1)."""
    return amount == amount and 0.005 <= abs(float(amount)) < 1


def _gaming_html(g: Graded, lang: str) -> str:
    """The gaming signals over the world's last months (handle time falling while resolution or quality falls),
    per person and per team: those with a signal first."""
    signals = _cached(g, "gaming_signals", lambda: gaming_signals(g.world))
    frame = signals.assign(_quiet=~signals["signal"].astype(bool))
    frame = frame.sort_values(["_quiet", "aht_change_pct", "level", "id"], kind="stable")
    shown, hidden, flagged = _rows_that_matter(frame, ~frame["_quiet"])
    level = {"person": t("t4evidence.level_person", lang), "team": t("evidence.level_team", lang)}
    rows = [
        (
            esc(level.get(str(r["level"]), r["level"])),
            esc(r["id"]),
            esc(r["team"]),
            esc(format_count(r["months"])),
            esc(format_kpi("aht_s", r["aht_first"])),
            esc(format_kpi("aht_s", r["aht_last"])),
            esc(format_share(_share(r["aht_change_pct"]), signed=True)),
            esc(format_number(r["fcr_change_pts"], 1, signed=True)),
            esc(format_number(r["qa_change_pts"], 1, signed=True)),
            esc(t("html.yes", lang) if r["signal"] else ""),
        )
        for r in shown.to_dict("records")
    ]
    heads = [t(f"t4evidence.col_{c}", lang) for c in ("level", "who")]
    heads += [t("evidence.col_team", lang)]
    heads += [t(f"t4evidence.col_{c}", lang) for c in ("months", "aht_first", "aht_last", "aht_trend", "fcr_trend")]
    heads += [t(f"t4evidence.col_{c}", lang) for c in ("qa_trend", "signal")]
    flagged_all = int((~frame["_quiet"]).sum())
    summary = t("t4evidence.signals_summary", lang, rows=format_count(len(frame)), flagged=format_count(flagged_all))
    parts = [
        f"<h4>{esc(t('t4audit.heading_gaming_signals', lang))}</h4>",
        f"<p>{esc(summary)}</p>",
        html_table(heads, rows, empty=t("t4evidence.signals_none", lang)),
    ]
    if hidden:
        key = "t4evidence.signals_more" if flagged else "t4evidence.signals_more_quiet"
        more = t(
            key, lang, hidden=format_count(hidden), quiet=format_count(hidden - flagged), flagged=format_count(flagged)
        )
        parts.append(f"<p>{esc(more)}</p>")
    return "".join(parts)


def _share(percent: Any) -> float | None:
    return None if percent is None or percent != percent else float(percent) / 100


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
