"""The ``casekit`` command line, one module per command group.

Heavy modules (pandas, pydantic, Jupyter) are imported inside the commands that need them, so ``casekit --help``
answers fast. Every user-facing string comes from the message catalogs; ``--lang`` works on every command.
Exit status: 0 success, 1 a command ran and found failures, 2 bad usage or bad input (one line per problem).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from casekit.cli import answer, assessment, cases, demo, grade, judge, roster, scenario, standard, verify
from casekit.cli.base import EXIT_OK, EXIT_USAGE, Parser, lang_from_argv, lang_type, say
from casekit.errors import CasekitError
from casekit.i18n import LANGS, set_lang, t

__all__ = ["build_parser", "main"]

#: The command groups, in the order ``casekit --help`` lists them.
GROUPS = (standard, scenario, cases, grade, judge, roster, assessment, verify, answer, demo)


def build_parser(lang: str) -> argparse.ArgumentParser:
    set_lang(lang)
    common = Parser(add_help=False)
    common.add_argument(
        "--lang", type=lang_type, default=argparse.SUPPRESS, metavar="|".join(LANGS), help=t("cli.help_lang")
    )
    parser = Parser(prog="casekit", description=t("cli.description"), parents=[common])
    parser.add_argument("--version", action="version", version=f"casekit {_version()}", help=t("argparse.version"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title=t("cli.commands"), parser_class=Parser)
    sub.required = False  # checked in main(), so that an unknown option is named first
    for group in GROUPS:
        group.add_parser(sub, common)
    return parser


def _commands(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def _version() -> str:
    from casekit import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    lang = lang_from_argv(args_list)
    parser = build_parser(lang)
    args, unknown = parser.parse_known_args(args_list)
    if unknown:  # named before a missing command, which argparse would report instead
        parser.error(argparse._("unrecognized arguments: %s") % " ".join(unknown))  # type: ignore[attr-defined]
    if getattr(args, "func", None) is None:
        parser.error(t("cli.no_command", lang, commands=", ".join(sorted(_commands(parser)))))
    lang = getattr(args, "lang", lang)
    set_lang(lang)
    func: Callable[[argparse.Namespace, str], int] = args.func
    try:
        return func(args, lang)
    except CasekitError as exc:
        say(exc.render(lang), err=True)
        return EXIT_USAGE
    except OSError as exc:  # a file casekit was told to use cannot be: say which and why, never a traceback
        where = exc.filename if exc.filename is not None else "-"
        say(t("cli.os_error", lang, path=str(where), reason=exc.strerror or type(exc).__name__), err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        say(t("cli.interrupted", lang), err=True)
        return 130
    except BrokenPipeError:
        return EXIT_OK
