"""T5's evidence sections: the framework register against the obligations that apply here, the regulatory training
calendar against the policy and every person's due date, the breaches found against the seeded truth rule by rule
(with the cases at each rule's line), the breach register entry by entry with what each lacks, the next month's
verification, and the written texts. Static HTML, plain functions of the graded submission, so tests call them
without a kernel. The framework and the calendar are in :mod:`~casekit.cases.t5_compliance.evidence_more`.

Every value that came from the candidate (ids, policies, root causes, notes) goes through :func:`~casekit.html.esc`;
the figures the checks computed (the findings matched against the truth, the register's problems, the calendar's,
the next month's recurrences) are read from the grading's cache, never computed twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import pandas as pd

from casekit.cases.sections import Graded, Section, answer_of, free_text_section
from casekit.cases.t5_compliance import checks_base as cb
from casekit.cases.t5_compliance import register, rules, verify
from casekit.cases.t5_compliance.answer import Finding, T5Answer, finding_key
from casekit.cases.t5_compliance.evidence_more import (
    MAX_ROWS,
    flag,
    framework_html,
    heads,
    more_rows,
    names_of,
    params_of,
    person,
    role_label,
    rows_plain,
    rows_text,
    training_html,
    yes,
)
from casekit.html import esc, html_table
from casekit.i18n import t
from casekit.kpi import format_count, format_money
from casekit.scenario.catalogs import load_law

__all__ = ["SECTIONS"]

Key = tuple[str, str, str, str, str, str, str]


class _Subjects:
    """How a breach's subject reads: a person with their name, an ad with its role, a data event with its
    handler."""

    def __init__(self, g: Graded) -> None:
        self.names = names_of(g)
        ads = g.world.job_ads
        self.ad_roles = dict(zip(ads["ad_id"].astype(str), ads["role"].astype(str), strict=True))
        self.handlers = verify.world_handlers(g.world)

    def cell(self, key: Sequence[str], lang: str) -> str:
        staff, ad, event, complaint = key[1], key[4], key[5], key[6]
        if complaint:
            handler = self.handlers.get(complaint)
            if handler is None:
                return esc(complaint)
            return esc(t("t5evidence.complaint_by", lang, complaint=complaint)) + " " + person(handler, self.names)
        if ad:
            role = self.ad_roles.get(ad)
            return esc(ad) if role is None else f"{esc(ad)} ({esc(role_label(role, lang))})"
        if event:
            handler = self.handlers.get(event)
            if handler is None:
                return esc(event)
            return esc(t("t5evidence.event_by", lang, event=event)) + " " + person(handler, self.names)
        return person(staff, self.names) if staff else "—"

    def finding(self, key: Sequence[str], lang: str) -> str:
        """The rule's title, the subject and the day or month."""
        rule, _, date, month, *_ = key
        period = date or month
        head = f"<strong>{esc(_rule_title(rule, lang))}</strong>"
        return f"{head}<br>{self.cell(key, lang)}" + (f" · {esc(period)}" if period else "")


def _rule_title(rule: str, lang: str) -> str:
    return rules.rule(rule).title(lang) if rule in {r.id for r in rules.RULES} else rule


def _rows_of(row: pd.Series | None) -> list[str]:
    return [] if row is None else [r for r in str(row["rows"]).split(";") if r]


# ----------------------------------------------------------------------------------------------------- findings
def _decoys(g: Graded) -> dict[Key, pd.Series]:
    frame: pd.DataFrame = g.world.truth["compliance_decoys"]
    cols = [frame[c].fillna("").astype(str).tolist() for c in cb.KEY]
    keys: list[Key] = [(a, b, c, d, e, f, h) for a, b, c, d, e, f, h in zip(*cols, strict=True)]
    return {k: row for k, (_, row) in zip(keys, frame.iterrows(), strict=True)}


