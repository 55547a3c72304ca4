"""The ``casekit`` command line, run as users run it: a fresh interpreter, both languages, exit statuses."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import SCENARIOS, run_casekit, run_casekit_many, run_python

import casekit.cli
from casekit.i18n import t
from casekit.scenario import TABLES, build_world, load_spec

ORGS = ("bank-cards", "telecom-support", "ecommerce-cs")
HEAVY = ("pandas", "pydantic", "nbformat", "papermill", "nbclient", "nbconvert", "ipywidgets", "IPython")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """The read-only commands, each run once in its own interpreter, side by side."""
    calls = {
        "help": ["--help"],
        "help_en": ["--help", "--lang", "en"],
        "help_en_eq": ["--lang=en", "--help"],
        "scenario_help_en": ["scenario", "show", "--help", "--lang", "en"],
        "standard": ["standard"],
        "standard_en": ["standard", "--lang", "en"],
        "standard_json": ["standard", "--json"],
        "list": ["scenario", "list"],
        "list_en": ["scenario", "list", "--lang", "en"],
        "show": ["scenario", "show", "ecommerce-cs", "--seed", "3", "--days", "14"],
        "show_en": ["scenario", "show", "ecommerce-cs", "--seed", "3", "--days", "14", "--lang", "en"],
        "lang_fr": ["standard", "--lang", "fr"],
        "lang_fr_help": ["--lang", "fr", "--help"],
        "no_command": [],
        "bad_command": ["frobnicate"],
        "show_bad_days": ["scenario", "show", "ecommerce-cs", "--seed", "3", "--days", "5"],
        "show_no_seed": ["scenario", "show", "ecommerce-cs"],
        "version": ["--version"],
    }
    return dict(zip(calls, run_casekit_many(list(calls.values())), strict=True))


def _flat(text: str) -> str:
    """Whitespace collapsed: argparse wraps long help texts."""
    return " ".join(text.split())


def _ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout


def _usage_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip()
    return proc.stderr


def test_help_is_zh_tw_by_default(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    out = _flat(_ok(runs["help"]))
    assert _flat(t("cli.description", "zh-TW")) in out
    assert t("cli.help_standard", "zh-TW") in out
    assert t("cli.help_lang", "zh-TW") in out
    assert t("cli.description", "en") not in out


@pytest.mark.parametrize("key", ["help_en", "help_en_eq"])
def test_help_in_english(key: str, runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    out = _flat(_ok(runs[key]))
    assert _flat(t("cli.description", "en")) in out
    assert t("cli.help_scenario", "en") in out
    assert _flat(t("cli.description", "zh-TW")) not in out


def test_subcommand_help_in_english(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    out = _flat(_ok(runs["scenario_help_en"]))
    for key in ("cli.help_scenario_show", "cli.help_seed", "cli.help_days", "cli.help_staff", "cli.help_org"):
        assert _flat(t(key, "en")) in out, key


def test_version(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    assert _ok(runs["version"]).strip() == f"casekit {casekit.__version__}"


def test_standard_json_has_53_elements_with_ids(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    data = json.loads(_ok(runs["standard_json"]))
    elements = data["elements"]
    assert len(elements) == 53
    ids = [e["id"] for e in elements]
    assert all(isinstance(i, str) and i for i in ids)
    assert len(set(ids)) == 53
    assert {"T1", "P1.1", "P5.2"} <= set(ids)


def test_standard_in_both_languages(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    zh = _ok(runs["standard"])
    en = _ok(runs["standard_en"])
    assert t("standard.heading_tasks", "zh-TW") in zh
    assert t("standard.heading_tasks", "en") in en
    assert t("standard.heading_tasks", "en") not in zh
    assert t("standard.heading_knowledge", "en") in en
    assert "P1.1" in zh
    assert "P1.1" in en


@pytest.mark.parametrize(("key", "lang"), [("list", "zh-TW"), ("list_en", "en")])
def test_scenario_list(key: str, lang: str, runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    out = _ok(runs[key])
    for org in ORGS:
        assert org in out
        assert load_spec(SCENARIOS / f"{org}.yaml").title.get(lang) in out
    assert t("cli.col_headcount", lang) in out


@pytest.mark.parametrize(("key", "lang"), [("show", "zh-TW"), ("show_en", "en")])
def test_scenario_show(key: str, lang: str, runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    out = _ok(runs[key])
    spec = load_spec(SCENARIOS / "ecommerce-cs.yaml")
    assert spec.title.get(lang) in out
    for heading in ("cli.show_headcount", "cli.show_kpis", "cli.show_breaches"):
        assert t(heading, lang) in out, heading
    # the turnover line: its text up to the first placeholder
    assert t("cli.show_turnover", lang).split("{")[0] in out
    for kpi in ("aht_s", "adherence", "fcr", "qa"):
        assert t(f"kpi.{kpi}", lang) in out
    other = "en" if lang == "zh-TW" else "zh-TW"
    assert t("cli.show_kpis", other) not in out
    # the headcount table covers everyone
    world = build_world(spec, 3, days=14)
    assert str(len(world.staff)) in out


def test_scenario_show_is_the_same_twice(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    again = run_casekit("scenario", "show", "ecommerce-cs", "--seed", "3", "--days", "14")
    assert _ok(again) == _ok(runs["show"])


def test_scenario_build_writes_the_tables(tmp_path: Path) -> None:
    out = tmp_path / "world"
    proc = run_casekit(
        "scenario", "build", "ecommerce-cs", "--seed", "3", "--out", str(out), "--days", "14", PYTHONHASHSEED="12345"
    )
    text = _ok(proc)
    assert str(out) in text
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted([*(f"{name}.csv" for name in TABLES), "manifest.json"])
    assert len([f for f in files if f.endswith(".csv")]) == len(TABLES) == 27
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["spec"] == "ecommerce-cs"
    assert manifest["seed"] == 3
    assert manifest["days"] == 14
    # another interpreter, with another hash seed, made exactly the tables this one makes
    here = build_world(load_spec(SCENARIOS / "ecommerce-cs.yaml"), 3, days=14).manifest()
    assert manifest == here


def test_scenario_build_into_a_file_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    proc = run_casekit("scenario", "build", "ecommerce-cs", "--seed", "3", "--out", str(target), "--lang", "en")
    assert _usage_error(proc).strip() == t("scenario.out_not_dir", "en", path=str(target))


@pytest.mark.parametrize("key", ["lang_fr", "lang_fr_help"])
def test_unknown_language_is_a_usage_error(key: str, runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    err = _usage_error(runs[key])
    assert "fr" in err
    assert runs[key].stdout == ""


@pytest.mark.parametrize("key", ["no_command", "bad_command", "show_no_seed"])
def test_bad_usage_exits_2(key: str, runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    err = _usage_error(runs[key])
    # argparse's own words come from the catalog too: zh-TW by default
    assert err.startswith(t("argparse.usage", "zh-TW"))
    assert "usage:" not in err and "error:" not in err


def test_argparse_words_in_english_when_asked() -> None:
    proc = run_casekit("scenario", "show", "--lang", "en")
    assert proc.returncode == 2
    assert proc.stderr.startswith("usage: ") and "the following arguments are required" in proc.stderr


def test_days_out_of_range_is_a_usage_error(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    err = _usage_error(runs["show_bad_days"])
    assert t("cli.expect_range", "zh-TW", low=7, high="730", value="5") in err


def test_main_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert casekit.cli.main(["scenario", "list", "--lang", "en"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    for org in ORGS:
        assert org in out
    assert t("cli.col_title", "en") in out


def test_main_in_process_reports_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    assert casekit.cli.main(["scenario", "show", str(missing), "--seed", "1", "--lang", "en"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip() == f"{missing}: {t('expect.file_exists', 'en')}"


def test_main_in_process_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        casekit.cli.main(["--help", "--lang", "en"])
    assert info.value.code == 0
    assert _flat(t("cli.description", "en")) in _flat(capsys.readouterr().out)


def test_the_cli_module_stays_light() -> None:
    code = (
        "import json, sys\n"
        "import casekit.cli\n"
        "before = sorted(sys.modules)\n"
        "try:\n"
        "    casekit.cli.main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps([before, sorted(sys.modules)]))\n"
    )
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    on_import, after_help = json.loads(last)
    for modules in (on_import, after_help):
        loaded = {m.split(".")[0] for m in modules}
        assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
