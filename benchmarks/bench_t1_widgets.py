"""Time what the T1 widgets recompute as the candidate types, through the widgets themselves (headless).

Three figures, on the default world (bank-cards, seed 7) unless told otherwise:
- staffing: one change of the shrinkage slider (a shrinkage not seen before: Erlang C over every interval, then the
  hire search) and one change of the hire count (the service level for the new count), each re-rendering the
  figures; the budget is 50 ms a change;
- fairness flags: one keystroke in a question of the candidate's kit (the live flag of that question, and the kit
  adopted again as the kit panel does while "adopt every change" is on);
- panel scores: one change of the raters left out (panel scores, their table and the applicants offered again,
  the adverse-impact tables are not recomputed, the applicants chosen being the same); and one change of the
  applicants chosen (both adverse-impact tables).

The draft the app keeps after every change is not in these figures: the advertisement is never adopted here, so
there is no answer document to keep (in a kernel the draft is written at most once a second, apart from typing).

    python benchmarks/bench_t1_widgets.py [--org bank-cards] [--seed 7] [--repeat 30]
"""

from __future__ import annotations

import argparse
import itertools
import resource
import tempfile
from pathlib import Path

from timing import ms

from casekit.cases.t1_recruitment.profiles import build_case
from casekit.scenario import world_for
from casekit.widgets.t1_recruitment import T1App
from casekit.widgets.t1_recruitment.kit import flags_html

STAFFING_BUDGET_MS = 50.0
TEXTS = (
    "Tell me about a time you calmed an angry customer. What did you do?",
    "Are you planning to get married or have children soon?",
    "請描述一次您運用同理心化解客戶抱怨的經驗，您做了什麼？結果如何？",
    "請問您的血型和星座是什麼？",
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--org", default="bank-cards")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()

    world = world_for(args.org, args.seed)
    ref = build_case("strong", args.org, args.seed, "bench", "en", world=world)
    folder = Path(tempfile.mkdtemp(prefix="bench-t1-"))
    app = T1App.create(args.org, args.seed, "bench", "en", folder / "answer.json", world=world)
    case = app.case
    print(
        f"world: {args.org} seed {args.seed}: {world.headcount} staff, {len(world.intervals):,} interval rows, "
        f"{len(world.applicants)} applicants"
    )

    # --- staffing: the slider (new shrinkage values: the Erlang C need is computed afresh) and the hire count
    st = app.staffing
    fresh = iter(round(0.15 + i / 1000, 3) for i in range(400))  # never the same shrinkage twice
    slider = ms(lambda: setattr(st.shrinkage, "value", next(fresh)), args.repeat)
    hires = itertools.cycle(range(0, 40))
    count = ms(lambda: setattr(st.hires, "value", next(hires)), args.repeat)
    seen = itertools.cycle([0.25, 0.3, 0.35])
    for s in (0.25, 0.3, 0.35):
        case.hiring(s)
    again = ms(lambda: setattr(st.shrinkage, "value", next(seen)), args.repeat)
    print(f"staffing, shrinkage changed (new value): median {slider[0]:6.1f} ms  max {slider[1]:6.1f} ms")
    print(f"staffing, shrinkage changed (seen):      median {again[0]:6.1f} ms  max {again[1]:6.1f} ms")
    print(f"staffing, hire count changed:            median {count[0]:6.1f} ms  max {count[1]:6.1f} ms")
    worst = max(slider[0], count[0])
    verdict = "within" if worst < STAFFING_BUDGET_MS else "OVER"
    print(f"  -> {verdict} the {STAFFING_BUDGET_MS:.0f} ms budget per change (median)")

    # --- fairness: a keystroke in a question of the kit, with the kit adopted live
    if ref.job is not None:
        app.job.show_job(ref.job)
    app.job.adopt_job_button.click()
    rows = app.kit.questions
    for question in ref.kit:
        rows.add_button.click()
        rows.rows[-1]["text"].value = question.text
        rows.rows[-1]["competency"].value = question.competency
    box = rows.rows[0]["text"]
    typed = itertools.cycle(text[: n + 1] for text in TEXTS for n in range(len(text)))
    keystroke = ms(lambda: setattr(box, "value", next(typed)), args.repeat * 5)
    texts = itertools.cycle(TEXTS)
    flag_only = ms(lambda: flags_html(case, next(texts), "en"), args.repeat * 5)
    print(f"fairness, one keystroke (flag + kit adopted): median {keystroke[0]:6.2f} ms  max {keystroke[1]:6.2f} ms")
    print(f"fairness, the flag check alone:              median {flag_only[0]:6.2f} ms  max {flag_only[1]:6.2f} ms")

    # --- panel scores: the raters left out changed, with the selection tab open and applicants chosen
    app.tab.selected_index = list(app.tab.children).index(app.selection.widget)
    sel = app.selection
    sel.top_button.click()
    choices = itertools.cycle([("R1",), (), ("R2",), ("R3",), ("R1", "R2")])
    panel = ms(lambda: setattr(sel.exclude, "value", next(choices)), args.repeat)
    scores = ms(lambda: case.panel(["R1"]), args.repeat)
    ids = [v for _, v in sel.applicants.options]
    picks = itertools.cycle([tuple(ids[i : i + case.places]) for i in range(len(ids) - case.places)])
    impact = ms(lambda: setattr(sel.applicants, "value", next(picks)), args.repeat)
    print(f"panel scores, raters left out changed:   median {panel[0]:6.1f} ms  max {panel[1]:6.1f} ms")
    print(f"panel scores, case.panel alone:          median {scores[0]:6.1f} ms  max {scores[1]:6.1f} ms")
    print(f"applicants chosen changed (impact):      median {impact[0]:6.1f} ms  max {impact[1]:6.1f} ms")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
