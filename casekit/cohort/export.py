"""A cohort's results exported from the gradebook, for the awarding body, a moderation sample or a spreadsheet:
:func:`export_rows` gathers four tables, :func:`write_csv` and :func:`write_xlsx` write them, :func:`export` does
both. Nothing is decided here: each candidate's unit decision is :func:`casekit.cohort.unit.unit_decision`, each
criterion's state its component's current result (marks on that content, then moderation).

Columns are stable English snake_case ids (a program reading the file keeps working whatever the language); only
values that are labels (``*_label``, ``reasons``, ``flags``) are in ``lang``. Lists inside a cell are joined with
a space (element ids) or `` | `` (everything else).

``criteria`` (one row per candidate x component x criterion of the component's current graded attempt):
    candidate_id, submission, component, case_kind, component_status (``graded`` or ``other_rubric``), attempt,
    content_sha256, rubric_id, rubric_sha256, criterion_id, method, elements, essential (``true``/``false``),
    state, state_label, mark_assessor, mark_result, mark_reason, mark_time (the deciding mark; empty when none),
    moderation (``none``, ``agreed``, ``in_moderation``, ``upheld``, ``overturned``: after the last moderation
    record of the criterion on that content), moderation_label, unit_outcome, case_decision.
``decisions`` (one row per candidate the gradebook knows):
    candidate_id, name, unit_outcome, unit_label, evidence_outcome, evidence_label, met, total, reason_keys,
    reasons, uncovered, digest, signoffs (``role:assessor:valid|void``), signoff_statements, flag_keys, flags.
``marks`` (every mark ever added, in the order added): candidate_id, submission, component, case_kind,
    content_sha256 (first 12 hex of the content it judged), criterion_id, assessor, result, reason, time.
``moderation`` (every moderation record, in the order made): candidate_id, submission, component, case_kind,
    content_sha256 (first 12 hex), criterion_id, moderator, action, outcome, reason, time.

Pseudonymised (``pseudonymise=<key>``; 個人資料保護法: a moderation or validation sample carries no names): a
candidate id becomes ``p-`` and an assessor's or moderator's name ``a-``, each followed by the first 16 hex digits
of HMAC-SHA256(key, id or name), so the same key gives the same pseudonyms in every export (samples can be
joined) and another key others; without the key they cannot be reversed or recomputed. A submission key
(``candidate/case``) becomes ``pseudonym/case``. Free text that may name people is left out, its columns absent
rather than blanked: ``name``, ``reasons`` and ``flags`` (their catalog keys stay: ``reason_keys``,
``flag_keys``), ``signoff_statements``, the deciding mark's ``mark_reason`` and the marks' and moderation
records' ``reason``. Rows are then ordered by pseudonym, so their order says nothing about the real ids. Nothing
else changes: the same rows, the same states. The SHA-256 of contents and the decisions' digests stay (a sample is
checked against the gradebook by them), so whoever holds the gradebook or the answers can tell whose a row is: the
centre can, the sample's recipient, who holds neither, cannot.

The CSV holds the ``criteria`` table alone (one long table, what a spreadsheet filter or a statistics package
wants), in UTF-8 with a byte-order mark so Excel in Taiwan opens the Chinese text; a text cell beginning with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` so no spreadsheet runs it as a formula
(OWASP, CSV injection). The XLSX holds every table, one worksheet each, every text written as a string (never a
formula), the header row bold and frozen. Both files are written atomically.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from casekit.assessment.plan import Plan
from casekit.assessment.records import Moderation
from casekit.assessment.unit import UnitDecision, UnitInputs, unit_reasons
from casekit.atomic import write_atomic
from casekit.cohort.unit import unit_decision
from casekit.errors import UsageError
from casekit.i18n import normalise_lang, t
from casekit.rubric import AssessorMark, decide
from casekit.store import Gradebook

__all__ = [
    "CRITERIA_COLUMNS",
    "DECISION_COLUMNS",
    "FORMATS",
    "MARK_COLUMNS",
    "MODERATION_COLUMNS",
    "PRIVATE_COLUMNS",
    "Cell",
    "Export",
    "Table",
    "csv_cell",
    "export",
    "export_rows",
    "moderation_status",
    "write_csv",
    "write_xlsx",
]

Cell = str | int
Format = Literal["csv", "xlsx"]
FORMATS: Final[tuple[Format, ...]] = ("csv", "xlsx")

CRITERIA_COLUMNS: Final = (
    "candidate_id", "submission", "component", "case_kind", "component_status", "attempt", "content_sha256",
    "rubric_id", "rubric_sha256", "criterion_id", "method", "elements", "essential", "state", "state_label",
    "mark_assessor", "mark_result", "mark_reason", "mark_time", "moderation", "moderation_label", "unit_outcome",
    "case_decision",
)  # fmt: skip
DECISION_COLUMNS: Final = (
    "candidate_id", "name", "unit_outcome", "unit_label", "evidence_outcome", "evidence_label", "met", "total",
    "reason_keys", "reasons", "uncovered", "digest", "signoffs", "signoff_statements", "flag_keys", "flags",
)  # fmt: skip
MARK_COLUMNS: Final = (
    "candidate_id", "submission", "component", "case_kind", "content_sha256", "criterion_id", "assessor", "result",
    "reason", "time",
)  # fmt: skip
MODERATION_COLUMNS: Final = (
    "candidate_id", "submission", "component", "case_kind", "content_sha256", "criterion_id", "moderator", "action",
    "outcome", "reason", "time",
)  # fmt: skip
#: Free text that may name people: absent from a pseudonymised export.
PRIVATE_COLUMNS: Final = frozenset({"name", "reasons", "flags", "signoff_statements", "reason", "mark_reason"})

_MODERATION_LABELS: Final = {
    "none": "export.moderation_none",
    "agreed": "export.moderation_agreed",
    "in_moderation": "export.moderation_in_moderation",
    "upheld": "export.moderation_upheld",
    "overturned": "export.moderation_overturned",
}
#: What a spreadsheet may take for the start of a formula (OWASP, CSV injection).
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_MIN_WIDTH: Final = 6
_MAX_WIDTH: Final = 60


@dataclass(frozen=True)
class Table:
    """One table of an export: its name (the XLSX worksheet's), its column ids and its rows, cell by cell."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def records(self) -> list[dict[str, Cell]]:
        """Each row as a mapping of column id to value."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Export:
    """A cohort's export: its four tables, the language of its labels, and whether it is pseudonymised."""

    criteria: Table
    decisions: Table
    marks: Table
    moderation: Table
    lang: str
    pseudonymised: bool

    @property
    def tables(self) -> tuple[Table, ...]:
        return (self.criteria, self.decisions, self.marks, self.moderation)


@dataclass(frozen=True)
class _Ids:
    """How people and submissions are named in the export: as they are, or by keyed pseudonyms."""

    key: bytes | None

    def candidate(self, candidate_id: str) -> str:
        return self._pseudonym("p-", candidate_id)

    def person(self, name: str) -> str:
        return self._pseudonym("a-", name) if name else ""

    def submission(self, candidate_id: str, case: str) -> str:
        return f"{self.candidate(candidate_id)}/{case}"

    def _pseudonym(self, prefix: str, text: str) -> str:
        if self.key is None:
            return text
        return prefix + hmac.new(self.key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def export_rows(book: Gradebook, plan: Plan, lang: str, *, pseudonymise: bytes | None = None) -> Export:
    """The cohort in ``book`` under ``plan`` as four tables, labels in ``lang``; pseudonymised with the key
    ``pseudonymise`` when given (see the module docstring for the columns and what pseudonymising does)."""
    lang = normalise_lang(lang)
    if pseudonymise is not None and not pseudonymise:
        raise UsageError(t("export.empty_key", lang))
    ids = _Ids(pseudonymise)
    names = dict(book.candidates())
    criteria: list[dict[str, Cell]] = []
    decisions: list[dict[str, Cell]] = []
    for candidate_id in sorted(names, key=ids.candidate):
        inputs, decision = unit_decision(book, plan, candidate_id)
        decisions.append(_decision_row(decision, names[candidate_id], ids, lang))
        criteria += _criteria_rows(inputs, decision, ids, lang)
    subs = sorted(book.submissions(), key=lambda s: ids.submission(s.candidate_id, s.case))
    marks: list[dict[str, Cell]] = []
    for sub in subs:
        where = _where(plan, ids, sub.candidate_id, sub.case)
        contents = [a.sha256 for a in book.attempts(sub.key)] + [sub.sha256]
        for mark, content in _with_content(book.mark_history(sub.key), {c: book.marks(sub.key, c) for c in contents}):
            row = {
                "content_sha256": content[:12],
                "criterion_id": mark.criterion_id,
                "assessor": ids.person(mark.assessor),
            }
            marks.append(where | row | {"result": mark.result, "reason": mark.reason, "time": mark.time})
    moderation: list[dict[str, Cell]] = []
    for key, record in book.all_moderations():
        found = book.submission(key)
        candidate_id, case = (found.candidate_id, found.case) if found is not None else key.split("/", 1)
        row = {"content_sha256": record.content_sha256[:12], "criterion_id": record.criterion_id}
        row |= {"moderator": ids.person(record.moderator), "action": record.action, "outcome": record.outcome}
        moderation.append(_where(plan, ids, candidate_id, case) | row | {"reason": record.reason, "time": record.time})
    drop = PRIVATE_COLUMNS if pseudonymise is not None else frozenset()
    return Export(
        criteria=_table("criteria", CRITERIA_COLUMNS, criteria, drop),
        decisions=_table("decisions", DECISION_COLUMNS, decisions, drop),
        marks=_table("marks", MARK_COLUMNS, marks, drop),
        moderation=_table("moderation", MODERATION_COLUMNS, moderation, drop),
        lang=lang,
        pseudonymised=pseudonymise is not None,
    )


def _table(name: str, columns: Sequence[str], rows: Iterable[Mapping[str, Cell]], drop: frozenset[str]) -> Table:
    kept = tuple(c for c in columns if c not in drop)
    return Table(name, kept, tuple(tuple(row[c] for c in kept) for row in rows))


def _decision_row(decision: UnitDecision, name: str, ids: _Ids, lang: str) -> dict[str, Cell]:
    return {
        "candidate_id": ids.candidate(decision.candidate_id),
        "name": name,
        "unit_outcome": decision.outcome,
        "unit_label": decision.label(lang),
        "evidence_outcome": decision.evidence_outcome,
        "evidence_label": t(f"rubric.decision_{decision.evidence_outcome}", lang),
        "met": decision.met,
        "total": decision.total,
        "reason_keys": " | ".join(r.key for r in decision.reasons),
        "reasons": " | ".join(unit_reasons(decision.to_json(), lang)),
        "uncovered": " ".join(decision.uncovered()),
        "digest": decision.digest,
        "signoffs": " | ".join(
            f"{s.signoff.role}:{ids.person(s.signoff.assessor)}:{'valid' if s.valid else 'void'}"
            for s in decision.signoffs
        ),
        "signoff_statements": " | ".join(s.signoff.statement for s in decision.signoffs),
        "flag_keys": " | ".join(f.key for f in decision.flags),
        "flags": " | ".join(f.render(lang) for f in decision.flags),
    }


def _criteria_rows(inputs: UnitInputs, decision: UnitDecision, ids: _Ids, lang: str) -> list[dict[str, Cell]]:
    rows: list[dict[str, Cell]] = []
    for ce in inputs.components:
        if ce.run is None or ce.result is None:
            continue  # no graded attempt: the decisions table says why
        run = ce.run
        status = moderation_status(ce.moderation)
        case_decision = decide(ce.result).outcome
        for c in ce.result.criteria:
            mark = c.deciding_mark
            state = status.get(c.id, "none")
            rows.append(
                {
                    "candidate_id": ids.candidate(inputs.candidate_id),
                    "submission": ids.submission(inputs.candidate_id, run.case),
                    "component": ce.component.id,
                    "case_kind": ce.component.kind,
                    "component_status": ce.status,
                    "attempt": run.attempt,
                    "content_sha256": run.sha256,
                    "rubric_id": run.rubric_id,
                    "rubric_sha256": run.rubric_sha256,
                    "criterion_id": c.id,
                    "method": c.method,
                    "elements": " ".join(c.elements),
                    "essential": "true" if c.essential else "false",
                    "state": c.state,
                    "state_label": c.state_label(lang),
                    "mark_assessor": "" if mark is None else ids.person(mark.assessor),
                    "mark_result": "" if mark is None else mark.result,
                    "mark_reason": "" if mark is None else mark.reason,
                    "mark_time": "" if mark is None else mark.time,
                    "moderation": state,
                    "moderation_label": t(_MODERATION_LABELS[state], lang),
                    "unit_outcome": decision.outcome,
                    "case_decision": case_decision,
                }
            )
    return rows


def moderation_status(records: Iterable[Moderation]) -> dict[str, str]:
    """Per criterion, where its moderation stands after ``records`` (one content's, in the order made): ``agreed``,
    ``in_moderation`` (a disagreement not yet resolved), ``upheld`` or ``overturned``; a criterion no record
    names is absent (its status is ``none``)."""
    status: dict[str, str] = {}
    for record in records:
        status[record.criterion_id] = {"agree": "agreed", "disagree": "in_moderation"}.get(
            record.action, record.outcome
        )
    return status


def _where(plan: Plan, ids: _Ids, candidate_id: str, case: str) -> dict[str, Cell]:
    component = plan.component_for(case)
    return {
        "candidate_id": ids.candidate(candidate_id),
        "submission": ids.submission(candidate_id, case),
        "component": "" if component is None else component.id,
        "case_kind": case,
    }


def _with_content(
    history: Sequence[AssessorMark], by_content: Mapping[str, Sequence[AssessorMark]]
) -> list[tuple[AssessorMark, str]]:
    """Each mark of ``history`` (in the order added) with the content it judged: the history interleaves the
    marks of each content (each in the order added), so walking it takes each mark from the content whose next
    mark it is; ``""`` for a content no longer known."""
    nxt = dict.fromkeys(by_content, 0)
    found = []
    for mark in history:
        content = next((c for c, ms in by_content.items() if nxt[c] < len(ms) and ms[nxt[c]] == mark), "")
        if content:
            nxt[content] += 1
        found.append((mark, content))
    return found


# --- files -----------------------------------------------------------------------------------------------------


def csv_cell(value: Cell) -> str:
    """A cell as CSV text, a text that a spreadsheet would take for a formula prefixed with ``'``."""
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(_FORMULA_START) else text


def write_csv(data: Export, path: str | Path) -> Path:
    """Write the ``criteria`` table to ``path`` as CSV (UTF-8 with a byte-order mark), atomically."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(data.criteria.columns)
    writer.writerows([csv_cell(v) for v in row] for row in data.criteria.rows)
    target = Path(path)
    write_atomic(target, buffer.getvalue().encode("utf-8-sig"))
    return target


def write_xlsx(data: Export, path: str | Path) -> Path:
    """Write every table to ``path`` as an XLSX workbook, one worksheet each, atomically."""
    import xlsxwriter

    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    workbook = xlsxwriter.Workbook(buffer, options)
    bold = workbook.add_format({"bold": True})
    for table in data.tables:
        sheet = workbook.add_worksheet(table.name)
        for col, name in enumerate(table.columns):
            sheet.write_string(0, col, name, bold)
        for r, row in enumerate(table.rows, start=1):
            for col, value in enumerate(row):
                if isinstance(value, int):
                    sheet.write_number(r, col, value)
                else:
                    sheet.write_string(r, col, value)
        sheet.freeze_panes(1, 0)
        if table.rows:
            sheet.autofilter(0, 0, len(table.rows), len(table.columns) - 1)
        for col, width in enumerate(_widths(table)):
            sheet.set_column(col, col, width)
    workbook.close()
    target = Path(path)
    write_atomic(target, buffer.getvalue())
    return target


def _widths(table: Table) -> list[int]:
    """Each column's width in characters: its longest line, a wide (CJK) character counting two, within bounds."""
    widths = []
    for col, name in enumerate(table.columns):
        longest = max([_display(name), *(_display(str(row[col])) for row in table.rows)])
        widths.append(min(_MAX_WIDTH, max(_MIN_WIDTH, longest + 2)))
    return widths


def _display(text: str) -> int:
    lines = text.splitlines() or [""]
    return max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines)


def export(book: Gradebook, plan: Plan, path: str | Path, *, fmt: Format, lang: str, key: bytes | None = None) -> Path:
    """Export the cohort in ``book`` under ``plan`` to ``path`` as ``fmt`` (``csv``: the criteria table;
    ``xlsx``: every table), labels in ``lang``, pseudonymised with ``key`` when given; the path written."""
    if fmt not in FORMATS:
        raise UsageError(t("export.format", lang, got=repr(fmt), allowed=", ".join(FORMATS)))
    data = export_rows(book, plan, lang, pseudonymise=key)
    return write_csv(data, path) if fmt == "csv" else write_xlsx(data, path)
