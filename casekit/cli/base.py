"""What every command shares: the parser with catalog texts and exit status 2, value types, the table printer,
the progress bar and the summary of a graded batch.

argparse's own words (usage, options, its error messages) come from the catalogs too, so zh-TW help and errors
have no English left in them.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from casekit.i18n import DEFAULT_LANG, normalise_lang, t
from casekit.limits import MAX_SEED

if TYPE_CHECKING:
    from casekit.execution.batch import Batch

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "Parser",
    "ProgressBar",
    "add_command",
    "bounded_int",
    "lang_from_argv",
    "lang_type",
    "nonneg_int",
    "print_outcomes",
    "say",
    "table",
    "terminal_safe",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class Parser(argparse.ArgumentParser):
    """argparse with the error line prefixed from the catalog and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, t("cli.error_line", None, prog=self.prog, message=message) + "\n")


# argparse's own words (usage, options, its error messages) looked up by their English text; the catalogs
# "argparse.*" hold them, so zh-TW help and errors have no English left in them
_ARGPARSE_KEYS = {
    "usage: ": "usage",
    "argument %(argument_name)s: %(message)s": "argument",
    "positional arguments": "positional_arguments",
    "options": "options",
    "show this help message and exit": "help",
    "show program's version number and exit": "version",
    "unrecognized arguments: %s": "unrecognized",
    "the following arguments are required: %s": "required",
    "expected one argument": "expected_one",
    "invalid %(type)s value: %(value)r": "invalid_type",
    "invalid choice: %(value)r (choose from %(choices)s)": "invalid_choice",
    "ambiguous option: %(option)s could match %(matches)s": "ambiguous",
}


def _argparse_text(message: str) -> str:
    key = _ARGPARSE_KEYS.get(message)
    return t(f"argparse.{key}") if key else message


argparse._ = _argparse_text  # type: ignore[attr-defined]  # argparse looks its gettext name up at call time


def lang_from_argv(argv: Sequence[str]) -> str:
    """The language asked for, found before parsing so that help texts come out in it."""
    for i, arg in enumerate(argv):
        value = None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value is not None:
            try:
                return normalise_lang(value)
            except ValueError:
                return DEFAULT_LANG  # argparse reports the bad value
    env = os.environ.get("CASEKIT_LANG")
    try:
        return normalise_lang(env) if env else DEFAULT_LANG
    except ValueError:
        return DEFAULT_LANG


def lang_type(value: str) -> str:
    try:
        return normalise_lang(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``; anything else is a message naming the range."""

    def parse(value: str) -> int:
        text = value.strip()
        n = int(text) if text.lstrip("+-").isdigit() and len(text) <= 25 else None
        if n is None or not low <= n <= high:
            shown = value if len(value) <= 30 else value[:27] + "..."
            top = "2^63 - 1" if high == MAX_SEED else f"{high:,}"
            raise argparse.ArgumentTypeError(t("cli.expect_range", None, low=low, high=top, value=shown))
        return n

    parse.__name__ = "int"  # what argparse names in "invalid int value"
    return parse


#: A seed: a whole number >= 0 of 63 bits.
nonneg_int = bounded_int(0, MAX_SEED)


def add_command(subparsers: Any, name: str, common: argparse.ArgumentParser, help_key: str) -> argparse.ArgumentParser:
    """A subcommand whose help and description are the same catalog message, taking ``--lang`` too."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, parents=[common], help=t(help_key), description=t(help_key)
    )
    return parser


class ProgressBar:
    """A tqdm bar on stderr for a batch (the runner calls it from the parent process)."""

    def __init__(self) -> None:
        self._bar: Any = None

    def __call__(self, done: int, total: int, key: str, status: str) -> None:
        from tqdm import tqdm

        if self._bar is None:
            self._bar = tqdm(total=total, unit="nb", file=sys.stderr, dynamic_ncols=True)
        self._bar.set_postfix_str(f"{key}: {t(f'runner.status_{status}')}", refresh=False)
        self._bar.update(done - self._bar.n)
        if done >= total:
            self._bar.close()


def print_outcomes(batch: Batch, out: str, lang: str) -> int:
    """The batch as a table (candidate, case, decision, criteria met, status), the failures and the entries set
    aside on stderr, and a summary line; exit status 1 when any submission failed."""
    outcomes = batch.outcomes
    heads = ("candidate", "case", "decision", "met", "status")
    rows: list[Sequence[str]] = [tuple(t(f"cli.col_{h}", lang) for h in heads)]
    for o in outcomes:
        status = t(f"runner.status_{o.status}", lang)
        if o.result is not None:
            d = o.result["decision"]
            rows.append((o.result["candidate_id"], o.result["case"], d["label"], f"{d['met']}/{d['total']}", status))
        else:
            rows.append((o.key, o.case or "-", "-", "-", status))
    say(table(rows))
    failed = [o for o in outcomes if o.status == "failed"]
    for o in failed:
        say(t("cli.grade_failed_line", lang, key=o.key, reason=o.reason or "-"), err=True)
    for line in batch.set_aside:
        say(t("cli.set_aside_line", lang, entry=line), err=True)
    for key in batch.rechecked:
        say(t("cli.rechecked_line", lang, key=key), err=True)
    say("")
    say(
        t(
            "cli.grade_done",
            lang,
            ok=sum(o.status == "ok" for o in outcomes),
            skipped=sum(o.status == "skipped" for o in outcomes),
            failed=len(failed),
            index=str(Path(out).resolve() / "index.html"),
        )
    )
    return EXIT_FAILED if failed else EXIT_OK


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` with control characters (terminal escape sequences, bidirectional overrides) shown as escapes, so
    nothing a candidate wrote can drive the assessor's terminal. Newlines and tabs stay."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def say(text: str, *, err: bool = False) -> None:
    """Print ``text`` made :func:`terminal_safe` (to stderr when ``err``)."""
    print(terminal_safe(text), file=sys.stderr if err else sys.stdout)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(rows: Sequence[Sequence[str]], right_from: int | None = None) -> str:
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - _width(cell))
            right = right_from is not None and i >= right_from
            cells.append(pad + cell if right else cell + pad)
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
