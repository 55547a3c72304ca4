"""The evidence every graded submission shows, whatever its kind: the header, the criteria with their evidence
and marks, and the decision with its reasons; and the whole evidence of a submission in the order the grading
notebook shows it (header, the kind's own sections, criteria, decision).

A section that fails is shown as an error where it would have been, the other sections are still shown, and
:meth:`Evidence.raise_for_errors` then fails the run: a failed run still writes its evidence.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from casekit.cases.sections import Graded, Section
from casekit.errors import EvidenceError
from casekit.html import esc, html_table
from casekit.i18n import normalise_lang, t, zh_numeral
from casekit.standard import load_standard

__all__ = ["Evidence", "criteria_html", "decision_html", "header_html", "render_evidence"]

_log = logging.getLogger(__name__)


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


def criteria_html(g: Graded, lang: str) -> str:
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
                esc(t("html.yes", lang) if c.essential else ""),
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
