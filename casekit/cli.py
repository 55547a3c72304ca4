"""The ``casekit`` command line.

Heavy modules (pandas, pydantic, Jupyter) are imported inside the commands that need them, so ``casekit --help``
answers fast. Every user-facing string comes from the message catalogs; ``--lang`` works on every command.
Exit status: 0 success, 1 a command ran and found failures, 2 bad usage or bad input (one line per problem).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from casekit.errors import CasekitError
from casekit.i18n import DEFAULT_LANG, LANGS, normalise_lang, set_lang, t

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
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


def _lang_from_argv(argv: Sequence[str]) -> str:
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


def _lang_type(value: str) -> str:
    try:
        return normalise_lang(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _nonneg_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(t("cli.expect_int", None, value=value)) from None
    if n < 0:
        raise argparse.ArgumentTypeError(t("cli.expect_int", None, value=value))
    return n


def _command(subparsers: Any, name: str, common: argparse.ArgumentParser, help_key: str) -> argparse.ArgumentParser:
    """A subcommand whose help and description are the same catalog message, taking ``--lang`` too."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, parents=[common], help=t(help_key), description=t(help_key)
    )
    return parser


def build_parser(lang: str) -> argparse.ArgumentParser:
    set_lang(lang)
    common = _Parser(add_help=False)
    common.add_argument(
        "--lang", type=_lang_type, default=argparse.SUPPRESS, metavar="|".join(LANGS), help=t("cli.help_lang")
    )
    parser = _Parser(prog="casekit", description=t("cli.description"), parents=[common])
    parser.add_argument("--version", action="version", version=f"casekit {_version()}", help=t("argparse.version"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title=t("cli.commands"), parser_class=_Parser)
    sub.required = True

    p = _command(sub, "standard", common, "cli.help_standard")
    p.add_argument("--json", action="store_true", help=t("cli.help_json"))
    p.set_defaults(func=_cmd_standard)

    sc = _command(sub, "scenario", common, "cli.help_scenario")
    ssub = sc.add_subparsers(dest="action", metavar="ACTION", title=t("cli.actions"), parser_class=_Parser)
    ssub.required = True
    p = _command(ssub, "list", common, "cli.help_scenario_list")
    p.set_defaults(func=_cmd_scenario_list)
    for action, func, helpkey in (
        ("build", _cmd_scenario_build, "cli.help_scenario_build"),
        ("show", _cmd_scenario_show, "cli.help_scenario_show"),
    ):
        p = _command(ssub, action, common, helpkey)
        p.add_argument("org", metavar="NAME_OR_PATH", help=t("cli.help_org"))
        p.add_argument("--seed", type=_nonneg_int, required=True, help=t("cli.help_seed"))
        if action == "build":
            p.add_argument("--out", required=True, metavar="DIR", help=t("cli.help_out"))
        p.add_argument("--staff", type=_nonneg_int, metavar="N", help=t("cli.help_staff"))
        p.add_argument("--days", type=_nonneg_int, metavar="N", help=t("cli.help_days"))
        p.set_defaults(func=func)
    p = _command(sub, "grade", common, "cli.help_grade")
    p.add_argument("submissions", metavar="SUBMISSIONS_DIR", help=t("cli.help_submissions"))
    p.add_argument("--out", required=True, metavar="DIR", help=t("cli.help_grade_out"))
    p.add_argument("--jobs", type=_positive_int, default=2, metavar="N", help=t("cli.help_jobs"))
    p.add_argument("--timeout", type=_positive_int, default=600, metavar="SECONDS", help=t("cli.help_timeout"))
    p.add_argument("--rubric", metavar="PATH", help=t("cli.help_rubric"))
    p.set_defaults(func=_cmd_grade)

    p = _command(sub, "mark", common, "cli.help_mark")
    p.add_argument("gradebook", metavar="GRADEBOOK", help=t("cli.help_gradebook"))
    p.add_argument("candidate", metavar="CANDIDATE_ID", help=t("cli.help_candidate"))
    p.add_argument("criterion", metavar="CRITERION_ID", help=t("cli.help_criterion"))
    p.add_argument("result", choices=["met", "not_yet_met"], help=t("cli.help_result"))
    p.add_argument("--assessor", required=True, help=t("cli.help_assessor"))
    p.add_argument("--reason", required=True, help=t("cli.help_reason"))
    p.add_argument("--case", default="T4", help=t("cli.help_case"))
    p.set_defaults(func=_cmd_mark)

    an = _command(sub, "answer", common, "cli.help_answer")
    asub = an.add_subparsers(dest="action", metavar="ACTION", title=t("cli.actions"), parser_class=_Parser)
    asub.required = True
    p = _command(asub, "embed", common, "cli.help_answer_embed")
    p.add_argument("notebook", metavar="NOTEBOOK", help=t("cli.help_notebook"))
    p.add_argument("answer", metavar="ANSWER_JSON", help=t("cli.help_answer_file"))
    p.set_defaults(func=_cmd_answer_embed)
    p = _command(asub, "extract", common, "cli.help_answer_extract")
    p.add_argument("notebook", metavar="NOTEBOOK", help=t("cli.help_notebook"))
    p.add_argument("--out", required=True, metavar="ANSWER_JSON", help=t("cli.help_answer_file"))
    p.set_defaults(func=_cmd_answer_extract)

    p = _command(sub, "demo", common, "cli.help_demo")
    p.add_argument("--out", default="casekit-demo", metavar="DIR", help=t("cli.help_demo_out"))
    p.add_argument("--candidates", type=_positive_int, default=7, metavar="N", help=t("cli.help_candidates"))
    p.add_argument("--org", default="bank-cards", metavar="NAME", help=t("cli.help_org_demo"))
    p.add_argument("--jobs", type=_positive_int, default=2, metavar="N", help=t("cli.help_jobs"))
    p.set_defaults(func=_cmd_demo)
    return parser


def _positive_int(value: str) -> int:
    n = _nonneg_int(value)
    if n == 0:
        raise argparse.ArgumentTypeError(t("cli.expect_int", None, value=value))
    return n


def _version() -> str:
    from casekit import __version__

    return __version__


# ---------------------------------------------------------------------------------------------------- commands


def _cmd_standard(args: argparse.Namespace, lang: str) -> int:
    from casekit.standard import load_standard, render_tree, to_json

    std = load_standard()
    if args.json:
        print(json.dumps(to_json(std), ensure_ascii=False, indent=2))
    else:
        print(render_tree(std, lang))
    return EXIT_OK


def _cmd_scenario_list(args: argparse.Namespace, lang: str) -> int:
    from casekit.scenario import list_specs, load_spec

    specs = list_specs()
    if not specs:
        print(t("cli.no_scenarios", lang))
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
    print(_table([header, *rows]))
    return EXIT_OK


def _load_world(args: argparse.Namespace) -> Any:
    from casekit.scenario import build_world, find_spec, load_spec

    spec = load_spec(find_spec(args.org))
    return build_world(spec, args.seed, staff=args.staff, days=args.days)


def _cmd_scenario_build(args: argparse.Namespace, lang: str) -> int:
    world = _load_world(args)
    manifest = world.write(args.out)
    rows = [(t("cli.col_table", lang), t("cli.col_rows", lang), "sha256")]
    for entry in manifest["tables"].values():
        rows.append((entry["file"], str(entry["rows"]), entry["sha256"][:12]))
    print(
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
    print(_table(rows))
    return EXIT_OK


def _cmd_scenario_show(args: argparse.Namespace, lang: str) -> int:
    from casekit.kpi import format_kpi
    from casekit.scenario.catalogs import load_roles
    from casekit.scenario.summary import summarise

    world = _load_world(args)
    s = summarise(world)
    spec = world.spec
    print(
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
    print()
    print(t("cli.show_headcount", lang))
    labels = {r.id: r.label(lang) for r in load_roles()}
    hc = s.headcount_by_role_team
    rows: list[Sequence[str]] = [(t("cli.col_role", lang), *[str(c) for c in hc.columns])]
    for role, counts in hc.iterrows():
        rows.append((labels.get(str(role), str(role)), *[str(int(v)) for v in counts]))
    print(_table(rows, right_from=1))
    print()
    print(t("cli.show_kpis", lang))
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
    print(_table(kpi_rows, right_from=1))
    print()
    tv = s.turnover
    print(
        t(
            "cli.show_turnover",
            lang,
            rate=tv["annual_rate"] * 100,
            voluntary=tv["voluntary_rate"] * 100,
            leavers=int(tv["leavers"]),
            early=tv["early_tenure_share"] * 100,
        )
    )
    print()
    print(t("cli.show_breaches", lang))
    if not s.breaches:
        print("  " + t("cli.none", lang))
    for kind, count in sorted(s.breaches.items()):
        print(f"  {t(f'incident.{kind}', lang)}: {count}")
    return EXIT_OK


class _ProgressBar:
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


def _print_outcomes(outcomes: Sequence[Any], out: str, lang: str) -> int:
    from pathlib import Path

    rows: list[Sequence[str]] = [
        (t("cli.col_candidate", lang), t("cli.col_decision", lang), t("cli.col_met", lang), t("cli.col_status", lang))
    ]
    for o in outcomes:
        if o.result is not None:
            d = o.result["decision"]
            rows.append(
                (o.result["candidate_id"], d["label"], f"{d['met']}/{d['total']}", t(f"runner.status_{o.status}", lang))
            )
        else:
            rows.append((o.key, "-", "-", t("runner.status_failed", lang)))
    print(_table(rows))
    failed = [o for o in outcomes if o.status == "failed"]
    for o in failed:
        print(t("cli.grade_failed_line", lang, key=o.key, reason=o.reason or "-"), file=sys.stderr)
    print()
    print(
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


def _cmd_grade(args: argparse.Namespace, lang: str) -> int:
    from casekit.execution.batch import grade_folder

    outcomes = grade_folder(
        args.submissions,
        args.out,
        jobs_n=args.jobs,
        lang=lang,
        timeout=float(args.timeout),
        rubric=args.rubric,
        progress=_ProgressBar(),
    )
    return _print_outcomes(outcomes, args.out, lang)


def _cmd_mark(args: argparse.Namespace, lang: str) -> int:
    import datetime as dt
    from pathlib import Path

    from casekit.errors import UsageError
    from casekit.rubric import AssessorMark
    from casekit.store import Gradebook

    if not Path(args.gradebook).is_file():
        raise UsageError(t("cli.no_gradebook", lang, path=args.gradebook))
    key = f"{args.candidate}/{args.case}"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    with Gradebook(args.gradebook) as book:
        if book.submission(key) is None:
            raise UsageError(t("cli.unknown_submission", lang, key=key))
        book.add_mark(key, AssessorMark(args.criterion, args.assessor, args.result, args.reason, now))
        decision = book.decision(key)
    label = decision.label(lang) if decision is not None else "-"
    print(
        t(
            "cli.marked",
            lang,
            key=key,
            criterion=args.criterion,
            result=t(f"rubric.state_{args.result}", lang),
            decision=label,
        )
    )
    return EXIT_OK


def _cmd_answer_embed(args: argparse.Namespace, lang: str) -> int:
    from casekit.notebook_answers import embed_answer

    doc = embed_answer(args.notebook, args.answer)
    print(t("cli.embedded", lang, candidate=doc.candidate_id, case=doc.case, notebook=args.notebook))
    return EXIT_OK


def _cmd_answer_extract(args: argparse.Namespace, lang: str) -> int:
    from casekit.answers import save_answer
    from casekit.notebook_answers import extract_answer

    doc = extract_answer(args.notebook)
    path = save_answer(doc, args.out)
    print(t("cli.extracted", lang, candidate=doc.candidate_id, case=doc.case, path=str(path)))
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace, lang: str) -> int:
    from casekit.demo import run_demo

    def announce(n: int, total: int, candidate: str) -> None:
        print(t("demo.writing", lang, n=n, total=total, candidate=candidate), file=sys.stderr)

    outcomes = run_demo(
        args.out,
        candidates=args.candidates,
        lang=lang,
        org=args.org,
        jobs_n=args.jobs,
        progress=_ProgressBar(),
        on_candidate=announce,
    )
    return _print_outcomes(outcomes, args.out, lang)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: Sequence[Sequence[str]], right_from: int | None = None) -> str:
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


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    lang = _lang_from_argv(args_list)
    parser = build_parser(lang)
    args = parser.parse_args(args_list)
    lang = getattr(args, "lang", lang)
    set_lang(lang)
    func: Callable[[argparse.Namespace, str], int] = args.func
    try:
        return func(args, lang)
    except CasekitError as exc:
        print(exc.render(lang), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(t("cli.interrupted", lang), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