def _per_rule(m: cb.Matched, decoys: Mapping[Key, pd.Series], lang: str) -> str:
    law = load_law()
    false_keys = [finding_key(f) for f in m.false]
    rows = []
    for r in rules.RULES:
        seeded = [k for k in m.truth if k[0] == r.id]
        line = [k for k in seeded if bool(m.truth[k]["boundary"])]
        found = [k for k in seeded if k in m.found]
        false = [k for k in false_keys if k[0] == r.id]
        at_line = [k for k in decoys if k[0] == r.id]
        reported = [k for k in false if k in decoys]

        def bad(items: list[Key]) -> str:
            return flag(format_count(len(items))) if items else esc(format_count(0))

        rows.append(
            [
                f"<strong>{esc(r.title(lang))}</strong><br>{esc(r.citation(lang))}",
                esc(r.explanation(law, lang)),
                esc(format_count(len(seeded))),
                esc(format_count(len(line))),
                esc(format_count(len(found))),
                bad([k for k in seeded if k not in m.found]),
                bad(false),
                esc(format_count(len(at_line))),
                bad(reported),
            ]
        )
    columns = heads(lang, "rule", "breach_when", "seeded", "at_line", "found", "missed", "false", "decoys")
    return html_table([*columns, *heads(lang, "decoys_reported")], rows)


def _boundary(m: cb.Matched, decoys: Mapping[Key, pd.Series], who: _Subjects, lang: str) -> str:
    """Every breach seeded just past its line (found or missed) and every record exactly at it (reported or not),
    the misjudged first."""
    claimed = {finding_key(f) for f in m.false}
    rows: list[tuple[bool, list[str]]] = []
    for key, row in m.truth.items():
        if not bool(row["boundary"]):
            continue
        found = key in m.found
        outcome = t("t5evidence.outcome_found" if found else "t5evidence.outcome_missed", lang)
        kind = esc(t("t5evidence.case_past_line", lang))
        cells = [who.finding(key, lang), kind, esc(outcome) if found else flag(outcome), rows_text(_rows_of(row), lang)]
        rows.append((not found, cells))
    for key, row in decoys.items():
        wrong = key in claimed
        outcome = t("t5evidence.outcome_reported" if wrong else "t5evidence.outcome_not_reported", lang)
        kind = esc(t("t5evidence.case_at_line", lang))
        cells = [who.finding(key, lang), kind, flag(outcome) if wrong else esc(outcome), rows_text(_rows_of(row), lang)]
        rows.append((wrong, cells))
    rows.sort(key=lambda r: not r[0])
    table = html_table(
        heads(lang, "finding", "case", "outcome", "rows"),
        [c for _, c in rows[:MAX_ROWS]],
        empty=t("t5evidence.no_boundary", lang),
    )
    return table + more_rows(min(len(rows), MAX_ROWS), len(rows), lang)


def _missed_false(m: cb.Matched, decoys: Mapping[Key, pd.Series], who: _Subjects, lang: str) -> str:
    missed = [
        [who.finding(k, lang), yes(bool(m.truth[k]["boundary"]), lang), rows_text(_rows_of(m.truth[k]), lang)]
        for k in m.missed
    ]
    false = []
    for f in m.false:
        key = finding_key(f)
        at_line = key in decoys
        false.append([who.finding(key, lang), flag(t("t5evidence.yes", lang)) if at_line else yes(False, lang)])
        false[-1].append(rows_text(f.rows, lang))
    lacking = []
    for key, f in sorted(m.found.items()):
        need = _rows_of(m.truth[key])
        short = [r for r in need if r not in set(f.rows)]
        if short:
            lacking.append([who.finding(key, lang), flag(rows_plain(short, lang)), rows_text(f.rows, lang)])
    parts = [
        (missed, heads(lang, "finding", "at_line", "rows_proving"), "h_missed", "no_missed"),
        (false, heads(lang, "finding", "decoy_at_line", "rows_given"), "h_false", "no_false"),
        (lacking, heads(lang, "finding", "rows_lacking", "rows_given"), "h_lacking", "no_lacking"),
    ]
    out = ""
    for rows, columns, heading, empty in parts:
        out += f"<h4>{esc(t(f't5evidence.{heading}', lang, count=format_count(len(rows))))}</h4>"
        out += html_table(columns, rows[:MAX_ROWS], empty=t(f"t5evidence.{empty}", lang))
        out += more_rows(min(len(rows), MAX_ROWS), len(rows), lang)
    return out


