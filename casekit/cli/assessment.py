"""The unit level on the command line: ``casekit plan show|check`` (an assessment plan and what it covers),
``casekit moderation`` (the cohort's moderation report: agreement and the second-marking sample) and
``casekit export`` (criterion results, marks, moderation and decisions as CSV or XLSX, optionally pseudonymised)."""

from __future__ import annotations

import argparse
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casekit.cli.base import EXIT_FAILED, EXIT_OK, add_command, bounded_int, say, table
from casekit.i18n import t

if TYPE_CHECKING:
    from casekit.assessment.plan import Plan

__all__ = ["add_parser"]


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(sub, "plan", common, "cli.help_plan_group")
    p.add_argument("action", choices=["show", "check"], help=t("cli.help_plan_action"))
    p.add_argument("plan", metavar="PLAN", nargs="?", help=t("cli.help_plan_file"))
    p.set_defaults(func=run_plan)

    p = add_command(sub, "moderation", common, "cli.help_moderation")
    p.add_argument("gradebook", metavar="GRADEBOOK", help=t("cli.help_gradebook"))
    p.add_argument("--seed", type=bounded_int(0, 2**31 - 1), default=0, help=t("cli.help_sample_seed"))
    p.add_argument("--share", type=float, default=0.10, help=t("cli.help_sample_share"))
    p.add_argument("--minimum", type=bounded_int(1, 10_000), default=5, help=t("cli.help_sample_minimum"))
    p.add_argument("--json", metavar="FILE", help=t("cli.help_moderation_json"))
    p.set_defaults(func=run_moderation)

    p = add_command(sub, "export", common, "cli.help_export")
    p.add_argument("gradebook", metavar="GRADEBOOK", help=t("cli.help_gradebook"))
    p.add_argument("--format", required=True, choices=["csv", "xlsx"], help=t("cli.help_export_format"))
    p.add_argument("--out", required=True, metavar="FILE", help=t("cli.help_export_out"))
    p.add_argument("--pseudonymise", action="store_true", help=t("cli.help_pseudonymise"))
    p.add_argument("--key", metavar="FILE", help=t("cli.help_key"))
    p.add_argument("--plan", metavar="PLAN", help=t("cli.help_plan"))
    p.set_defaults(func=run_export)


# --- casekit plan ---------------------------------------------------------------------------------------------------


def run_plan(args: argparse.Namespace, lang: str) -> int:
    from casekit.assessment.plan import coverage, load_plan

    plan = load_plan(args.plan)
    cover = coverage(plan)
    if args.action == "show":
        _show_plan(plan, lang)
        say("")
        say(_matrix(plan, lang))
    uncovered = cover.uncovered()
    if uncovered:
        say(t("cli.plan_uncovered", lang, plan=plan.id, n=len(uncovered), elements=", ".join(uncovered)))
        return EXIT_FAILED
    say(t("cli.plan_covered", lang, plan=plan.id, n=len(cover.required)))
    return EXIT_OK


def _show_plan(plan: Plan, lang: str) -> None:
    rule = plan.model.coverage
    say(f"{plan.model.title.get(lang)} ({plan.id}, {plan.model.unit})")
    say(t("cli.plan_file", lang, file=str(plan.source), sha=plan.sha256))
    rows: list[Sequence[str]] = [tuple(t(f"cli.col_{h}", lang) for h in ("component", "kind", "method", "rubric"))]
    for c in plan.components:
        rows.append((c.id, c.kind, c.method, f"{plan.rubric_paths[c.id].name} ({plan.rubric_sha256[c.id][:12]}…)"))
    say(table(rows))
    scope = {s: t(f"cli.plan_scope_{s}", lang) for s in ("all", "components")}
    applies = t("cli.plan_applies_yes" if plan.per_indicator_applies() else "cli.plan_applies_no", lang)
    per = rule.per_indicator
    say(
        t(
            "cli.plan_rule",
            lang,
            indicators=scope[rule.indicators],
            evidence=scope[rule.evidence],
            methods=", ".join(rule.methods),
            criteria=per.criteria,
            of=per.methods,
            applies=applies,
        )
    )
    say(t("cli.plan_signoffs", lang, roles=", ".join(t(f"unit.role_{r}", lang) for r in plan.model.signoffs)))


