"""Time what the T2 training-plan tab recomputes after a booking change, headless, against the 50 ms budget.

On each default world (every shipped organisation at seed 7 unless told otherwise), the "strong" simulated
candidate's plan is loaded into the app's plan tab; then, many times over, one booking (a different one each time,
so no figure is found in the memo) is taken off the plan and the figures are recomputed. Four figures, each as median
and 95th percentile:

- figures: the plan adopted (:meth:`T2Case.set_plan`) and every live figure recomputed and rendered
  (:class:`~casekit.widgets.t2_training.figures.PlanFigures`: the weekly service level, the spend, the sessions over
  capacity, the SVG chart, the calendar, the gaps covered) — the budget is 50 ms a change;
- the tab: the same change through the panel (the bookings chosen, "remove"), with the bookings list and the
  evaluation tab's listener; the app's draft is left out (in a kernel it is kept a second after the change has
  been shown, together with every change meanwhile);
- with the draft: the same as the tab plus what the app does after every change with no event loop (a test, this
  script): the checklist and the draft, at once, for the button and for the bookings list the change empties;
- without the memo, the plain alternative: the same figures with the case's memo emptied first, so the 13 weeks'
  Erlang-C needs (and the audit) are computed again on every change.

    python benchmarks/bench_t2_widgets.py [--org bank-cards ...] [--seed 7] [--repeat 40]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from casekit.assessment.roster import shipped_orgs
from casekit.cases.t2_training.profiles import build_case
from casekit.scenario import world_for
from casekit.widgets.t2_training import T2App, forms
from casekit.widgets.t2_training.figures import PlanFigures

BUDGET_MS = 50.0


def timed(
    fn: Callable[[int], object], reset: Callable[[], object], repeat: int, prepare: Callable[[int], object]
) -> tuple[float, float]:
    """Median and 95th percentile of ``repeat`` calls ``fn(i)`` in milliseconds; ``prepare(i)`` before each and
    ``reset()`` after each, untimed."""
    times = []
    for i in range(repeat):
        prepare(i)
        t0 = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t0) * 1000)
        reset()
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def bench(org: str, seed: int, repeat: int) -> dict[str, tuple[float, float]]:
    world = world_for(org, seed)
    ref = build_case("strong", org, seed, "bench", "en", world=world)
    folder = Path(tempfile.mkdtemp(prefix="bench-t2-"))
    app = T2App.create(org, seed, "bench", "en", folder / "answer.json", world=world)
    case, plan = app.case, app.plan
    case.set_data_issues(ref.data_issues)
    base = list(ref.rows)
    n = len(base)
    case.set_plan(forms.booking_data(base))
    plan.show_bookings()
    plan.recompute()
    print(f"{org} seed {seed}: {world.headcount} staff, {len(world.training_sessions)} sessions, {n} bookings")

    def without(i: int) -> list[tuple[str, str]]:
        k = i % n
        return base[:k] + base[k + 1 :]

    def figures(i: int) -> None:
        case.set_plan(forms.booking_data(without(i)))
        PlanFigures(case, "en", plan.budget)

    def choose(i: int) -> None:  # the candidate chooses the booking to remove (an event of its own)
        plan.bookings.value = (base[i % n],)

    def through_tab(i: int) -> None:
        plan.remove()  # the bookings list changes its value too: the app hears it (the draft is stubbed below)

    def with_draft(i: int) -> None:
        plan.remove_button.click()  # the app hears it: checklist and draft after the panel's own work

    def plain(i: int) -> None:
        case._memo.clear()  # the plain alternative: nothing kept between changes
        case._fixed.clear()
        case.set_plan(forms.booking_data(without(i)))
        PlanFigures(case, "en", plan.budget)

    def reset() -> None:  # back to the whole plan
        case.set_plan(forms.booking_data(base))
        plan.show_bookings()

    def no_draft() -> None:  # what a kernel does: the draft waits a second, after the change has been shown
        app.save.changed = lambda: None  # type: ignore[method-assign]

    def draft() -> None:
        vars(app.save).pop("changed", None)

    out = {}
    for name, fn in (("figures", figures), ("tab", through_tab), ("draft", with_draft), ("plain", plain)):
        (draft if name == "draft" else no_draft)()
        for i in range(3):  # warm up (first renders, the memo of the whole plan)
            choose(repeat + i)
            fn(repeat + i)
            reset()
        out[name] = timed(fn, reset, repeat, choose)
    draft()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--org", action="append", help="an organisation (default: every shipped one)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=40)
    args = ap.parse_args()
    worst = 0.0
    for org in args.org or list(shipped_orgs()):
        found = bench(org, args.seed, args.repeat)
        labels = {
            "figures": "set_plan + every figure (memo)",
            "tab": "the tab's remove, no draft",
            "draft": "the tab's remove + the app's draft",
            "plain": "every figure without the memo",
        }
        for name, (median, p95) in found.items():
            print(f"  {labels[name]:<36} median {median:7.1f} ms   p95 {p95:7.1f} ms")
        worst = max(worst, found["figures"][1], found["tab"][1])
        ratio = found["plain"][0] / found["figures"][0]
        print(f"  -> the memo makes a recompute {ratio:.1f}x faster (median)")
    verdict = "within" if worst < BUDGET_MS else "OVER"
    print(f"worst p95 of the recompute and the tab: {worst:.1f} ms: {verdict} the {BUDGET_MS:.0f} ms budget")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
