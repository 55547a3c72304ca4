"""``casekit standard``: the competency unit as a tree, or every element as JSON."""

from __future__ import annotations

import argparse
import json
from typing import Any

from casekit.cli.base import EXIT_OK, add_command, say
from casekit.i18n import t

__all__ = ["add_parser"]


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(sub, "standard", common, "cli.help_standard")
    p.add_argument("--json", action="store_true", help=t("cli.help_json"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace, lang: str) -> int:
    from casekit.standard import load_standard, render_tree, to_json

    std = load_standard()
    if args.json:
        say(json.dumps(to_json(std), ensure_ascii=False, indent=2))
    else:
        say(render_tree(std, lang))
    return EXIT_OK