def _findings(g: Graded, lang: str) -> str:
    """Per rule the breaches seeded, found, missed and falsely reported; the cases at each rule's line; the missed
    and false ones and the found ones without all their evidence."""
    m, decoys, who = cb.matched(g.context), _decoys(g), _Subjects(g)
    claimed = len(m.found) + len(m.false)
    intro = t(
        "t5evidence.findings_intro",
        lang,
        seeded=format_count(len(m.truth)),
        claimed=format_count(claimed),
        found=format_count(len(m.found)),
        missed=format_count(len(m.missed)),
        false=format_count(len(m.false)),
        decoys=format_count(len(decoys)),
    )
    return (
        f"<p>{esc(intro)}</p>"
        + _per_rule(m, decoys, lang)
        + f"<h4>{esc(t('t5evidence.h_boundary', lang))}</h4>"
        + _boundary(m, decoys, who, lang)
        + _missed_false(m, decoys, who, lang)
    )


# ----------------------------------------------------------------------------------------------------- register
def _owner_cell(f: Finding, roles: Mapping[str, str], names: Mapping[str, str], lang: str) -> str:
    if not f.owner:
        return "—"
    role = roles.get(f.owner)
    who = person(f.owner, names)
    return who if role is None else f"{who}<br>{esc(role_label(role, lang))}"


def _lack_text(
    code: str, f: Finding, roles: Mapping[str, str], review: cb.RegisterReview, min_cause: int, lang: str
) -> str:
    """What one entry lacks (a code of :func:`~casekit.cases.t5_compliance.checks_base.register_review`), worded."""
    if code == "root_cause":
        return t("t5evidence.lack_root_cause", lang, count=format_count(min_cause))
    if code == "owner":
        if not f.owner:
            return t("t5evidence.lack_no_owner", lang)
        role = roles.get(f.owner)
        if role is None:
            return t("t5evidence.lack_owner_unknown", lang, owner=f.owner)
        return t("t5evidence.lack_owner_role", lang, owner=f.owner, role=role_label(role, lang))
    if code == "due":
        if f.due is None:
            return t("t5evidence.lack_no_due", lang)
        first, last = review.today.isoformat(), review.last_due.isoformat()
        return t("t5evidence.lack_due_outside", lang, due=f.due.isoformat(), first=first, last=last)
    if code == "rectification":
        return t(
            "t5evidence.lack_rectification",
            lang,
            given=t(f"t5evidence.rect_{f.rectification}", lang),
            expected=t(f"t5evidence.rect_{register.RECTIFICATION[f.rule]}", lang),
        )
    return t(
        "t5evidence.lack_prevention",
        lang,
        given=t(f"t5evidence.prev_{f.prevention}", lang),
        expected=t(f"t5evidence.prev_{register.PREVENTION[f.rule]}", lang),
    )


def _register(g: Graded, lang: str) -> str:
    """Every register entry with its fields and what it lacks (the incomplete first)."""
    answer, m, who = answer_of(g, T5Answer), cb.matched(g.context), _Subjects(g)
    p = params_of(g, "register_complete")
    min_cause, within = int(p.get("min_cause", 10)), int(p.get("within_days", 30))
    review = cb.register_review(g.context, within, min_cause)
    tolerance = float(params_of(g, "back_pay_recomputed").get("tolerance", 1))
    roles = dict(zip(g.world.staff["staff_id"].astype(str), g.world.staff["role"].astype(str), strict=True))
    rows: list[tuple[bool, list[str]]] = []
    given_total = owed_total = 0
    for f, lacks in zip(answer.findings, review.lacks, strict=True):
        key = finding_key(f)
        texts = [_lack_text(c, f, roles, review, min_cause, lang) for c in lacks]
        pay = "—"
        if f.rule in register.PAY_RULES:
            given = "—" if f.back_pay is None else format_money(f.back_pay, lang)
            given_total += f.back_pay or 0
            if key in m.truth:
                owed = int(m.truth[key]["back_pay"])
                owed_total += owed
                pay = esc(t("t5evidence.back_pay", lang, given=given, owed=format_money(owed, lang)))
                if f.back_pay is None or abs(f.back_pay - owed) > tolerance:
                    texts.append(t("t5evidence.lack_back_pay", lang, given=given, owed=format_money(owed, lang)))
            else:
                pay = esc(t("t5evidence.back_pay_none_owed", lang, given=given))
        if key not in m.truth:
            texts.append(t("t5evidence.lack_not_breach", lang))
        rows.append(
            (
                bool(texts),
                [
                    who.finding(key, lang),
                    esc(t(f"t5evidence.severity_{f.severity}", lang)),
                    _owner_cell(f, roles, who.names, lang),
                    esc(f.due.isoformat()) if f.due is not None else "—",
                    esc(f.root_cause) if f.root_cause.strip() else "—",
                    esc(t(f"t5evidence.rect_{f.rectification}", lang)),
                    pay,
                    esc(t(f"t5evidence.prev_{f.prevention}", lang)),
                    esc(f.preventive_note) if f.preventive_note.strip() else "—",
                    "<br>".join(flag(x) for x in texts) or esc(t("t5evidence.lacks_nothing", lang)),
                ],
            )
        )
    rows.sort(key=lambda r: not r[0])
    intro = t(
        "t5evidence.register_intro",
        lang,
        entries=format_count(len(answer.findings)),
        incomplete=format_count(sum(1 for bad, _ in rows if bad)),
        today=review.today.isoformat(),
        last=review.last_due.isoformat(),
        given=format_money(given_total, lang),
        owed=format_money(owed_total, lang),
    )
    columns = heads(lang, "finding", "severity", "owner", "due", "root_cause", "rectification", "back_pay")
    table = html_table(
        [*columns, *heads(lang, "prevention", "note", "lacks")],
        [c for _, c in rows[:MAX_ROWS]],
        empty=t("t5evidence.no_entries", lang),
    )
    return f"<p>{esc(intro)}</p>" + table + more_rows(min(len(rows), MAX_ROWS), len(rows), lang)


