"""The packaged competency unit BGM4R0172v2: content pinned, loader, renderers and validation."""

from __future__ import annotations

import json
import pickle
import re
from importlib import resources
from pathlib import Path

import pytest

from casekit.errors import NotFoundError, StandardDataError, UsageError
from casekit.i18n import LANGS, catalog
from casekit.standard import (
    EXPECTED_COUNTS,
    KINDS,
    Element,
    Standard,
    _parse_standard,
    load_standard,
    render_tree,
    to_json,
)

SOURCE = Path(__file__).resolve().parents[2] / "shared" / "standard" / "BGM4R0172v2-source.txt"
LOCALES = Path(__file__).resolve().parents[1] / "casekit" / "locales"

# The 15 performance indicators, verbatim as published (HTML markup removed).
INDICATORS_ZH = {
    "P1.1": "為客戶服務角色，發展並訂定工作規範【註1】與職務說明【註2】。",
    "P1.2": "使用訪談技巧【註3】應用員工遴選流程藉由分析員工流動並引用員工留用策略以減少員工流失【註4】。",
    "P2.1": "盤點所有員工技能。",
    "P2.2": "為所有客戶服務角色，辨別技能需求和技能落差。",
    "P2.3": "分辨科技技能和客戶服務技能需求。",
    "P2.4": "確認訓練所需的資源並發展訓練計畫，根據訓練計畫為所有員工安排訓練以改善技能差距。",
    "P3.1": "為所有成員，發展並維持關鍵績效指標【註5】。",
    "P3.2": "與各客戶服務成員確認關鍵績效指標。",
    "P3.3": "規劃審查日期和蒐集數據以進行績效管理和績效評量，並進而擬定員工發展訓練計畫。",
    "P4.1": "為個人和團體決定關鍵績效指標。",
    "P4.2": "依職責設定適當獎勵報酬。",
    "P4.3": "運用關鍵績效指標啟動獎勵計畫【註6】定期評量薪資和激勵計畫以確保有效性。",
    "P4.4": "執行稽核流程以確保方案的整體性。",
    "P5.1": "定期安排執行法規性訓練以協助個人和員工熟悉法令和法規，並確保符合法令和法規要求【註7】。",
    "P5.2": "確認、記錄並矯正法令和法規要求的違反狀況。",
}

EXPECTED_IDS = (
    [f"T{i}" for i in range(1, 6)]
    + list(INDICATORS_ZH)
    + [f"K{i}" for i in range(1, 10)]
    + [f"S{i}" for i in range(1, 8)]
    + [f"E{i}" for i in range(1, 6)]
    + ["C1", "C2"]
    + [f"M{i}" for i in range(1, 4)]
    + [f"N{i}" for i in range(1, 8)]
)


@pytest.fixture(scope="module")
def unit() -> Standard:
    return load_standard()


def packaged_yaml() -> str:
    return (resources.files("casekit") / "data" / "standard" / "BGM4R0172v2.yaml").read_text(encoding="utf-8")


def position_of() -> dict[str, int]:
    """Each id's index in the packaged file's ``elements`` list."""
    return {element_id: i for i, element_id in enumerate(load_standard().ids)}


# --- content -------------------------------------------------------------------------------------------


def test_header(unit: Standard) -> None:
    assert unit.code == "BGM4R0172v2"
    assert unit.title["zh-TW"] == "管理客戶服務部門員工"
    assert unit.title["en"] == "Manage customer service department staff"
    assert unit.domain["zh-TW"] == "企業經營管理 / 一般管理"
    assert unit.level == 4


@pytest.mark.parametrize(
    ("kind", "count"),
    [
        ("task", 5),
        ("indicator", 15),
        ("knowledge", 9),
        ("skill", 7),
        ("evidence", 5),
        ("context", 2),
        ("method", 3),
        ("note", 7),
    ],
)
def test_counts(unit: Standard, kind: str, count: int) -> None:
    assert len(unit.of_kind(kind)) == count
    assert EXPECTED_COUNTS[kind] == count  # type: ignore[index]


