"""Message catalogs: zh-TW and en complete and consistent, and every key the code uses exists in both."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

import casekit.i18n as i18n
from casekit.i18n import DEFAULT_LANG, LANGS, catalog, get_lang, normalise_lang, set_lang, t
from casekit.kpi import KPI_COLUMNS
from casekit.scenario.incidents import INCIDENT_TYPES

PACKAGE = Path(i18n.__file__).resolve().parent
LOCALES = PACKAGE / "locales"
SOURCES = sorted(PACKAGE.rglob("*.py"))
DOMAINS = sorted(p.stem for p in (LOCALES / "en").glob("*.json"))

# keys built with an f-string, t(f"<prefix>.{name}"): every name the code can produce
FSTRING_KEYS = {
    "kpi": KPI_COLUMNS,
    "incident": INCIDENT_TYPES,
}


# "gradebook.sqlite" names a file, not a message
FILE_SUFFIXES = {"csv", "db", "html", "ipynb", "json", "key", "md", "py", "sqlite", "txt", "xlsx", "yaml", "yml", "zip"}


def _placeholders(text: str) -> set[str]:
    names = set()
    for _, field, _, _ in string.Formatter().parse(text):
        if field is not None:
            names.add(field.split(".")[0].split("[")[0])
    return names


def _trees() -> Iterator[tuple[Path, ast.AST]]:
    for path in SOURCES:
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _t_calls(tree: ast.AST) -> Iterator[ast.Call]:
    """Calls ``t(key, ...)`` in ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t" and node.args:
            yield node


def _literal_keys() -> dict[str, str]:
    """Every string constant in the package that looks like a catalog key (``<domain>.<name>``) -> where."""
    found: dict[str, str] = {}
    key_like = re.compile(rf"^(?:{'|'.join(map(re.escape, DOMAINS))})\.[A-Za-z0-9_]+$")
    for path, tree in _trees():
        # the literal parts of f-strings are not whole keys: _fstring_prefixes() deals with those
        in_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in in_fstrings
                and key_like.match(node.value)
                and node.value.rsplit(".", 1)[1] not in FILE_SUFFIXES
            ):
                found.setdefault(node.value, f"{path.relative_to(PACKAGE)}:{node.lineno}")
            # standard.py's checker: check.add(where, "<name>", ...) records the key "expect.<name>"
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
                and path.name == "standard.py"
            ):
                found.setdefault(f"expect.{node.args[1].value}", f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def _fstring_prefixes() -> dict[str, str]:
    """``t(f"<head>{...}")`` calls: the literal head (``"kpi."``, ``"t4.type_"``) -> where."""
    found: dict[str, str] = {}
    for path, tree in _trees():
        for call in _t_calls(tree):
            first = call.args[0]
            if isinstance(first, ast.JoinedStr):
                parts = first.values
                head = parts[0].value if parts and isinstance(parts[0], ast.Constant) else ""
                found[str(head)] = f"{path.relative_to(PACKAGE)}:{call.lineno}"
    return found


# --- the catalogs themselves -----------------------------------------------------------------------------------


def test_languages() -> None:
    assert LANGS == ("zh-TW", "en")
    assert DEFAULT_LANG == "zh-TW"
    for lang in LANGS:
        assert sorted(p.name for p in (LOCALES / lang).glob("*.json")) == [f"{d}.json" for d in DOMAINS]


def test_both_catalogs_have_the_same_keys() -> None:
    zh, en = set(catalog("zh-TW")), set(catalog("en"))
    assert not zh - en, f"only in zh-TW: {sorted(zh - en)}"
    assert not en - zh, f"only in en: {sorted(en - zh)}"


def test_both_catalogs_have_the_same_placeholders() -> None:
    zh, en = catalog("zh-TW"), catalog("en")
    differ = {k: (_placeholders(zh[k]), _placeholders(en[k])) for k in zh if k in en}
    differ = {k: v for k, v in differ.items() if v[0] != v[1]}
    assert not differ


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_non_empty_and_formats(lang: str) -> None:
    for key, text in catalog(lang).items():
        assert isinstance(text, str)
        assert text.strip(), key
        params = dict.fromkeys(_placeholders(text), 1.5)
        text.format(**params)  # no stray braces, format specs fit numbers


def test_zh_tw_messages_are_translated() -> None:
    zh, en = catalog("zh-TW"), catalog("en")
    same = [k for k in zh if zh[k] == en[k] and any(c.isalpha() for c in _strip_placeholders(en[k]))]
    assert not same, f"zh-TW text identical to English: {same}"


def _strip_placeholders(text: str) -> str:
    return "".join(literal for literal, *_ in string.Formatter().parse(text))


# --- every key the code uses -----------------------------------------------------------------------------------


def test_the_scan_finds_keys() -> None:
    # guard the scanner itself: it must see keys from each kind of use
    found = _literal_keys()
    for key in (
        "cli.description",
        "expect.present",
        "expect.min_wage",
        "expect.element_ref",
        "standard.heading_skills",
    ):
        assert key in found, key
    assert set(_fstring_prefixes()) >= {"kpi.", "incident."}


@pytest.mark.parametrize("lang", LANGS)
def test_every_literal_key_exists(lang: str) -> None:
    messages = catalog(lang)
    missing = {key: where for key, where in _literal_keys().items() if key not in messages}
    assert not missing


def test_every_fstring_key_family_has_keys() -> None:
    # a family this test cannot enumerate (not in FSTRING_KEYS) must at least exist, in both languages
    for head, where in _fstring_prefixes().items():
        assert head, f"t(f'...') whose key starts with a placeholder: {where}"
        for lang in LANGS:
            assert any(k.startswith(head) for k in catalog(lang)), f"no {head}* keys in {lang} ({where})"


@pytest.mark.parametrize("lang", LANGS)
def test_every_fstring_key_exists(lang: str) -> None:
    messages = catalog(lang)
    for prefix, names in FSTRING_KEYS.items():
        missing = [name for name in names if f"{prefix}.{name}" not in messages]
        assert not missing, prefix


def test_every_problem_key_exists_in_both_languages() -> None:
    from casekit import validation

    keys = {v for v in vars(validation).values() if isinstance(v, dict) for v in v.values() if isinstance(v, str)}
    keys = {k for k in keys if k.startswith("expect.")} | {"expect.other"}
    assert keys
    for lang in LANGS:
        assert keys <= set(catalog(lang)), sorted(keys - set(catalog(lang)))


def test_t_calls_pass_every_placeholder() -> None:
    """``t("key", lang, name=...)`` with a literal key must give every placeholder the message has."""
    en = catalog("en")
    short = []
    for path, tree in _trees():
        for call in _t_calls(tree):
            first = call.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            if any(kw.arg is None for kw in call.keywords):  # **params: not checkable here
                continue
            given = {kw.arg for kw in call.keywords}
            needed = _placeholders(en.get(first.value, ""))
            if needed - given:
                short.append((f"{path.relative_to(PACKAGE)}:{call.lineno}", first.value, sorted(needed - given)))
    assert not short


# --- normalise_lang, set_lang and t ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "canonical"),
    [("zh-TW", "zh-TW"), ("zh_tw", "zh-TW"), ("zh-tw", "zh-TW"), ("ZH_TW", "zh-TW"), ("en", "en"), (" EN ", "en")],
)
def test_normalise_lang_accepts(given: str, canonical: str) -> None:
    assert normalise_lang(given) == canonical


