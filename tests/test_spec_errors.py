"""Broken organisation specs: every problem named (file, field, expected, got), all at once, exit 2, no traceback."""

from __future__ import annotations

import datetime as dt
import pickle
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SCENARIOS, run_casekit, run_casekit_many

from casekit.errors import CasekitError, NotFoundError, Problem, ScenarioError, SpecError
from casekit.i18n import t
from casekit.scenario import find_spec, list_specs, load_spec, parse_spec

BANK = SCENARIOS / "bank-cards.yaml"


def _base() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(BANK.read_text(encoding="utf-8"))
    return data


def _dump(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _mutated(mutate: Callable[[dict[str, Any]], None]) -> Callable[[Path], Path]:
    def build(tmp_path: Path) -> Path:
        data = _base()
        mutate(data)
        return _dump(tmp_path / "bad.yaml", data)

    return build


# "industry: banking: retail" is a mapping value where none is allowed; PyYAML points at the second colon
INDUSTRY_LINE = BANK.read_text(encoding="utf-8").splitlines().index("industry: banking") + 1


def _syntax_error(tmp_path: Path) -> Path:
    text = BANK.read_text(encoding="utf-8").replace("industry: banking", "industry: banking: retail")
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _missing_file(tmp_path: Path) -> Path:
    return tmp_path / "no-such-spec.yaml"


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        data = data[key]
    data[last] = value


def _unknown_role(data: dict[str, Any]) -> None:
    data["roles"]["agent"]["share"] = 0.70
    data["roles"]["janitor"] = {"share": 0.04, "base_pay": {"min": 30000, "max": 32000}}


@dataclass(frozen=True)
class Case:
    build: Callable[[Path], Path]
    field: str | None  # the field the problem names; None: the file itself (field empty)
    expected: str  # catalog key of what was expected
    got: str | None = None  # a fragment of what came


CASES: dict[str, Case] = {
    "syntax": Case(_syntax_error, f"line {INDUSTRY_LINE}, column 18", "expect.yaml", "mapping values"),
    "wrong_type": Case(_mutated(lambda d: _set(d, "headcount", "ten")), "headcount", "expect.int", "'ten'"),
    "missing_field": Case(_mutated(lambda d: d.pop("industry")), "industry", "expect.present"),
    "unknown_field": Case(_mutated(lambda d: _set(d, "colour", "blue")), "colour", "expect.known_field", "'blue'"),
    "unknown_nested_field": Case(
        _mutated(lambda d: _set(d, "roles.agent.colour", "blue")), "roles.agent.colour", "expect.known_field"
    ),
    "missing_file": Case(_missing_file, None, "expect.file_exists"),
    "schema_version": Case(_mutated(lambda d: _set(d, "schema_version", 2)), "schema_version", "expect.schema_version"),
    "shares_sum": Case(_mutated(lambda d: _set(d, "roles.agent.share", 0.5)), "roles", "expect.shares_sum", "0.760"),
    "under_minimum_wage": Case(
        _mutated(lambda d: _set(d, "roles.agent.base_pay.min", 20000)),
        "roles.agent.base_pay.min",
        "expect.min_wage",
        "20000",
    ),
    "unknown_role": Case(_mutated(_unknown_role), "roles.janitor", "expect.known_role", "'janitor'"),
}


def _problems_of(path: Path) -> tuple[Problem, ...]:
    with pytest.raises(ScenarioError) as info:
        load_spec(path)
    return info.value.problems


def test_the_shipped_spec_is_valid_and_survives_a_yaml_round_trip(tmp_path: Path) -> None:
    # the bad specs below are this one plus one change: make sure the rest of it is fine
    original = load_spec(BANK)
    assert load_spec(_dump(tmp_path / "same.yaml", _base())) == original


@pytest.mark.parametrize("kind", list(CASES))
def test_load_spec_names_file_field_expected_and_got(kind: str, tmp_path: Path) -> None:
    case = CASES[kind]
    path = case.build(tmp_path)
    with pytest.raises(ScenarioError) as info:
        load_spec(path)
    exc = info.value
    assert isinstance(exc, ValueError)
    assert isinstance(exc, SpecError)
    assert isinstance(exc, CasekitError)
    assert exc.problems, "a ScenarioError without problems tells the user nothing"
    assert all(p.file == str(path) for p in exc.problems)
    matching = [p for p in exc.problems if p.field == (case.field or "") and p.expected == case.expected]
    assert matching, f"no {case.expected} problem at {case.field!r} in {exc.problems}"
    problem = matching[0]
    if case.got is not None:
        assert case.got in problem.got
    for lang in ("zh-TW", "en"):
        line = problem.render(lang)
        assert "\n" not in line
        assert str(path) in line
        if case.field:
            assert case.field in line
        assert t(problem.expected, lang, **problem.params) in line
        assert problem.got in line
        assert "{" not in line.replace(problem.got, "")  # every placeholder filled


def test_one_change_one_problem(tmp_path: Path) -> None:
    # a single mistake must not cascade into a list of unrelated complaints
    for kind, case in CASES.items():
        folder = tmp_path / kind
        folder.mkdir()
        assert len(_problems_of(case.build(folder))) == 1, kind


def test_several_schema_problems_are_reported_together(tmp_path: Path) -> None:
    data = _base()
    data["headcount"] = "ten"
    del data["industry"]
    data["colour"] = "blue"
    data["roles"]["agent"]["colour"] = "red"
    data["channels"]["voice"]["share"] = "most"
    data["performance"]["fcr"] = 1.5
    path = _dump(tmp_path / "bad.yaml", data)
    found = {(p.field, p.expected) for p in _problems_of(path)}
    assert found == {
        ("headcount", "expect.int"),
        ("industry", "expect.present"),
        ("colour", "expect.known_field"),
        ("roles.agent.colour", "expect.known_field"),
        ("channels.voice.share", "expect.number"),
        ("performance.fcr", "expect.le"),
    }


def test_several_consistency_problems_are_reported_together(tmp_path: Path) -> None:
    data = _base()
    data["roles"]["agent"]["base_pay"]["min"] = 20000
    data["roles"]["janitor"] = {"share": 0.04, "base_pay": {"min": 30000, "max": 32000}}
    data["shifts"]["day"] = 0.9
    data["open_hours"] = [22, 8]
    data["turnover"]["exit_factor_weights"]["boredom"] = 1.0
    path = _dump(tmp_path / "bad.yaml", data)
    found = {(p.field, p.expected) for p in _problems_of(path)}
    assert found == {
        ("roles.agent.base_pay.min", "expect.min_wage"),
        ("roles.janitor", "expect.known_role"),
        ("roles", "expect.shares_sum"),
        ("shifts", "expect.shares_sum"),
        ("open_hours", "expect.open_hours"),
        ("turnover.exit_factor_weights.boredom", "expect.exit_factor"),
    }


def test_schema_and_consistency_problems_are_reported_together(tmp_path: Path) -> None:
    data = _base()
    data["headcount"] = "ten"
    data["performance"]["fcr"] = 1.5
    data["shifts"]["day"] = 0.9
    data["roles"]["agent"]["base_pay"]["min"] = 20000
    path = _dump(tmp_path / "bad.yaml", data)
    found = {(p.field, p.expected) for p in _problems_of(path)}
    assert found == {
        ("headcount", "expect.int"),
        ("performance.fcr", "expect.le"),
        ("shifts", "expect.shares_sum"),
        ("roles.agent.base_pay.min", "expect.min_wage"),
    }


def test_a_quoted_iso_date_is_a_date(tmp_path: Path) -> None:
    data = _base()
    data["start_date"] = "2026-01-05"
    path = _dump(tmp_path / "quoted.yaml", data)
    assert "start_date: '2026-01-05'" in path.read_text(encoding="utf-8")
    assert load_spec(path).start_date == dt.date(2026, 1, 5)


@pytest.mark.parametrize("value", ["2026-13-05", "next monday", 20260105])
def test_a_bad_date(value: object, tmp_path: Path) -> None:
    data = _base()
    data["start_date"] = value
    (problem,) = _problems_of(_dump(tmp_path / "bad.yaml", data))
    assert (problem.field, problem.expected, problem.got) == ("start_date", "expect.date", repr(value))


def test_a_year_without_a_known_minimum_wage(tmp_path: Path) -> None:
    data = _base()
    data["start_date"] = dt.date(2031, 1, 6)
    (problem,) = _problems_of(_dump(tmp_path / "bad.yaml", data))
    assert (problem.field, problem.expected) == ("start_date", "expect.wage_year")
    assert "2026" in problem.render("en")


@pytest.mark.parametrize("text", ["", "- a list\n- not a mapping\n", "just text\n"])
def test_a_spec_that_is_not_a_mapping(text: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_spec(text, "odd.yaml")
    (problem,) = info.value.problems
    assert problem.file == "odd.yaml"
    assert problem.expected == "expect.top_mapping"


def test_a_folder_is_not_a_spec(tmp_path: Path) -> None:
    (problem,) = _problems_of(tmp_path)
    assert problem.expected == "expect.regular_file" and problem.got == "folder"
    assert problem.file == str(tmp_path)


def test_scenario_error_pickles(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_spec(CASES["under_minimum_wage"].build(tmp_path))
    exc = info.value
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is ScenarioError
    assert back.problems == exc.problems
    assert back.render("en") == exc.render("en")
    assert back.render("zh-TW") == exc.render("zh-TW")
    assert str(back) == str(exc)


def test_not_found_error_pickles() -> None:
    with pytest.raises(NotFoundError) as info:
        find_spec("no-such-org")
    back = pickle.loads(pickle.dumps(info.value))
    assert type(back) is NotFoundError
    assert str(back) == str(info.value)
    assert isinstance(back, FileNotFoundError)
    assert isinstance(back, CasekitError)


# --- the real command line -----------------------------------------------------------------------------------


LANGS = ("zh-TW", "en")


@dataclass(frozen=True)
class CliRun:
    path: Path
    problems: tuple[Problem, ...]
    proc: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], CliRun]:
    """``casekit scenario show BAD --seed 1`` for every kind of bad spec and language, run side by side."""
    paths: dict[str, Path] = {}
    problems: dict[str, tuple[Problem, ...]] = {}
    for kind, case in CASES.items():
        paths[kind] = case.build(tmp_path_factory.mktemp(kind))
        with pytest.raises(ScenarioError) as info:
            load_spec(paths[kind])
        problems[kind] = info.value.problems
    keys = [(kind, lang) for kind in CASES for lang in LANGS]
    calls = [
        ["scenario", "show", str(paths[kind]), "--seed", "1", *(["--lang", "en"] if lang == "en" else [])]
        for kind, lang in keys
    ]
    procs = run_casekit_many(calls)
    return {key: CliRun(paths[key[0]], problems[key[0]], proc) for key, proc in zip(keys, procs, strict=True)}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", list(CASES))
def test_cli_reports_each_problem_on_one_line(kind: str, lang: str, cli_runs: dict[tuple[str, str], CliRun]) -> None:
    run = cli_runs[kind, lang]
    proc = run.proc
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert lines == [p.render(lang) for p in run.problems]
    for line, problem in zip(lines, run.problems, strict=True):
        assert str(run.path) in line
        assert problem.field in line
        assert t(problem.expected, lang, **problem.params) in line
        assert problem.got in line
    if lang == "en":  # the default language is zh-TW: the two runs must differ
        assert lines != cli_runs[kind, "zh-TW"].proc.stderr.strip().splitlines()


def test_cli_reports_several_problems_at_once(tmp_path: Path) -> None:
    data = _base()
    data["headcount"] = "ten"
    del data["industry"]
    data["colour"] = "blue"
    path = _dump(tmp_path / "bad.yaml", data)
    proc = run_casekit("scenario", "build", str(path), "--seed", "1", "--out", str(tmp_path / "out"), "--lang", "en")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 3
    for field in ("headcount", "industry", "colour"):
        assert sum(f"{path}: {field}:" in line for line in lines) == 1, field
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("lang", ["zh-TW", "en"])
def test_cli_unknown_organisation(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CASEKIT_SCENARIOS", raising=False)
    monkeypatch.chdir(SCENARIOS.parent)
    names = ", ".join(list_specs())
    assert {"bank-cards", "ecommerce-cs", "telecom-support"} <= set(list_specs())
    proc = run_casekit("scenario", "show", "no-such-org", "--seed", "1", "--lang", lang)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [t("scenario.unknown_org", lang, name="no-such-org", names=names)]


@pytest.mark.parametrize("seed", ["ten", "-1", "1.5", ""])
def test_cli_bad_seed(seed: str) -> None:
    proc = run_casekit("scenario", "show", "bank-cards", "--seed", seed, "--lang", "en")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "--seed" in proc.stderr
    assert t("cli.expect_range", "en", low=0, high="2^63 - 1", value=seed) in proc.stderr