def _matrix(plan: Plan, lang: str) -> str:
    """Element x component x method: the criteria of each component that evidence each required element."""
    from casekit.assessment.plan import coverage

    cover = coverage(plan)
    heads = [t("cli.col_element", lang), *(f"{c.id} ({c.method})" for c in plan.components)]
    rows: list[Sequence[str]] = [heads]
    for element_id, cells in cover.rows:
        by_component = {cell.component: " ".join(cell.criteria) for cell in cells}
        row = [element_id, *(by_component.get(c.id, "-") for c in plan.components)]
        if not cells:
            row[0] = f"{element_id} ✗"
        rows.append(row)
    return table(rows)


# --- casekit moderation ---------------------------------------------------------------------------------------------


def run_moderation(args: argparse.Namespace, lang: str) -> int:
    from casekit.atomic import write_atomic
    from casekit.cli.judge import open_gradebook
    from casekit.cohort.moderation import moderation_report
    from casekit.jsonio import dumps_strict

    with open_gradebook(args.gradebook, lang) as book:
        report = moderation_report(book, seed=args.seed, share=args.share, minimum=args.minimum)
    heads = ("criterion", "pairs", "agreed", "percent", "kappa", "band")
    rows: list[Sequence[str]] = [tuple(t(f"cli.col_{h}", lang) for h in heads)]
    for a in report.agreement:
        name = a.criterion_id or t("cli.overall", lang)
        kappa = "-" if a.kappa is None else f"{a.kappa:.2f}"
        rows.append((name, str(a.n), str(a.agreed), f"{a.percent:.1f}%", kappa, a.band(lang)))
    say(table(rows, right_from=1))
    say("")
    sample = ", ".join(report.sample) or "-"
    say(t("cli.sample", lang, n=len(report.sample), of=report.subjects, seed=report.seed, keys=sample))
    if args.json:
        write_atomic(Path(args.json), dumps_strict(report.to_json(lang)).encode("utf-8"))
        say(t("cli.written", lang, path=args.json))
    return EXIT_OK


# --- casekit export -------------------------------------------------------------------------------------------------


def run_export(args: argparse.Namespace, lang: str) -> int:
    from casekit.cli.judge import open_gradebook
    from casekit.cohort.export import export
    from casekit.cohort.plans import cohort_plan
    from casekit.errors import UsageError

    key: bytes | None = None
    if args.pseudonymise:
        if not args.key:
            raise UsageError(t("cli.key_required", lang))
        key = _key(Path(args.key), lang)
    elif args.key:
        raise UsageError(t("cli.key_without_pseudonymise", lang))
    with open_gradebook(args.gradebook, lang) as book:
        plan = cohort_plan(book, args.plan, record=False)
        path = export(book, plan, Path(args.out), fmt=args.format, lang=lang, key=key)
    say(t("cli.exported", lang, path=str(path), format=args.format))
    return EXIT_OK


def _key(path: Path, lang: str) -> bytes:
    """The pseudonymisation key in ``path``; a new random one is made (readable by its owner only) when the file
    does not exist, so the same key gives the same pseudonyms in the next export."""
    from casekit.errors import UsageError

    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
        say(t("cli.key_created", lang, path=str(path)), err=True)
    try:
        data = path.read_bytes().strip()
    except OSError as exc:
        raise UsageError(t("cli.key_unreadable", lang, path=str(path), error=exc.strerror or str(exc))) from None
    if len(data) < 32:
        raise UsageError(t("cli.key_short", lang, path=str(path), n=len(data)))
    return data
