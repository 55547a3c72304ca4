"""Taking a folder of submissions in: which entries are answer documents, and which kind and rubric each goes to.

Every check here touches one submission at a time and never raises for one: an entry that cannot be taken in is
*refused* with its reason (and reported as a failed submission) or *set aside* (an entry that is not an answer
document at all), and the batch goes on with the others.

- :func:`discover`: the folder's ``*.json`` entries. Only regular files are taken: a symbolic link (which could
  point outside the folder), a FIFO or a folder named ``*.json`` is refused; other entries are set aside, named.
- :func:`route`: each file's header (read capped, as strict JSON): its candidate, its case kind and the rubric it
  is graded by. A file over the size limit or that cannot be read is refused before anything parses it; two files
  for the same candidate and case are both refused, each naming the other (which one is the candidate's is for the
  assessor to settle; the unit-level attempts will declare resubmissions).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from casekit.errors import AnswerError, Problem, RubricError, UsageError
from casekit.i18n import t
from casekit.jsonio import loads_strict, read_capped
from casekit.limits import MAX_ANSWER_BYTES
from casekit.registry import CaseRegistry, registry
from casekit.validation import load_versioned_yaml, read_text_file

if TYPE_CHECKING:
    from casekit.assessment.roster import Roster

__all__ = ["Found", "Routed", "choose_rubrics", "discover", "route"]


@dataclass(frozen=True)
class Found:
    """An entry of the folder: its path, the file-safe key its outputs are named by, and why it is refused
    (empty when it is taken in)."""

    source: Path
    key: str
    refused: str = ""


@dataclass(frozen=True)
class Routed:
    """A submission with what its header says: the candidate, the case kind (``None`` when the file cannot be read
    as an answer of a known kind: the grading notebook then reports why), the rubric it is graded by, the SHA-256
    of its bytes, and why it is refused (empty when it is graded)."""

    source: Path
    key: str
    candidate_id: str | None
    case: str | None
    rubric: Path | None
    sha256: str = ""
    refused: str = ""
    org: object = None
    seed: object = None


def _kind_of_entry(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "batch.entry_link"
    if stat.S_ISDIR(mode):
        return "batch.entry_folder"
    return "batch.entry_special" if not stat.S_ISREG(mode) else ""


def discover(submissions: str | os.PathLike[str], lang: str | None = None) -> tuple[list[Found], list[str]]:
    """The folder's ``*.json`` entries, sorted, each with a distinct file-safe key (two names that sanitise alike
    get a suffix), refused when not a regular file; and every other entry, set aside, each named with why."""
    from casekit.portfolio import safe_filename

    src = Path(submissions)
    if not src.is_dir():
        raise UsageError(t("batch.not_a_folder", lang, path=str(src)))
    try:
        entries = sorted(os.scandir(src), key=lambda e: e.name)
    except OSError as exc:
        raise UsageError(t("batch.unreadable_folder", lang, path=str(src), error=exc.strerror or str(exc))) from None
    found, set_aside, used = [], [], set()
    for entry in entries:
        try:
            problem = _kind_of_entry(entry.stat(follow_symlinks=False).st_mode)
        except OSError as exc:
            problem = "batch.entry_unreadable"
            set_aside.append(t(problem, lang, name=entry.name, error=exc.strerror or str(exc)))
            continue
        if not entry.name.endswith(".json"):
            set_aside.append(t(problem or "batch.entry_not_json", lang, name=entry.name))
            continue
        base = safe_filename(Path(entry.name).stem)
        key, n = base, 2
        while key in used:
            key, n = f"{base}-{n}", n + 1
        used.add(key)
        refused = t(problem, lang, name=entry.name) if problem else ""
        found.append(Found(src.resolve() / entry.name, key, refused))
    if not found:
        raise UsageError(t("batch.no_submissions", lang, path=str(src)))
    return found, set_aside


def choose_rubrics(choices: Sequence[str]) -> dict[str, Path]:
    """The rubric per kind that ``choices`` ask for: ``KIND=PATH``, or ``PATH`` (the kind is the rubric's ``case``).

    :func:`casekit.execution.batch.grade_folder` then loads each with its kind's checks, before anything runs.
    """
    chosen: dict[str, Path] = {}
    for choice in choices:
        kind_id, sep, path_text = choice.partition("=")
        if not sep:
            path_text = choice
            data = load_versioned_yaml(read_text_file(path_text, RubricError), path_text, 1, RubricError)
            case = data.get("case")
            if not isinstance(case, str) or not case:
                raise RubricError([Problem(path_text, "case", "expect.present")])
            kind_id = case
        if kind_id in chosen:
            raise UsageError(t("batch.rubric_twice", None, kind=kind_id))
        chosen[kind_id] = Path(path_text).resolve()
    return chosen


def _header(f: Found, cases: CaseRegistry, rubrics: Mapping[str, Path], max_bytes: int, lang: str | None) -> Routed:
    try:
        raw = read_capped(f.source, max_bytes, AnswerError)
    except AnswerError as exc:
        return Routed(f.source, f.key, None, None, None, refused=exc.render(lang))
    sha = hashlib.sha256(raw).hexdigest()
    try:
        data = loads_strict(raw, str(f.source), AnswerError)
    except AnswerError:
        data = None  # the grading notebook reports every problem, as the submission's evidence
    candidate = case = org = seed = None
    if isinstance(data, dict):
        candidate = data.get("candidate_id") if isinstance(data.get("candidate_id"), str) else None
        case = data.get("case") if isinstance(data.get("case"), str) and data.get("case") in cases else None
        org, seed = data.get("org"), data.get("seed")
    rubric = None if case is None else rubrics.get(case, cases.get(case).rubric)
    return Routed(f.source, f.key, candidate, case, rubric, sha, org=org, seed=seed)


def _against_roster(r: Routed, roster: Roster, lang: str | None) -> Routed:
    """``r`` refused when its header is not what the roster assigned its candidate (or cannot be checked)."""
    if r.refused:
        return r
    if r.candidate_id is None or r.case is None:
        return replace(r, refused=t("batch.roster_unreadable", lang))
    org = r.org if isinstance(r.org, str) else repr(r.org)
    seed = r.seed if isinstance(r.seed, int) and not isinstance(r.seed, bool) else -1
    reason = roster.check(r.candidate_id, r.case, org, seed)
    if reason is None:
        return r
    return replace(r, refused=t("batch.roster_mismatch", lang, reason=reason.render(lang)))


def route(
    found: Sequence[Found],
    rubrics: Mapping[str, Path],
    kinds: CaseRegistry | None = None,
    *,
    max_bytes: int = MAX_ANSWER_BYTES,
    lang: str | None = None,
    roster: Roster | None = None,
) -> list[Routed]:
    """Each submission with its candidate, kind and rubric, read from its header (the full document is validated
    by the grading notebook, which reports every problem as the submission's evidence); refused when it cannot
    be read, is over ``max_bytes``, shares its candidate and case with another file, or (given a ``roster``) its
    organisation and seed are not the ones the roster assigned its candidate for that case."""
    cases = kinds if kinds is not None else registry
    routed = [
        Routed(f.source, f.key, None, None, None, refused=f.refused)
        if f.refused
        else _header(f, cases, rubrics, max_bytes, lang)
        for f in found
    ]
    claims: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(routed):
        if r.candidate_id is not None and r.case is not None and not r.refused:
            claims[(r.candidate_id, r.case)].append(i)
    for (candidate, case), where in claims.items():
        if len(where) < 2:
            continue
        for i in where:
            others = ", ".join(routed[j].source.name for j in where if j != i)
            reason = t("batch.duplicate", lang, candidate=candidate, case=case, others=others)
            routed[i] = replace(routed[i], refused=reason)
    if roster is not None:
        routed = [_against_roster(r, roster, lang) for r in routed]
    return routed
