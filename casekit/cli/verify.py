"""``casekit verify OUT_DIR``: is a graded folder as casekit wrote it? Every published file against the manifest,
the seal printed in the index, and the gradebook's triggers, hash chains and derived state."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from casekit.cli.base import EXIT_FAILED, EXIT_OK, add_command, say
from casekit.i18n import t

__all__ = ["add_parser"]


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(sub, "verify", common, "cli.help_verify")
    p.add_argument("out", metavar="OUT_DIR", help=t("cli.help_verify_out"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace, lang: str) -> int:
    from casekit.errors import UsageError
    from casekit.execution.manifest import load_manifest, verify_folder
    from casekit.store import Gradebook

    root = Path(args.out)
    if not root.is_dir():
        raise UsageError(t("batch.not_a_folder", lang, path=str(root)))
    problems = verify_folder(root)
    for p in problems:
        say(p.render(lang), err=True)
    if problems:
        say(t("verify.failed", lang, n=len(problems)), err=True)
        return EXIT_FAILED
    manifest = load_manifest(root) or {}
    with Gradebook(root / "gradebook.sqlite") as book:
        counts = book.counts()
    say(t("verify.ok", lang, files=len(manifest.get("files", {})), seal=manifest.get("seal", "-"), **counts))
    return EXIT_OK
