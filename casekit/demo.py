"""``casekit demo``: the whole path in one command, with simulated candidates of known quality.

For each case kind that declares simulated candidates (its :class:`~casekit.cases.kind.Profiles`), it builds a
cohort on one organisation, each candidate on their own seed (equivalent difficulty, different numbers): a strong
and a competent candidate and weak ones with one flaw each. Their answer documents go to ``OUT/submissions/``; a
simulated assessor marks the assessor-judged criteria in the gradebook (as a real assessor would, with a reason);
then the folder is graded through the same batch path as ``casekit grade``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from casekit.answers import document_sha256
from casekit.cases.kind import CaseKind, Profiles
from casekit.errors import UsageError
from casekit.execution.batch import Batch, grade_folder
from casekit.execution.runner import Progress
from casekit.i18n import t
from casekit.registry import CaseRegistry, registry
from casekit.rubric import AssessorMark
from casekit.store import Gradebook, Submission

__all__ = ["DEMO_ASSESSOR", "demo_kinds", "run_demo"]

DEMO_ASSESSOR = "demo-assessor"


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


def run_demo(
    out: str | os.PathLike[str],
    *,
    candidates: int | None = None,
    cases: Sequence[str] | None = None,
    lang: str = "zh-TW",
    org: str = "bank-cards",
    seed: int = 2026,
    jobs_n: int = 2,
    progress: Progress | None = None,
    on_candidate: Callable[[int, int, str], None] | None = None,
) -> Batch:
    """Write answer documents of simulated candidates under ``out/submissions`` and grade them into ``out``.

    Per kind, ``candidates`` answers (default: one per profile), cycling through its profiles.
    """
    root = Path(out)
    submissions = root / "submissions"
    submissions.mkdir(parents=True, exist_ok=True)
    plan = [(kind, i) for kind in demo_kinds(cases) for i in range(_count(kind, candidates))]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    with Gradebook(root / "gradebook.sqlite") as book:
        assessor = {
            kind.id: [c.id for c in kind.load_rubric().criteria if not c.judged_by.automatic] for kind, _ in plan
        }
        for n, (kind, i) in enumerate(plan, start=1):
            profiles = _profiles(kind)
            profile = profiles.names[i % len(profiles.names)]
            cid = f"demo-{i + 1:02d}-{profile.replace('_', '-')}"
            if on_candidate is not None:
                on_candidate(n, len(plan), f"{cid} ({kind.id})")
            case = profiles.case(profile, org, seed + i, cid, lang)
            answer = case.to_answer()
            case.save(submissions / f"{cid}-{kind.id.lower()}.json")
            sub = Submission(cid, answer.case, document_sha256(answer), seed=answer.seed, org=answer.org)
            book.add_submission(sub)
            marked = {m.criterion_id for m in book.marks(sub.key) if m.assessor == DEMO_ASSESSOR}
            for criterion in assessor[kind.id]:
                if criterion not in marked:  # a rerun keeps the marks it made: never overwrite, never duplicate
                    reason = t("demo.mark_reason", lang, criterion=criterion, profile=profile)
                    book.add_mark(sub.key, AssessorMark(criterion, DEMO_ASSESSOR, "met", reason, now))
    return grade_folder(submissions, root, jobs_n=jobs_n, lang=lang, progress=progress)


def _profiles(kind: CaseKind) -> Profiles:
    profiles = kind.profiles
    if profiles is None:  # demo_kinds keeps only kinds with profiles
        raise UsageError(t("demo.no_profiles", None, kinds=kind.id))
    return profiles


def _count(kind: CaseKind, candidates: int | None) -> int:
    return len(_profiles(kind).names) if candidates is None else candidates
