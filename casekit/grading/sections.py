"""The evidence every graded submission shows, whatever its kind: the header, the criteria with their evidence
and marks, and the decision with its reasons; and the whole evidence of a submission in the order the grading
notebook shows it (header, the kind's own sections, criteria, decision).

A section that fails is shown as an error where it would have been, the other sections are still shown, and
:meth:`Evidence.raise_for_errors` then fails the run: a failed run still writes its evidence.

Each criterion's evidence is shown in plain language: as the kind says it reads (``CaseKind.evidence_text``), else
as a generic ``label: value`` list (:func:`plain_evidence`) with every value formatted, never as raw data.
"""

from __future__ import annotations

import logging
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from casekit.cases.sections import Graded, Section
from casekit.errors import EvidenceError
from casekit.html import esc, html_table, plain_list
from casekit.i18n import catalog, normalise_lang, t, zh_numeral
from casekit.kpi import format_count, format_number
from casekit.rubric.result import CriterionResult
from casekit.standard import load_standard

__all__ = [
    "Evidence",
    "EvidenceText",
    "criteria_html",
    "decision_html",
    "header_html",
    "plain_evidence",
    "render_evidence",
]

_log = logging.getLogger(__name__)

EvidenceText = Callable[[str, Mapping[str, Any], str], str | None]
"""``evidence_text(check, evidence, lang) -> HTML | None``: a kind's plain-language text of a check's evidence
(None: the generic text)."""


def header_html(g: Graded, lang: str) -> str:
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
        (esc(t("evidence.assignment", lang)), esc(_assignment(g, lang))),
        (esc(t("evidence.declaration", lang)), esc(_declaration(g, lang))),
        ("SHA-256", f"<code>{esc(g.sha256)}</code>"),
    ]
    return html_table((t("evidence.field", lang), t("evidence.value", lang)), rows, "ck-table ck-header")


def _assignment(g: Graded, lang: str) -> str:
    roster = getattr(g, "roster_sha256", "")
    if roster:
        return t("evidence.assignment_checked", lang, roster=roster[:12])
    return t("evidence.assignment_not_checked", lang)


def _declaration(g: Graded, lang: str) -> str:
    from casekit.clock import local_time

    made = getattr(g.answer, "declaration", None)
    if made is None:
        return t("declaration.missing", lang)
    return t("declaration.made", lang, time=local_time(made.time), text=made.text(lang))


def _label(key: str, lang: str) -> str:
    """A name in the evidence as a label: the catalog's (``evidence.key_<name>``), else the name in words."""
    message = f"evidence.key_{key}"
    if message in catalog("en"):
        return t(message, lang)
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else key


