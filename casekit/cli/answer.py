"""``casekit answer embed|extract``: answer documents in notebooks."""

from __future__ import annotations

import argparse
from typing import Any

from casekit.cli.base import EXIT_OK, Parser, add_command, say
from casekit.i18n import t

__all__ = ["add_parser"]


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    an = add_command(sub, "answer", common, "cli.help_answer")
    asub = an.add_subparsers(dest="action", metavar="ACTION", title=t("cli.actions"), parser_class=Parser)
    asub.required = True
    p = add_command(asub, "embed", common, "cli.help_answer_embed")
    p.add_argument("notebook", metavar="NOTEBOOK", help=t("cli.help_notebook"))
    p.add_argument("answer", metavar="ANSWER_JSON", help=t("cli.help_answer_file"))
    p.set_defaults(func=run_embed)
    p = add_command(asub, "extract", common, "cli.help_answer_extract")
    p.add_argument("notebook", metavar="NOTEBOOK", help=t("cli.help_notebook"))
    p.add_argument("--out", required=True, metavar="ANSWER_JSON", help=t("cli.help_answer_file"))
    p.set_defaults(func=run_extract)


def run_embed(args: argparse.Namespace, lang: str) -> int:
    from casekit.notebook_answers import embed_answer

    doc = embed_answer(args.notebook, args.answer)
    say(t("cli.embedded", lang, candidate=doc.candidate_id, case=doc.case, notebook=args.notebook))
    return EXIT_OK


def run_extract(args: argparse.Namespace, lang: str) -> int:
    from casekit.answers import save_answer
    from casekit.notebook_answers import extract_answer

    doc = extract_answer(args.notebook)
    path = save_answer(doc, args.out)
    say(t("cli.extracted", lang, candidate=doc.candidate_id, case=doc.case, path=str(path)))
    return EXIT_OK
