"""``casekit scenario list|build|show``: the organisations, their generated tables, and a summary of one."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from casekit.cli.base import EXIT_OK, Parser, add_command, bounded_int, nonneg_int, say, table
from casekit.errors import CasekitError
from casekit.i18n import t
from casekit.limits import MAX_DAYS, MAX_STAFF, MIN_DAYS, MIN_STAFF

__all__ = ["add_parser"]


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    sc = add_command(sub, "scenario", common, "cli.help_scenario")
    ssub = sc.add_subparsers(dest="action", metavar="ACTION", title=t("cli.actions"), parser_class=Parser)
    ssub.required = True
    p = add_command(ssub, "list", common, "cli.help_scenario_list")
    p.set_defaults(func=run_list)
    for action, func, helpkey in (
        ("build", run_build, "cli.help_scenario_build"),
        ("show", run_show, "cli.help_scenario_show"),
    ):
        p = add_command(ssub, action, common, helpkey)
        p.add_argument("org", metavar="NAME_OR_PATH", help=t("cli.help_org"))
        p.add_argument("--seed", type=nonneg_int, required=True, help=t("cli.help_seed"))
        if action == "build":
            p.add_argument("--out", required=True, metavar="DIR", help=t("cli.help_out"))
        p.add_argument("--staff", type=bounded_int(MIN_STAFF, MAX_STAFF), metavar="N", help=t("cli.help_staff"))
        p.add_argument("--days", type=bounded_int(MIN_DAYS, MAX_DAYS), metavar="N", help=t("cli.help_days"))
        p.set_defaults(func=func)


def run_list(args: argparse.Namespace, lang: str) -> int:
    from casekit.scenario import list_specs, load_spec

    specs = list_specs()
    if not specs:
        say(t("cli.no_scenarios", lang))
        return EXIT_OK
    rows = []
    for name, path in specs.items():
        try:
            spec = load_spec(path)
        except CasekitError as exc:
            n = len(getattr(exc, "problems", ())) or 1
            rows.append((name, t("cli.spec_invalid", lang, count=n), "", "", str(path)))
            continue
        rows.append((name, spec.title.get(lang), str(spec.headcount), str(spec.days), str(path)))
    header = (
        t("cli.col_name", lang),
        t("cli.col_title", lang),
        t("cli.col_headcount", lang),
        t("cli.col_days", lang),
        t("cli.col_path", lang),
    )
    say(table([header, *rows]))
    return EXIT_OK


def _load_world(args: argparse.Namespace) -> Any:
    from casekit.scenario import build_world, find_spec, load_spec

    spec = load_spec(find_spec(args.org))
    return build_world(spec, args.seed, staff=args.staff, days=args.days)


def run_build(args: argparse.Namespace, lang: str) -> int:
    world = _load_world(args)
    manifest = world.write(args.out)
    rows = [(t("cli.col_table", lang), t("cli.col_rows", lang), "sha256")]
    for entry in manifest["tables"].values():
        rows.append((entry["file"], str(entry["rows"]), entry["sha256"][:12]))
    say(
        t(
            "cli.built",
            lang,
            org=world.spec.name,
            seed=world.seed,
            headcount=world.headcount,
            days=world.days,
            out=args.out,
        )
    )
    say(table(rows))
    return EXIT_OK


def run_show(args: argparse.Namespace, lang: str) -> int:
    from casekit.kpi import format_kpi
    from casekit.scenario.catalogs import load_roles
    from casekit.scenario.summary import summarise

    world = _load_world(args)
    s = summarise(world)
    spec = world.spec
    say(
        t(
            "cli.show_header",
            lang,
            title=spec.title.get(lang),
            org=spec.name,
            seed=world.seed,
            start=spec.start_date.isoformat(),
            days=world.days,
            contacts=f"{s.contacts:,}",
        )
    )
    say("")
    say(t("cli.show_headcount", lang))
    labels = {r.id: r.label(lang) for r in load_roles()}
    hc = s.headcount_by_role_team
    rows: list[Sequence[str]] = [(t("cli.col_role", lang), *[str(c) for c in hc.columns])]
    for role, counts in hc.iterrows():
        rows.append((labels.get(str(role), str(role)), *[str(int(v)) for v in counts]))
    say(table(rows, right_from=1))
    say("")
    say(t("cli.show_kpis", lang))
    kpi_rows: list[Sequence[str]] = [(t("cli.col_kpi", lang), t("cli.col_median", lang), t("cli.col_target", lang))]
    targets = spec.targets.model_dump()
    target_key = {"aht_s": "aht_seconds", "conversion": "sales_conversion"}
    for key, value in s.kpi_medians.items():
        target = targets.get(target_key.get(key, key))
        if target is not None and key == "qa":
            target *= 100  # specs set QA targets as a share of the form's 100 points
        kpi_rows.append(
            (t(f"kpi.{key}", lang), format_kpi(key, value), "" if target is None else format_kpi(key, target))
        )
    say(table(kpi_rows, right_from=1))
    say("")
    tv = s.turnover
    say(
        t(
            "cli.show_turnover",
            lang,
            rate=tv["annual_rate"] * 100,
            voluntary=tv["voluntary_rate"] * 100,
            leavers=int(tv["leavers"]),
            early=tv["early_tenure_share"] * 100,
        )
    )
    say("")
    say(t("cli.show_breaches", lang))
    if not s.breaches:
        say("  " + t("cli.none", lang))
    for kind, count in sorted(s.breaches.items()):
        say(f"  {t(f'incident.{kind}', lang)}: {count}")
    return EXIT_OK