def test_total_and_ids(unit: Standard) -> None:
    assert len(unit) == 53
    assert len(set(unit.ids)) == 53
    assert sorted(unit.ids) == sorted(EXPECTED_IDS)
    assert set(KINDS) == {e.kind for e in unit}


def test_indicator_texts_pinned(unit: Standard) -> None:
    assert {e.id: e.text["zh-TW"] for e in unit.of_kind("indicator")} == INDICATORS_ZH


def test_examples_from_the_brief(unit: Standard) -> None:
    assert unit.get("T1").label("zh-TW") == "開發並應用招募和員工留用策略"
    assert unit.get("K1").label("zh-TW") == "員工和勞資關係準則"
    assert (
        unit.get("N1").label("zh-TW")
        == "工作規範：如所需經驗、所需資格、所需技能和知識、特殊要求、個別員工責任的規範等。"
    )
    assert unit.get("T1").label("en") == "Develop and apply recruitment and staff-retention strategies"
    assert unit.get("P1.1").label("en-GB") == unit.get("P1.1").text["en"]


def test_every_indicator_has_a_task_parent(unit: Standard) -> None:
    for p in unit.of_kind("indicator"):
        assert p.parent is not None
        assert unit.get(p.parent).kind == "task"
        assert p.parent == "T" + p.id[1:].split(".")[0]
    for e in unit:
        if e.kind != "indicator":
            assert e.parent is None
    assert [p.id for p in unit.indicators_of("T2")] == ["P2.1", "P2.2", "P2.3", "P2.4"]
    assert sum(len(unit.indicators_of(task.id)) for task in unit.of_kind("task")) == 15


def test_refs_cite_the_notes_in_the_text(unit: Standard) -> None:
    expected = {"P1.1": ("N1", "N2"), "P1.2": ("N3", "N4"), "P3.1": ("N5",), "P4.3": ("N6",), "P5.1": ("N7",)}
    assert {e.id: e.refs for e in unit if e.refs} == expected
    for e in unit.of_kind("indicator"):
        cited = tuple(f"N{n}" for n in re.findall(r"【註(\d+)】", e.text["zh-TW"]))
        assert e.refs == cited
        for ref in e.refs:
            assert unit.get(ref).kind == "note"


def test_every_element_has_both_languages(unit: Standard) -> None:
    for e in unit:
        assert set(e.text) == set(LANGS)
        for lang in LANGS:
            assert e.text[lang].strip(), (e.id, lang)
            assert "<" not in e.text[lang], (e.id, lang)


def _source_segments(raw: str) -> set[str]:
    """The published page as text segments: markup and list numbering removed."""
    text = re.sub(r"</?u>", "", raw)  # inline emphasis: keep its text in place
    text = re.sub(r"<[^>]+>", "\n", text)  # block markup separates segments
    segments: set[str] = set()
    for line in re.split(r"[\n\t]", text):
        for part in re.split(r"(?:^|\s)\d+\.\s", line):  # "1. … 2. …" list items
            part = re.sub(r"^[一二三四五六七八九十]+、", "", part.strip())  # "一、" headings
            if part:
                segments.add(part)
    return segments


@pytest.mark.skipif(not SOURCE.exists(), reason="published source text not available")
def test_texts_verbatim_in_published_source(unit: Standard) -> None:
    raw = SOURCE.read_text(encoding="utf-8")
    segments = _source_segments(raw)
    stripped = re.sub(r"<[^>]+>", "", raw)
    for e in unit:
        zh = e.text["zh-TW"]
        if e.kind == "note":
            wanted = f"【註{e.id[1:]}】{zh}"
            assert wanted in segments, e.id
        else:
            assert zh in segments, e.id
        assert zh in stripped, e.id
    assert unit.code in segments
    assert unit.title["zh-TW"] in segments
    assert unit.domain["zh-TW"] in segments