@pytest.mark.parametrize("given", ["fr", "de-DE", "", "english"])
def test_normalise_lang_rejects(given: str) -> None:
    with pytest.raises(ValueError, match="zh-TW, en"):
        normalise_lang(given)


def test_normalise_lang_none_is_the_current_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CASEKIT_LANG", raising=False)
    assert normalise_lang(None) == get_lang() == "zh-TW"
    set_lang("en")
    assert normalise_lang(None) == "en"
    set_lang(None)
    monkeypatch.setenv("CASEKIT_LANG", "en")
    assert get_lang() == "en"
    monkeypatch.setenv("CASEKIT_LANG", "fr")  # an unusable setting falls back to the default
    assert get_lang() == "zh-TW"


def test_set_lang_rejects_an_unknown_language() -> None:
    with pytest.raises(ValueError):
        set_lang("fr")


def test_t_formats_in_the_language_asked_for() -> None:
    assert t("scenario.bad_days", "en", days=3, max=730) == "the number of days must be between 7 and 730 (got 3)"
    assert "3" in t("scenario.bad_days", "zh-TW", days=3, max=730)
    assert t("scenario.bad_days", "zh-TW", days=3, max=730) != t("scenario.bad_days", "en", days=3, max=730)


def test_t_falls_back_to_the_key_for_a_missing_key() -> None:
    for lang in LANGS:
        assert t("nowhere.no_such_key", lang) == "nowhere.no_such_key"
        assert t("nowhere.no_such_key", lang, x=1) == "nowhere.no_such_key"


def test_t_falls_back_to_english_for_a_key_missing_in_zh_tw(monkeypatch: pytest.MonkeyPatch) -> None:
    real = i18n.catalog

    def gappy(lang: str) -> dict[str, str]:
        messages = dict(real(lang))
        if lang == "zh-TW":
            del messages["cli.none"]
        return messages

    monkeypatch.setattr(i18n, "catalog", gappy)
    assert t("cli.none", "zh-TW") == real("en")["cli.none"]
    assert t("cli.col_days", "zh-TW") == real("zh-TW")["cli.col_days"]
