"""``casekit cases``: the case kinds this casekit offers (built in and plug-ins), with what each declares."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from casekit.cli.base import EXIT_OK, add_command, say, table
from casekit.i18n import t

__all__ = ["add_parser"]


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(sub, "cases", common, "cli.help_cases")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, lang: str) -> int:
    from casekit.registry import registry

    heads = ("kind", "kind_title", "elements", "answer_versions", "profiles", "rubric")
    rows: list[Sequence[str]] = [tuple(t(f"cli.col_{h}", lang) for h in heads)]
    for kind in registry:
        rows.append(
            (
                kind.id,
                kind.title(lang),
                " ".join(kind.elements),
                ", ".join(map(str, kind.answers.versions)),
                str(len(kind.profiles.names)) if kind.profiles else "-",
                kind.rubric.name,
            )
        )
    say(table(rows))
    return EXIT_OK