# --- API ---------------------------------------------------------------------------------------------------


def test_get_unknown_id_raises_not_found(unit: Standard) -> None:
    with pytest.raises(NotFoundError) as info:
        unit.get("P9.9")
    assert "P9.9" in str(info.value)
    clone = pickle.loads(pickle.dumps(info.value))
    assert type(clone) is NotFoundError
    assert str(clone) == str(info.value)


def test_of_kind_and_indicators_of_reject_bad_input(unit: Standard) -> None:
    with pytest.raises(UsageError):
        unit.of_kind("tasks")
    with pytest.raises(UsageError):
        unit.indicators_of("K1")
    with pytest.raises(NotFoundError):
        unit.indicators_of("T9")


def test_load_is_cached_and_frozen(unit: Standard) -> None:
    assert load_standard() is unit
    element = unit.get("T1")
    assert isinstance(element, Element)
    with pytest.raises(AttributeError):
        element.id = "T9"  # type: ignore[misc]
    assert "P1.1" in unit
    assert "X1" not in unit
    assert pickle.loads(pickle.dumps(unit)) == unit


@pytest.mark.parametrize("lang", LANGS)
def test_render_tree_contains_every_id(unit: Standard, lang: str) -> None:
    tree = render_tree(unit, lang)
    for element_id in unit.ids:
        assert re.search(rf"^ +{re.escape(element_id)} ", tree, re.M), element_id
    assert "BGM4R0172v2" in tree
    assert unit.title[lang] in tree
    assert f"    P1.1 {unit.get('P1.1').text[lang]}" in tree
    headings = [
        "heading_tasks",
        "heading_knowledge",
        "heading_skills",
        "heading_evidence",
        "heading_context",
        "heading_methods",
        "heading_notes",
    ]
    positions = [tree.index(catalog(lang)[f"standard.{key}"] + "\n") for key in headings]
    assert positions == sorted(positions)


def test_render_tree_headings_by_language(unit: Standard) -> None:
    assert "工作任務與行為指標" in render_tree(unit, "zh-TW")
    assert "\n知識\n" in render_tree(unit, "zh-TW")
    assert "Work tasks and performance indicators" in render_tree(unit, "en")
    assert "\nKnowledge\n" in render_tree(unit, "en")


def test_to_json(unit: Standard) -> None:
    data = to_json(unit)
    json.loads(json.dumps(data, ensure_ascii=False))
    assert data["code"] == "BGM4R0172v2"
    assert data["title"] == {
        "zh-TW": "管理客戶服務部門員工",
        "en": "Manage customer service department staff",
    }
    assert data["level"] == 4
    assert len(data["elements"]) == 53
    for obj in data["elements"]:
        assert set(obj) == {"id", "kind", "parent", "refs", "text"}
        assert set(obj["text"]) == {"zh-TW", "en"}
    assert [obj["id"] for obj in data["elements"]] == list(unit.ids)
    p11 = next(obj for obj in data["elements"] if obj["id"] == "P1.1")
    assert p11["parent"] == "T1"
    assert p11["refs"] == ["N1", "N2"]
    assert [task["id"] for task in data["tasks"]] == ["T1", "T2", "T3", "T4", "T5"]
    assert data["tasks"][0]["indicators"] == ["P1.1", "P1.2"]
    assert sum(len(task["indicators"]) for task in data["tasks"]) == 15


# --- validation --------------------------------------------------------------------------------------------


def test_packaged_yaml_parses_cleanly() -> None:
    assert _parse_standard(packaged_yaml(), "x.yaml") == load_standard()


