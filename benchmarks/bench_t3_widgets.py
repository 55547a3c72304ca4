"""Time what the T3 tabs recompute live, headless, against the 50 ms budget.

On each default world (every shipped organisation at seed 7 unless told otherwise), the "strong" simulated
candidate's KPI sets are chosen in the app; then, many times over, one input is changed (a different value each
time, so no figure is found in the memo) and the tab's figures are recomputed and rendered. Each as median and 95th
percentile:

- response: one member's target typed in tab 3 — the member's answers to every KPI on their form
  (:meth:`T3Case.propose`) and the rows shown again;
- every member: the answers of every member to every proposal on the form, as "record every member" asks them
  (one vectorised call; the strong candidate's proposals, one changed);
- calendar: a review taken off the calendar in tab 4 — the reviews adopted, the problems listed
  (:meth:`T3Case.review_problems`) and the calendar drawn;
- appraisal: one agreed target changed — the results, the ratings, the computed rating of every member, one
  member's charts, the gaps and the development plans' problems of tab 5;
- appraisal, no memo: the same with the case's memo emptied first (the plain alternative).

The app's draft is left out (in a kernel it is kept a second after the change has been shown).

    python benchmarks/bench_t3_widgets.py [--org bank-cards ...] [--seed 7] [--repeat 40]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench_t2_widgets import BUDGET_MS, timed

from casekit.assessment.roster import shipped_orgs
from casekit.cases.t3_performance.profiles import build_case
from casekit.scenario import world_for
from casekit.widgets.t3_performance import T3App, forms


def bench(org: str, seed: int, repeat: int) -> dict[str, tuple[float, float]]:
    world = world_for(org, seed)
    ref = build_case("strong", org, seed, "bench", "en", world=world)
    folder = Path(tempfile.mkdtemp(prefix="bench-t3-"))
    app = T3App.create(org, seed, "bench", "en", folder / "answer.json", world=world)
    app.save.changed = lambda: None  # type: ignore[method-assign]
    case, targets, reviews, appraisal = app.case, app.targets, app.reviews, app.appraisal
    for role, chosen in ref.kpi_sets.items():
        app.sets.choices[role].value = tuple(chosen.kpis)
    agreements = list(ref.agreements.values())
    for a in agreements:
        targets.forms[(a.staff_id, a.kpi)] = forms.agreement_fields(a)
    first = agreements[0]
    targets.member.value = first.staff_id
    base_reviews = [(r.staff_id, r.kind, r.date) for r in ref.reviews]
    n_reviews = len(base_reviews)
    members = [str(s) for s in case.members()["staff_id"]]
    print(
        f"{org} seed {seed}: {len(members)} members, {len(agreements)} agreements, {n_reviews} reviews, "
        f"{len(targets.rows)} KPIs on the form"
    )

    def nudged(value: float, i: int) -> float:
        return value * (1 + 0.0007 * (i + 1)) if value else 0.001 * (i + 1)

    def response(i: int) -> None:
        targets.rows[first.kpi]["proposed"].value = forms.number_text(nudged(first.proposed, i))

    def every_member(i: int) -> None:
        key = (first.staff_id, first.kpi)
        targets.forms[key] = {**targets.forms[key], "proposed": forms.number_text(nudged(first.proposed, i))}
        targets.items(members)

    def calendar(i: int) -> None:
        k = i % n_reviews
        reviews._set(base_reviews[:k] + base_reviews[k + 1 :])

    case.set_agreements(agreements)
    appraisal.member.value = first.staff_id

    def agreed(i: int) -> None:
        case.set_agreements([first.model_copy(update={"agreed": nudged(first.agreed, i)})])
        appraisal.agreements_changed()

    def plain(i: int) -> None:
        case._memo.clear()
        agreed(i)

    def nothing(_i: int) -> None:
        return None

    resets: dict[str, Callable[[], object]] = {
        "response": lambda: None,
        "every": lambda: None,
        "calendar": lambda: None,
        "appraisal": lambda: case.set_agreements([first]),
        "plain": lambda: case.set_agreements([first]),
    }
    case.set_development(ref.development)
    out = {}
    for name, fn in (
        ("response", response),
        ("every", every_member),
        ("calendar", calendar),
        ("appraisal", agreed),
        ("plain", plain),
    ):
        for i in range(3):  # warm up (first renders, the figures of the world alone)
            fn(repeat * 10 + i)
            resets[name]()
        out[name] = timed(fn, resets[name], repeat, nothing)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--org", action="append", help="an organisation (default: every shipped one)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=40)
    args = ap.parse_args()
    labels = {
        "response": "one target: the member's answers",
        "every": "every member's answers (record all)",
        "calendar": "a review off: problems + calendar",
        "appraisal": "one agreed value: the appraisal tab",
        "plain": "the appraisal tab without the memo",
    }
    worst = 0.0
    for org in args.org or list(shipped_orgs()):
        found = bench(org, args.seed, args.repeat)
        for name, (median, p95) in found.items():
            print(f"  {labels[name]:<38} median {median:7.1f} ms   p95 {p95:7.1f} ms")
        worst = max(worst, *(found[k][1] for k in ("response", "calendar", "appraisal")))
    verdict = "within" if worst < BUDGET_MS else "OVER"
    print(f"worst p95 of the live recomputes: {worst:.1f} ms: {verdict} the {BUDGET_MS:.0f} ms budget")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
