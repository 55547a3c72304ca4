"""``casekit demo``: the whole path in one command, with simulated candidates of known quality.

1. A cohort: for each case kind of the plan that declares simulated candidates (its
   :class:`~casekit.cases.kind.Profiles`), one candidate per profile (or ``candidates``), written to
   ``OUT/candidates.csv``; ``casekit assign`` gives each their organisation and seed (``OUT/roster.json``).
2. Each candidate's answer (attempt 1) goes to ``OUT/submissions/``. A simulated assessor marks the
   assessor-judged criteria as a careful assessor would (not all met: the kind's ``assessor_view``), with a reason.
3. A simulated moderator second-marks a reproducible sample (``casekit moderation``'s rule): agrees, except on two
   criteria, one disagreement resolved *upheld* and one *overturned*, each with its reason.
4. Grading, through the same batch path as ``casekit grade --roster``.
5. One candidate resubmits (attempt 2, a better answer): attempt 1 and its grading stay; the marks do not follow
   the new content, so the assessor marks it again; it is graded.
6. The assessor and the moderator sign every settled unit decision; the unit pages, the index, the moderation
   report (``OUT/moderation.json``) and the exports (``OUT/export.xlsx``, and ``OUT/export-pseudonymised.csv``
   with its key ``OUT/pseudonym.key``) are written.

Run again in the same folder, it keeps what it recorded: never a mark, a moderation record or a sign-off twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from casekit.answers import document_sha256
from casekit.assessment.plan import Plan, load_plan
from casekit.assessment.records import Moderation, SignOff
from casekit.assessment.roster import CandidateRow, Roster, assign, save_roster
from casekit.cases.kind import CaseKind, Profiles
from casekit.errors import UsageError
from casekit.execution.batch import Batch, grade_folder, rebuild_units
from casekit.execution.runner import Progress
from casekit.i18n import t
from casekit.registry import CaseRegistry, registry
from casekit.rubric import AssessorMark
from casekit.store import Gradebook, Submission

__all__ = ["DEMO_ASSESSOR", "DEMO_MODERATOR", "demo_kinds", "run_demo"]

DEMO_ASSESSOR = "demo-assessor"
DEMO_MODERATOR = "demo-moderator"
#: The profile a resubmitting candidate's second attempt is written by (the best the kind has).
RESUBMISSION_PROFILE = "strong"


def demo_kinds(cases: Sequence[str] | None = None, kinds: CaseRegistry | None = None) -> list[CaseKind]:
    """The kinds a demo runs: those named (each must have simulated candidates), or every kind that has them."""
    known = kinds if kinds is not None else registry
    if cases is None:
        return [kind for kind in known if kind.profiles is not None]
    chosen = [known.get(c) for c in cases]
    lacking = [k.id for k in chosen if k.profiles is None]
    if lacking:
        raise UsageError(t("demo.no_profiles", None, kinds=", ".join(lacking)))
    return chosen


@dataclasses.dataclass(frozen=True)
class _Candidate:
    candidate_id: str
    kind: CaseKind
    profile: str
    path: Path


def run_demo(
    out: str | os.PathLike[str],
    *,
    candidates: int | None = None,
    cases: Sequence[str] | None = None,
    lang: str = "zh-TW",
    org: str = "bank-cards",
    seed: int = 2026,
    jobs_n: int = 2,
    plan_path: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    on_candidate: Callable[[int, int, str], None] | None = None,
) -> Batch:
    """Run the demo into ``out`` (see the module docstring); the batch of the last grading, with every
    candidate's unit result. ``plan_path``: the assessment plan (default: the packaged plan for the unit)."""
    root = Path(out)
    submissions = root / "submissions"
    submissions.mkdir(parents=True, exist_ok=True)
    plan = load_plan(plan_path)
    in_plan = {c.kind for c in plan.components}
    kinds = [k for k in demo_kinds(cases) if k.id in in_plan]
    if not kinds:
        raise UsageError(t("demo.no_plan_kinds", lang, plan=plan.id, kinds=", ".join(sorted(in_plan))))
    cohort = _cohort(kinds, candidates, submissions)
    roster = _roster(root, plan, cohort, seed, org)
    book_path = root / "gradebook.sqlite"
    with Gradebook(book_path) as book:
        for n, c in enumerate(cohort, start=1):
            if on_candidate is not None:
                on_candidate(n, len(cohort), f"{c.candidate_id} ({c.kind.id})")
            if not book.attempts(f"{c.candidate_id}/{c.kind.id}"):
                _write(book, c, c.profile, roster, lang)
            _assess(book, c, c.profile, lang)
    the_roster, the_plan = root / "roster.json", str(plan.source)

    def grade() -> Batch:
        return grade_folder(
            submissions, root, jobs_n=jobs_n, lang=lang, progress=progress, roster=the_roster, plan_path=the_plan
        )

    batch = grade()
    with Gradebook(book_path) as book:
        _moderate(book, seed, lang)
    if len(cohort) > 1:
        last = cohort[-1]
        with Gradebook(book_path) as book:
            if len(book.attempts(f"{last.candidate_id}/{last.kind.id}")) < 2:
                _write(book, last, RESUBMISSION_PROFILE, roster, lang)  # attempt 2: the same world, a better answer
                _assess(book, last, RESUBMISSION_PROFILE, lang)
    batch = grade()  # the resubmission, and the pages whose moderation changed
    _sign(book_path, plan, lang)
    units = rebuild_units(root, lang, plan_path=the_plan)
    _reports(root, plan, seed, lang)
    return dataclasses.replace(batch, units=tuple(units))