def _plain_value(value: Any, lang: str) -> str:
    """One evidence value as escaped HTML: words for yes and no, whole counts, numbers with separators, lists
    joined as in a sentence, mappings as ``label: value`` lists."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return esc(t("evidence.bool_yes" if value else "evidence.bool_no", lang))
    if isinstance(value, numbers.Integral):
        return esc(format_count(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        if not math.isfinite(v):
            return "-" if math.isnan(v) else esc("∞" if v > 0 else "-∞")
        return esc(format_count(v) if v.is_integer() else format_number(v, 2 if abs(v) >= 1 else 4))
    if isinstance(value, Mapping):
        return plain_evidence(value, lang) if value else esc(t("evidence.none", lang))
    if isinstance(value, list | tuple):
        if any(isinstance(v, Mapping | list | tuple) for v in value):
            return "<ul>" + "".join(f"<li>{_plain_value(v, lang)}</li>" for v in value) + "</ul>"
        return plain_list([_plain_value(v, lang) for v in value], lang)
    return esc(value)


def plain_evidence(evidence: Mapping[str, Any], lang: str) -> str:
    """The generic text of a check's evidence, for a kind that says nothing of how it reads: a ``label: value``
    list, every value formatted (see :func:`_plain_value`) and escaped."""
    items = "".join(f"<li>{esc(_label(str(k), lang))}: {_plain_value(v, lang)}</li>" for k, v in evidence.items())
    return f'<ul class="ck-evidence">{items}</ul>'


def _kind_evidence_text(g: Graded) -> EvidenceText | None:
    """The graded kind's own text of its checks' evidence, if it has one (a graded case names its kind)."""
    text = getattr(getattr(g, "kind", None), "evidence_text", None)
    return text if callable(text) else None


def _evidence_cell(c: CriterionResult, text: EvidenceText | None, lang: str) -> str:
    if not c.evidence:
        return "-"
    shown = text(c.auto.check if c.auto is not None else c.id, c.evidence, lang) if text is not None else None
    return shown or plain_evidence(c.evidence, lang)


def criteria_html(g: Graded, lang: str, *, evidence_text: EvidenceText | None = None) -> str:
    """Every criterion with its result, why, evidence (in plain language: ``evidence_text``, default the kind's,
    else the generic text) and assessor marks."""
    std = load_standard()
    text = evidence_text or _kind_evidence_text(g)
    rows = []
    for c in g.result.criteria:
        elements = ", ".join(f'<abbr title="{esc(std.get(e).label(lang))}">{esc(e)}</abbr>' for e in c.elements)
        title = c.title.get(lang) or c.title.get("en") or c.id
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
                esc(t("html.yes", lang) if c.essential else ""),
                f'<span class="ck-state ck-{esc(c.state)}">{esc(c.state_label(lang))}</span>',
                esc(c.message(lang)),
                _evidence_cell(c, text, lang),
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


def decision_html(g: Graded, lang: str) -> str:
    reasons = "".join(f"<li>{esc(r.render(lang))}</li>" for r in g.decision.reasons)
    covered = sorted({e for c in g.result.criteria if c.state == "met" for e in c.elements})
    head = (
        f'<p class="ck-decision ck-{esc(g.decision.outcome)}"><strong>{esc(g.decision.label(lang))}</strong> — '
        f"{esc(g.decision.feedback(lang))}</p>"
    )
    cov = f"<p>{esc(t('evidence.covered', lang, ids=', '.join(covered) or '-'))}</p>"
    return head + (f"<ul>{reasons}</ul>" if reasons else "") + cov


@dataclass(frozen=True)
class Evidence:
    """The HTML parts of one submission's evidence, in order, and the sections that failed to render."""

    parts: tuple[str, ...]
    errors: tuple[str, ...] = field(default=())

    def raise_for_errors(self) -> None:
        """Fail the run when a section could not be rendered (its error is already shown in its place)."""
        if self.errors:
            raise EvidenceError("\n".join(self.errors))


def _heading(n: int, title: str, lang: str) -> str:
    number = zh_numeral(n) if normalise_lang(lang) == "zh-TW" else str(n)
    return f"<h3>{esc(t('evidence.numbered', lang, number=number, title=title))}</h3>"


def render_evidence(graded: Graded, sections: tuple[Section, ...], lang: str) -> Evidence:
    """Every part of the evidence: a title and the header, then ``sections`` (the kind's), criteria and decision,
    numbered in that order."""
    a = graded.answer
    title = t("evidence.title", lang, candidate=a.candidate_id, case=a.case)
    parts = [f"<h2>{esc(title)}</h2>{header_html(graded, lang)}"]
    errors = []
    every = (
        *sections,
        Section("criteria", "evidence.h_criteria", criteria_html),
        Section("decision", "evidence.h_decision", decision_html),
    )
    for n, section in enumerate(every, start=1):
        name = section.title(lang)
        try:
            body = section.render(graded, lang)
        except Exception as exc:  # one broken section must not hide the others; the run still fails after
            _log.exception("evidence section %s failed", section.id)
            error = t("evidence.section_failed", lang, section=name, error=f"{type(exc).__name__}: {exc}")
            errors.append(error)
            body = f'<pre class="ck-error">{esc(error)}</pre>'
        parts.append(_heading(n, name, lang) + body)
    return Evidence(tuple(parts), tuple(errors))