# --------------------------------------------------------------------------------------------------- next month
def _next_month(g: Graded, lang: str) -> str:
    """Whether the next month was run; each true finding's fix, whether it recurred and what the candidate
    verified (the recurred and the contradicted first)."""
    answer, m, who = answer_of(g, T5Answer), cb.matched(g.context), _Subjects(g)
    found = list(m.found.values())
    again = cb.recurred(g.context)
    rows: list[tuple[bool, list[str]]] = []
    fixes = {"none": 0, "corrected": 0, "prevented": 0}
    recurring: set[tuple[str, str]] = set()
    contradicted = 0
    for f, subject in verify.subjects(g.world, found):
        kind = register.fix_kind(f)
        fixes[kind] += 1
        stated = esc(t(f"t5evidence.verification_{f.verification}", lang))
        if again is None:
            came, verdict, bad = "—", stated, False
        else:
            back = again[(f.rule, subject)]
            if back:
                recurring.add((f.rule, subject))
            wrong = f.verification != ("recurred" if back else "held")
            contradicted += wrong
            came = flag(t("t5evidence.recurred", lang)) if back else esc(t("t5evidence.held", lang))
            verdict = flag(t(f"t5evidence.verification_{f.verification}", lang)) if wrong else stated
            bad = back or wrong
        fix = t(f"t5evidence.fix_{kind}", lang)
        fixed = esc(fix) if kind == "prevented" else flag(fix)
        rows.append((bad, [who.finding(finding_key(f), lang), fixed, came, verdict]))
    rows.sort(key=lambda r: not r[0])
    if not answer.next_month_run:
        head = flag(t("t5evidence.next_not_run", lang))
    else:
        head = esc(
            t(
                "t5evidence.next_intro",
                lang,
                entries=format_count(len(found)),
                prevented=format_count(fixes["prevented"]),
                corrected=format_count(fixes["corrected"]),
                none=format_count(fixes["none"]),
                recurred=format_count(len(recurring)),
                contradicted=format_count(contradicted),
            )
        )
    note = ""
    if m.false:
        note = f"<p>{esc(t('t5evidence.next_false', lang, count=format_count(len(m.false))))}</p>"
    table = html_table(
        heads(lang, "finding", "fix", "next_month", "verification"),
        [c for _, c in rows[:MAX_ROWS]],
        empty=t("t5evidence.no_found", lang),
    )
    return f"<p>{head}</p>" + note + table + more_rows(min(len(rows), MAX_ROWS), len(rows), lang)


SECTIONS: Final = (
    Section("t5-framework", "t5evidence.section_framework", framework_html),
    Section("t5-training", "t5evidence.section_training", training_html),
    Section("t5-findings", "t5evidence.section_findings", _findings),
    Section("t5-register", "t5evidence.section_register", _register),
    Section("t5-next-month", "t5evidence.section_next_month", _next_month),
    free_text_section(
        "t5-texts",
        "t5evidence.section_texts",
        [("explanation", "t5evidence.h_explanation"), ("discussion", "t5evidence.h_discussion")],
    ),
)
