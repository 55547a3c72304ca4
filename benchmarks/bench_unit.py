"""Time the unit level that ``casekit grade`` and ``casekit unit`` run in the parent process after grading.

A cohort gradebook of N candidates (default 40) on the packaged plan: two T4 answers (strong, competent) graded once
in this process, their grading runs recorded for every candidate (each with its own content hash, so nothing is
flagged identical), the assessor criteria marked, one moderation record per candidate. Figures:

- unit decision per candidate (``cohort.unit.unit_decision``: facts read from the gradebook, decided, cached);
- the same decided from facts already in memory (``assessment.unit.decide_unit``), to show what the reads cost;
- plain alternative: the case decision alone (``rubric.decide`` of each component's current result), what the
  gradebook gave before the unit level existed;
- unit document + unit page per candidate, and ``write_units`` + the index for the whole cohort;
- peak memory.

    python benchmarks/bench_unit.py [--candidates 40] [--repeat 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import resource
import sys
import tempfile
import time
from pathlib import Path

from timing import ms

from casekit.answers import document_sha256
from casekit.assessment.plan import load_plan
from casekit.assessment.records import Moderation
from casekit.assessment.unit import decide_unit
from casekit.cases.t4_incentives.kind import KIND as T4
from casekit.cohort.records import current_result
from casekit.cohort.unit import unit_decision, unit_document, unit_inputs
from casekit.execution.units import index_links, write_units
from casekit.grading import grade_submission
from casekit.portfolio import render_unit_index, render_unit_page
from casekit.rubric import AssessorMark, decide
from casekit.store import Gradebook, Submission

TIME = "2026-12-01T02:00:00+00:00"


def _cohort(root: Path, n: int) -> Path:
    profiles = T4.profiles
    assert profiles is not None
    runs = []
    for i, profile in enumerate(("strong", "competent")):
        case = profiles.case(profile, "bank-cards", 1001 + i, f"bench-{profile}", "en")
        path = root / f"{profile}.json"
        case.save(path)
        graded = grade_submission(path)
        assert graded.run is not None
        runs.append((graded.run, document_sha256(case.to_answer())))
    assessor = [c.id for c in T4.load_rubric().criteria if not c.judged_by.automatic]
    book_path = root / "gradebook.sqlite"
    with Gradebook(book_path) as book:
        for i in range(n):
            cid = f"cand-{i:03d}"
            base, sha = runs[i % 2]
            body = hashlib.sha256(f"{base.body_sha256}:{cid}".encode()).hexdigest()
            run = dataclasses.replace(base, candidate_id=cid, body_sha256=body)
            book.add_submission(Submission(cid, "T4", sha, seed=base.seed, org=base.org))
            book.record_grading(run)
            key = f"{cid}/T4"
            for criterion in assessor:
                book.add_mark(key, AssessorMark(criterion, "bench-assessor", "met", "benchmark", TIME))
            book.add_moderation(key, Moderation(assessor[0], "bench-moderator", "agree", "benchmark", TIME))
    return book_path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    plan = load_plan()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        book_path = _cohort(root, args.candidates)
        setup = time.perf_counter() - t0
        with Gradebook(book_path) as book:
            ids = [c for c, _ in book.candidates()]
            inputs = [unit_inputs(book, plan, c) for c in ids]
            decided = ms(lambda: [unit_decision(book, plan, c) for c in ids], args.repeat)
            pure = ms(lambda: [decide_unit(i) for i in inputs], args.repeat)
            plain = ms(
                lambda: [decide(found[1]) for c in ids if (found := current_result(book, f"{c}/T4")) is not None],
                args.repeat,
            )
            decisions = [decide_unit(i) for i in inputs]

            def pages() -> None:
                for i, d in zip(inputs, decisions, strict=True):
                    doc = unit_document(i, d, "zh-TW", generated_at=TIME)
                    render_unit_page(doc, root / "page.html", "zh-TW")

            paged = ms(pages, args.repeat)
        cohort = ms(lambda: write_units(root, plan, "zh-TW", generated_at=TIME), args.repeat)
        docs = write_units(root, plan, "zh-TW", generated_at=TIME)
        index = ms(lambda: render_unit_index(index_links(docs), [], root / "index.html", "zh-TW"), args.repeat)
    n = args.candidates
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"cohort: {n} candidates on plan {plan.id} (set up in {setup:.1f} s, two T4 answers graded in process)")
    print(f"unit decision from the gradebook  {decided[0] / n:7.2f} ms per candidate (median of {args.repeat} runs)")
    print(f"unit decision from facts in memory{pure[0] / n:7.2f} ms per candidate")
    print(f"plain: case decision alone        {plain[0] / n:7.2f} ms per candidate")
    print(f"unit document + page              {paged[0] / n:7.2f} ms per candidate")
    print(f"write_units, whole cohort         {cohort[0]:7.0f} ms ({cohort[0] / n:.1f} ms per candidate)")
    print(f"cohort index                      {index[0]:7.0f} ms")
    print(f"peak memory                       {peak_mb:7.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