def _cohort(kinds: Sequence[CaseKind], candidates: int | None, submissions: Path) -> list[_Candidate]:
    """The demo's candidates: the n-th works every kind's n-th profile (strong, competent, then one flaw each), so
    each candidate has a case of every kind and a unit decision over all of them. A candidate is named by their
    profile where every kind gives the same one (``demo-01-strong``), else ``demo-03-one-flaw``."""
    names = [_profiles(kind).names for kind in kinds]
    count = max(len(n) for n in names) if candidates is None else candidates
    cohort = []
    for kind, profiles in zip(kinds, names, strict=True):
        for i in range(count):
            chosen = {n[i % len(n)] for n in names}
            label = chosen.pop() if len(chosen) == 1 else "one-flaw"
            cid = f"demo-{i + 1:02d}-{label.replace('_', '-')}"
            profile = profiles[i % len(profiles)]
            cohort.append(_Candidate(cid, kind, profile, submissions / f"{cid}-{kind.id.lower()}.json"))
    return cohort


def _roster(root: Path, plan: Plan, cohort: Sequence[_Candidate], seed: int, org: str) -> Roster:
    """``OUT/candidates.csv`` and the roster ``casekit assign`` makes of it (kept when already there)."""
    rows = sorted({c.candidate_id for c in cohort})
    (root / "candidates.csv").write_text("candidate_id,name\n" + "".join(f"{r},\n" for r in rows), encoding="utf-8")
    roster = assign(plan, [CandidateRow(r) for r in rows], cohort_seed=seed, orgs=[org])
    save_roster(roster, root / "roster.json")
    return roster


def _write(book: Gradebook, c: _Candidate, profile: str, roster: Roster, lang: str) -> None:
    """Write the candidate's answer by ``profile`` in the world the roster gave them, and record it."""
    given = roster.assignment(c.candidate_id, c.kind.id)
    if given is None:  # the roster was made from this cohort: every candidate has their kind
        raise UsageError(t("demo.no_assignment", lang, candidate=c.candidate_id, kind=c.kind.id))
    case = _profiles(c.kind).case(profile, given.org, given.seed, c.candidate_id, lang)
    answer = case.to_answer()
    case.save(c.path)
    sub = Submission(c.candidate_id, answer.case, document_sha256(answer), seed=answer.seed, org=answer.org)
    book.add_submission(sub)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _assess(book: Gradebook, c: _Candidate, profile: str, lang: str) -> None:
    """The simulated assessor's marks on the submission's current content (none twice)."""
    key = f"{c.candidate_id}/{c.kind.id}"
    weak = _profiles(c.kind).assessor_view.get(profile, frozenset())
    marked = {m.criterion_id for m in book.marks(key) if m.assessor == DEMO_ASSESSOR}
    for criterion in _assessor_criteria(c.kind):
        if criterion in marked:
            continue
        result = "not_yet_met" if criterion in weak else "met"
        reason = t(f"demo.mark_{result}", lang, criterion=criterion, profile=profile)
        book.add_mark(key, AssessorMark(criterion, DEMO_ASSESSOR, result, reason, _now()))  # type: ignore[arg-type]