def test_broken_copy_reports_every_problem_at_once(tmp_path: Path) -> None:
    text = packaged_yaml()
    broken = (
        text.replace("- id: K2\n", "- id: K1\n", 1)  # duplicate id
        .replace("kind: skill\n", "kind: skil\n", 1)  # unknown kind
        .replace("parent: T5\n", "parent: T9\n", 1)  # indicator with a missing parent
        .replace("refs: [N6]", "refs: [N66]", 1)  # reference to nothing
        .replace("    en: EEO guidelines\n", "", 1)  # a language missing
    )
    path = tmp_path / "broken.yaml"
    path.write_text(broken, encoding="utf-8")

    with pytest.raises(StandardDataError) as info:
        _parse_standard(path.read_text(encoding="utf-8"), str(path))
    problems = info.value.problems
    assert all(p.file == str(path) for p in problems)
    found = {(p.expected, p.field) for p in problems}
    index = position_of()
    assert ("expect.unique_id", f"elements[{index['K2']}].id") in found
    assert ("expect.element_kind", f"elements[{index['S1']}].kind") in found
    assert ("expect.element_parent_task", f"elements[{index['P5.1']}].parent") in found
    assert ("expect.element_ref", f"elements[{index['P4.3']}].refs[0]") in found
    assert ("expect.text", f"elements[{index['K2']}].en") in found
    assert ("expect.element_count", "elements") in found  # one skill fewer

    for lang in LANGS:
        rendered = info.value.render(lang)
        assert rendered.count(str(path)) == len(problems)
        assert f"elements[{index['P5.1']}].parent" in rendered
        assert "expect." not in rendered  # every expectation is catalogued
    for p in problems:
        assert p.expected in catalog("en")
        assert p.expected in catalog("zh-TW")

    clone = pickle.loads(pickle.dumps(info.value))
    assert clone.problems == problems


@pytest.mark.parametrize(
    ("text", "expected", "field"),
    [
        ("elements: [\n", "expect.yaml", ""),
        ("- just a list\n", "expect.mapping", ""),
    ],
)
def test_unreadable_documents(text: str, expected: str, field: str) -> None:
    with pytest.raises(StandardDataError) as info:
        _parse_standard(text, "bad.yaml")
    [problem] = info.value.problems
    assert (problem.file, problem.field, problem.expected) == ("bad.yaml", field, expected)


def test_header_and_structure_problems() -> None:
    text = packaged_yaml().replace("schema_version: 1", "schema_version: 2").replace("level: 4", "level: four")
    text = text.replace("  en: Manage customer service department staff\n", "")
    text = text.replace("- id: T2\n    kind: task\n", "- id: T2\n    kind: task\n    parent: T1\n    zh_TW: x\n")
    text = text.replace("- id: K3\n", "- id: P3\n", 1)
    with pytest.raises(StandardDataError) as info:
        _parse_standard(text, "unit.yaml")
    index = position_of()
    found = {(p.expected, p.field) for p in info.value.problems}
    assert found >= {
        ("expect.schema_version", "schema_version"),
        ("expect.positive_int", "level"),
        ("expect.text", "title.en"),
        ("expect.element_no_parent", f"elements[{index['T2']}].parent"),
        ("expect.known_keys", f"elements[{index['T2']}].zh_TW"),
        ("expect.element_id_format", f"elements[{index['K3']}].id"),
    }


def test_indicator_parent_must_match_its_number() -> None:
    text = packaged_yaml().replace("parent: T2\n", "parent: T3\n", 1)
    with pytest.raises(StandardDataError) as info:
        _parse_standard(text, "unit.yaml")
    [problem] = info.value.problems
    assert problem.expected == "expect.element_parent_matches"
    assert problem.params == {"parent": "T2"}


# --- catalogs ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("domain", ["standard", "expect"])
def test_catalogs_complete_and_sorted(domain: str) -> None:
    files = {lang: json.loads((LOCALES / lang / f"{domain}.json").read_text(encoding="utf-8")) for lang in LANGS}
    keys = [list(data) for data in files.values()]
    assert all(k == sorted(k) for k in keys)
    assert all(set(k) == set(keys[0]) for k in keys)
    for data in files.values():
        assert all(isinstance(v, str) and v.strip() for v in data.values())
