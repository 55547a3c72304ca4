"""``casekit assign``: give each candidate of a cohort an organisation and a seed per component of an assessment
plan, and write the roster grading checks answer headers against (:mod:`casekit.assessment.roster`).

The plan is a path, ``default`` (the packaged plan for the unit) or the name of a packaged plan (``t4-only``). The
cohort seed is required: it decides every world of the cohort, so it is chosen and recorded on purpose. An existing
roster is only overwritten by the same roster, or with ``--replace``: candidates may already be working in the
worlds it gave them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from casekit.cli.base import EXIT_OK, add_command, nonneg_int, say, table
from casekit.i18n import t

__all__ = ["add_parser"]


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(sub, "assign", common, "cli.help_assign")
    p.add_argument("plan", metavar="PLAN", help=t("cli.help_assign_plan"))
    p.add_argument("--candidates", required=True, metavar="FILE", help=t("cli.help_candidates_file"))
    p.add_argument("--out", required=True, metavar="ROSTER", help=t("cli.help_roster_out"))
    p.add_argument("--seed", type=nonneg_int, required=True, metavar="N", help=t("cli.help_cohort_seed"))
    p.add_argument("--org", action="append", metavar="NAME", help=t("cli.help_assign_org"))
    p.add_argument("--replace", action="store_true", help=t("cli.help_replace_roster"))
    p.set_defaults(func=run_assign)


def run_assign(args: argparse.Namespace, lang: str) -> int:
    from casekit.assessment.plan import load_plan
    from casekit.assessment.roster import assign, dumps_roster, read_candidates, save_roster
    from casekit.errors import UsageError

    plan = load_plan(args.plan)
    roster = assign(plan, read_candidates(args.candidates), cohort_seed=args.seed, orgs=args.org)
    out = Path(args.out)
    if out.is_file() and not args.replace and out.read_bytes() != dumps_roster(roster).encode("utf-8"):
        raise UsageError(t("cli.roster_exists", lang, path=str(out)))
    save_roster(roster, out)
    components = [c.id for c in plan.components]
    heads = [t("cli.col_candidate", lang), t("cli.col_candidate_name", lang), t("cli.col_org", lang), *components]
    rows = [heads]
    for e in roster.entries:
        rows.append([e.candidate_id, e.name or "-", e.org, *(str(c.seed) for c in e.components)])
    say(table(rows))
    say("")
    n, path = len(roster.entries), str(out.resolve())
    say(t("cli.assigned", lang, n=n, plan=plan.id, seed=roster.cohort_seed, orgs=", ".join(roster.orgs), path=path))
    return EXIT_OK