def _assessor_criteria(kind: CaseKind) -> list[str]:
    return [c.id for c in kind.load_rubric().criteria if not c.judged_by.automatic]


def _moderate(book: Gradebook, seed: int, lang: str) -> None:
    """The simulated moderator second-marks the moderation report's sample (reproducible from the seed): agrees,
    but for one disagreement upheld on a met criterion and one overturned (a not-yet-met one when the sample has
    one, else a met one of another submission)."""
    from casekit.cohort.moderation import moderation_report

    if any(m.moderator == DEMO_MODERATOR for _key, m in book.all_moderations()):
        return  # a rerun: the moderation is recorded already
    sampled = moderation_report(book, seed=seed).sample
    marks = {key: {m.criterion_id: m.result for m in book.marks(key)} for key in sampled}
    met = [(k, c) for k in sampled for c, r in marks[k].items() if r == "met"]
    not_met = [(k, c) for k in sampled for c, r in marks[k].items() if r == "not_yet_met"]
    upheld = met[0] if met else None
    others = [m for m in met if upheld is None or m[0] != upheld[0]]
    overturned = not_met[0] if not_met else (others[0] if others else None)
    for key in sampled:
        for criterion in sorted(marks[key]):
            moderation = _moderation(criterion, "upheld" if (key, criterion) == upheld else "", lang)
            if (key, criterion) == overturned:
                moderation = _moderation(criterion, "overturned", lang)
            for record in moderation:
                book.add_moderation(key, record)


def _moderation(criterion: str, outcome: str, lang: str) -> list[Moderation]:
    """Agreement, or a disagreement and its resolution (``upheld`` or ``overturned``)."""
    if not outcome:
        return [Moderation(criterion, DEMO_MODERATOR, "agree", t("demo.moderation_agree", lang), _now())]
    doubt = Moderation(criterion, DEMO_MODERATOR, "disagree", t("demo.moderation_doubt", lang), _now())
    settled = t(f"demo.moderation_{outcome}", lang)
    return [doubt, Moderation(criterion, DEMO_MODERATOR, "resolve", settled, _now(), outcome=outcome)]  # type: ignore[arg-type]


def _sign(book_path: Path, plan: Plan, lang: str) -> None:
    """The assessor and the moderator sign each settled unit decision they have not signed as it stands."""
    from casekit.cohort.unit import unit_decision

    with Gradebook(book_path) as book:
        for candidate, _name in book.candidates():
            _inputs, decision = unit_decision(book, plan, candidate)
            if decision.evidence_outcome not in ("competent", "not_yet_competent"):
                continue
            signed = {(s.signoff.role, s.valid) for s in decision.signoffs}
            for role, who in (("assessor", DEMO_ASSESSOR), ("moderator", DEMO_MODERATOR)):
                if (role, True) not in signed:
                    statement = t(f"demo.signoff_{role}", lang)
                    signoff = SignOff(candidate, who, role, statement, decision.digest, _now())  # type: ignore[arg-type]
                    book.add_signoff(signoff)


def _reports(root: Path, plan: Plan, seed: int, lang: str) -> None:
    """The moderation report and the exports (one pseudonymised, with its key kept beside it)."""
    import secrets

    from casekit.atomic import write_atomic
    from casekit.cohort.export import export
    from casekit.cohort.moderation import moderation_report
    from casekit.jsonio import dumps_strict

    key_file = root / "pseudonym.key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
    with Gradebook(root / "gradebook.sqlite") as book:
        report = moderation_report(book, seed=seed)
        write_atomic(root / "moderation.json", dumps_strict(report.to_json(lang)).encode("utf-8"))
        export(book, plan, root / "export.xlsx", fmt="xlsx", lang=lang)
        key = key_file.read_bytes().strip()
        export(book, plan, root / "export-pseudonymised.csv", fmt="csv", lang=lang, key=key)


def _profiles(kind: CaseKind) -> Profiles:
    profiles = kind.profiles
    if profiles is None:  # demo_kinds keeps only kinds with profiles
        raise UsageError(t("demo.no_profiles", None, kinds=kind.id))
    return profiles
