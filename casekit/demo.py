"""``casekit demo``: the whole path in one command, with simulated candidates of known quality.

It builds a cohort on one organisation, each candidate on their own seed (equivalent difficulty, different
numbers): a strong and a competent candidate and weak ones with one flaw each (see
:data:`casekit.cases.t4_incentives.profiles.FLAW_TARGETS`). Their answer documents go to ``OUT/submissions/``; a simulated
assessor marks the assessor-judged criteria in the gradebook (as a real assessor would, with a reason); then the
folder is graded through the same batch path as ``casekit grade``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

from casekit.answers import document_sha256
from casekit.cases.t4_incentives.profiles import PROFILES, build_case
from casekit.execution.batch import DEFAULT_RUBRIC, GradeOutcome, grade_folder
from casekit.i18n import t
from casekit.rubric import AssessorMark, load_rubric
from casekit.store import Gradebook, Submission

__all__ = ["DEMO_ASSESSOR", "run_demo"]

DEMO_ASSESSOR = "demo-assessor"


def run_demo(
    out: str | os.PathLike[str],
    *,
    candidates: int = len(PROFILES),
    lang: str = "zh-TW",
    org: str = "bank-cards",
    seed: int = 2026,
    jobs_n: int = 2,
    progress: Callable[[int, int, str, str], None] | None = None,
    on_candidate: Callable[[int, int, str], None] | None = None,
) -> list[GradeOutcome]:
    """Write ``candidates`` answer documents under ``out/submissions`` and grade them into ``out``."""
    import casekit.cases.t4_incentives.checks  # noqa: F401  (registers the checks the rubric names)

    root = Path(out)
    submissions = root / "submissions"
    submissions.mkdir(parents=True, exist_ok=True)
    rubric = load_rubric(DEFAULT_RUBRIC)
    assessor_criteria = [c.id for c in rubric.criteria if not c.judged_by.automatic]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    with Gradebook(root / "gradebook.sqlite") as book:
        for i in range(candidates):
            profile = PROFILES[i % len(PROFILES)]
            cid = f"demo-{i + 1:02d}-{profile.replace('_', '-')}"
            if on_candidate is not None:
                on_candidate(i + 1, candidates, cid)
            case = build_case(profile, org, seed + i, cid, lang)
            answer = case.to_answer()
            case.save(submissions / f"{cid}.json")
            sub = Submission(cid, answer.case, document_sha256(answer), seed=answer.seed, org=answer.org)
            book.add_submission(sub)
            marked = {m.criterion_id for m in book.marks(sub.key) if m.assessor == DEMO_ASSESSOR}
            for criterion in assessor_criteria:
                if criterion not in marked:  # a rerun keeps the marks it made: never overwrite, never duplicate
                    reason = t("demo.mark_reason", lang, criterion=criterion, profile=profile)
                    book.add_mark(sub.key, AssessorMark(criterion, DEMO_ASSESSOR, "met", reason, now))
    return grade_folder(submissions, root, jobs_n=jobs_n, lang=lang, progress=progress)
