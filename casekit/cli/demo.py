"""``casekit demo``: the end-to-end demo (simulated candidates of every kind that has them, graded in one batch)."""

from __future__ import annotations

import argparse
from typing import Any

from casekit.cli.base import ProgressBar, add_command, bounded_int, print_outcomes, say
from casekit.cli.grade import JOBS, print_units
from casekit.i18n import t

__all__ = ["add_parser"]


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(sub, "demo", common, "cli.help_demo")
    p.add_argument("--out", default="casekit-demo", metavar="DIR", help=t("cli.help_demo_out"))
    p.add_argument("--candidates", type=bounded_int(1, 1000), metavar="N", help=t("cli.help_candidates"))
    p.add_argument("--case", action="append", dest="cases", metavar="KIND", help=t("cli.help_demo_case"))
    p.add_argument("--org", default="bank-cards", metavar="NAME", help=t("cli.help_org_demo"))
    p.add_argument("--jobs", type=JOBS, default=2, metavar="N", help=t("cli.help_jobs"))
    p.add_argument("--plan", metavar="PLAN", help=t("cli.help_demo_plan"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace, lang: str) -> int:
    from casekit.demo import run_demo

    def announce(n: int, total: int, candidate: str) -> None:
        say(t("demo.writing", lang, n=n, total=total, candidate=candidate), err=True)

    outcomes = run_demo(
        args.out,
        candidates=args.candidates,
        cases=args.cases,
        lang=lang,
        org=args.org,
        jobs_n=args.jobs,
        plan_path=args.plan,
        progress=ProgressBar(),
        on_candidate=announce,
    )
    code = print_outcomes(outcomes, args.out, lang)
    print_units(outcomes.units, lang)
    return code
