"""The roster: reading candidates files (CSV and plain text, every problem at once), the draw (deterministic, order
independent, distinct seeds, reproducible from the documented rule), the roster document (round trip, strict
loading), :meth:`Roster.check` against answer headers (the peer-copy case), and ``casekit assign``."""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_casekit, run_casekit_many, run_python

from casekit.assessment import roster as roster_module
from casekit.assessment.plan import Plan, load_plan, parse_plan
from casekit.assessment.roster import (
    Assignment,
    CandidateRow,
    Roster,
    assign,
    dumps_roster,
    load_roster,
    read_candidates,
    save_roster,
    shipped_orgs,
)
from casekit.cases.t4_incentives.kind import KIND as T4
from casekit.errors import RosterError, UsageError
from casekit.i18n import catalog, set_lang
from casekit.limits import MAX_SEED
from casekit.registry import CaseRegistry

PLUGINS = Path(__file__).parent / "plugins"
ORGS = ("bank-cards", "ecommerce-cs", "telecom-support")


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan()


@pytest.fixture
def two_kinds(monkeypatch: pytest.MonkeyPatch) -> Iterator[Plan]:
    """A plan of two components (T4 and the toy plug-in's kind), so seeds per component can be told apart."""
    monkeypatch.syspath_prepend(str(PLUGINS))
    import casekit_toy

    kinds = CaseRegistry()
    kinds.register(T4)
    kinds.register(casekit_toy.KIND)
    text = (
        "schema_version: 1\nid: two-kinds\nunit: BGM4R0172v2\ntitle: {zh-TW: 兩個個案, en: Two cases}\n"
        "components:\n  - {id: T4, kind: T4, method: M2}\n  - {id: toy-1, kind: TOY, method: M2}\n"
        "coverage: {indicators: components, evidence: components, methods: [M2]}\n"
    )
    yield parse_plan(text, PLUGINS / "two-kinds.yaml", kinds=kinds)


def _write(path: Path, text: str, *, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def _fields(exc: pytest.ExceptionInfo[RosterError]) -> list[tuple[str, str]]:
    return [(p.field, p.expected) for p in exc.value.problems]


def _cohort(n: int) -> list[CandidateRow]:
    return [CandidateRow(f"C{i:04d}") for i in range(n)]


def _h(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


# --- the candidates file ----------------------------------------------------------------------------------------


def test_csv_form_with_bom_crlf_comments_quotes_and_a_forced_org(tmp_path: Path) -> None:
    text = (
        "# cohort 2026-spring\r\n"
        "candidate_id,name,org\r\n"
        "A001,王小明,\r\n"
        "\r\n"
        'A002,"Lee, Mei",telecom-support\r\n'
        "# withdrawn: A003\r\n"
        "  A004 , Chen ,  \r\n"
    )
    rows = read_candidates(_write(tmp_path / "c.csv", text, bom=True))
    assert rows == (
        CandidateRow("A001", "王小明"),
        CandidateRow("A002", "Lee, Mei", "telecom-support"),
        CandidateRow("A004", "Chen"),
    )


def test_csv_form_columns_in_any_order_and_id_alone(tmp_path: Path) -> None:
    rows = read_candidates(_write(tmp_path / "c.csv", "name,candidate_id\nAda,X1\nBo,X2\n"))
    assert rows == (CandidateRow("X1", "Ada"), CandidateRow("X2", "Bo"))
    assert read_candidates(_write(tmp_path / "d.csv", "candidate_id\nX1\nX2\n")) == (
        CandidateRow("X1"),
        CandidateRow("X2"),
    )


def test_plain_text_form(tmp_path: Path) -> None:
    text = "# one id a line\nA001\n\n  A002  \n# A003 left\nb.3_x-9\n"
    rows = read_candidates(_write(tmp_path / "ids.txt", text, bom=True))
    assert [r.candidate_id for r in rows] == ["A001", "A002", "b.3_x-9"]
    assert all(r.name == "" and r.org == "" for r in rows)


def test_csv_every_problem_at_once_with_lines_and_fields(tmp_path: Path) -> None:
    text = (
        "candidate_id,name,org\n"  # line 1
        "A001,Ann,\n"  # 2
        "../etc,Bad,\n"  # 3: not an id
        "A001,Ann again,\n"  # 4: duplicate of line 2
        "a001,Lower,\n"  # 5: the same id, letter case aside
        "A005,Eve,mars-base\n"  # 6: unknown organisation
        "A006,Tab\x1b[31m,\n"  # 7: a control character in the name
        "A007,Too,many,fields\n"  # 8
        ",Nobody,\n"  # 9: no id
    )
    path = _write(tmp_path / "c.csv", text)
    with pytest.raises(RosterError) as info:
        read_candidates(path)
    assert _fields(info) == [
        ("line 3, candidate_id", "expect.safe_id"),
        ("line 4, candidate_id", "roster.expect_unique_candidate"),
        ("line 5, candidate_id", "roster.expect_unique_candidate"),
        ("line 6, org", "roster.expect_org"),
        ("line 7, name", "roster.expect_name"),
        ("line 8", "roster.expect_row_width"),
        ("line 9, candidate_id", "expect.present"),
    ]
    text_en = info.value.render("en")
    assert text_en.count(str(path)) == 7
    assert "line 4, candidate_id: a candidate id given once (it is already at line 2" in text_en  # both lines named
    assert "(got 'a001')" in text_en
    assert "mars-base" in text_en and "bank-cards" in text_en  # what came and what was expected
    assert "line 8: 3 fields, as many as the header row has (got 4)" in text_en
    assert "line 4" in info.value.render("zh-TW") and "已在 line 2" in info.value.render("zh-TW")


def test_plain_text_problems_with_line_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path / "ids.txt", "A1\n# note\nA 2\nA1\n\nx/../y\n")
    with pytest.raises(RosterError) as info:
        read_candidates(path)
    assert _fields(info) == [
        ("line 3", "expect.safe_id"),
        ("line 4", "roster.expect_unique_candidate"),
        ("line 6", "expect.safe_id"),
    ]
    assert info.value.problems[1].params == {"first": "line 1"}


def test_a_bad_header_is_refused_with_every_problem(tmp_path: Path) -> None:
    path = _write(tmp_path / "c.csv", "# header next\nid,name,name,email\nA1,a,b,c\n")
    with pytest.raises(RosterError) as info:
        read_candidates(path)
    assert _fields(info) == [
        ("line 2", "expect.known_field"),
        ("line 2", "expect.known_field"),
        ("line 2", "roster.expect_unique_column"),
        ("line 2", "roster.expect_id_column"),
    ]
    assert "candidate_id, name, org" in info.value.render("en")


@pytest.mark.parametrize("text", ["", "\ufeff", "# nobody yet\n\n", "candidate_id,name\n", "candidate_id\n# none\n"])
def test_no_candidates_is_a_problem(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path / "c.txt", text)
    with pytest.raises(RosterError) as info:
        read_candidates(path)
    assert _fields(info) == [("", "roster.expect_candidates")]
    assert str(path) in info.value.render("en")


def test_unreadable_candidates_files(tmp_path: Path) -> None:
    with pytest.raises(RosterError) as info:
        read_candidates(tmp_path / "missing.csv")
    assert _fields(info) == [("", "expect.file_exists")]
    (tmp_path / "latin1.txt").write_bytes(b"A\xe9\n")
    with pytest.raises(RosterError, match="UTF-8"):
        read_candidates(tmp_path / "latin1.txt")


def test_the_orgs_a_file_may_name_can_be_narrowed(tmp_path: Path) -> None:
    path = _write(tmp_path / "c.csv", "candidate_id,org\nA1,bank-cards\n")
    assert read_candidates(path)[0].org == "bank-cards"
    with pytest.raises(RosterError) as info:
        read_candidates(path, orgs=["ecommerce-cs"])
    assert _fields(info) == [("line 2, org", "roster.expect_org")]


# --- the draw ---------------------------------------------------------------------------------------------------


def test_the_draw_follows_the_documented_rule(plan: Plan) -> None:
    # what an assessor can recompute with any SHA-256 tool (the module docstring)
    roster = assign(plan, [CandidateRow("A001")], cohort_seed=42)
    (entry,) = roster.entries
    assert roster.orgs == shipped_orgs() == ORGS
    assert entry.org == ORGS[_h("casekit-roster/1/org:42:A001") % 3]
    for given in entry.components:  # one seed per component of the plan, each drawn by its own id
        assert given.seed == _h(f"casekit-roster/1:42:A001:{given.component}") % (MAX_SEED + 1)
    assert [(c.component, c.case) for c in entry.components] == [(c.id, c.kind) for c in plan.components]
    assert (roster.plan_id, roster.plan_sha256) == (plan.id, plan.sha256)


def test_the_same_seed_gives_the_same_bytes_in_any_order(two_kinds: Plan) -> None:
    rows = _cohort(60)
    shuffled = rows[:]
    random.Random(3).shuffle(shuffled)
    first = dumps_roster(assign(two_kinds, rows, cohort_seed=2026))
    assert dumps_roster(assign(two_kinds, rows, cohort_seed=2026)) == first
    assert dumps_roster(assign(two_kinds, shuffled, cohort_seed=2026)) == first
    assert [e.candidate_id for e in assign(two_kinds, shuffled, cohort_seed=2026).entries] == sorted(
        r.candidate_id for r in rows
    )


def test_a_candidate_keeps_their_world_when_others_join(two_kinds: Plan) -> None:
    small = {e.candidate_id: e for e in assign(two_kinds, _cohort(10), cohort_seed=5).entries}
    large = {e.candidate_id: e for e in assign(two_kinds, _cohort(50), cohort_seed=5).entries}
    assert all(large[cid] == entry for cid, entry in small.items())


def test_another_cohort_seed_gives_other_seeds(two_kinds: Plan) -> None:
    a = assign(two_kinds, _cohort(40), cohort_seed=1)
    b = assign(two_kinds, _cohort(40), cohort_seed=2)
    seeds_a = {c.seed for e in a.entries for c in e.components}
    seeds_b = {c.seed for e in b.entries for c in e.components}
    assert not seeds_a & seeds_b
    assert [e.org for e in a.entries] != [e.org for e in b.entries]


def test_every_seed_of_a_cohort_of_200_differs_and_orgs_are_spread(two_kinds: Plan) -> None:
    roster = assign(two_kinds, _cohort(200), cohort_seed=9)
    seeds = [c.seed for e in roster.entries for c in e.components]
    assert len(seeds) == 400 and len(set(seeds)) == 400
    assert all(0 <= s <= MAX_SEED for s in seeds)
    assert [c.component for c in roster.entries[0].components] == ["T4", "toy-1"]
    counts = Counter(e.org for e in roster.entries)
    assert set(counts) == set(ORGS) and min(counts.values()) >= 40  # neighbours mostly get different worlds


def test_collisions_are_redrawn_the_same_way_in_any_order(two_kinds: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    # with a seed space of 1,000, 400 draws collide many times: each is redrawn with ":1", ":2", ...
    monkeypatch.setattr(roster_module, "MAX_SEED", 999)
    rows = _cohort(200)
    roster = assign(two_kinds, rows, cohort_seed=9)
    seeds = [c.seed for e in roster.entries for c in e.components]
    assert len(set(seeds)) == 400 and max(seeds) <= 999
    plain = [
        _h(f"casekit-roster/1:9:{e.candidate_id}:{c.component}") % 1000 for e in roster.entries for c in e.components
    ]
    assert plain != seeds  # some were redrawn
    assert dumps_roster(assign(two_kinds, list(reversed(rows)), cohort_seed=9)) == dumps_roster(roster)


def test_orgs_from_a_narrowed_pool_or_the_candidates_own(plan: Plan) -> None:
    rows = [*_cohort(30), CandidateRow("Z1", org="telecom-support")]
    roster = assign(plan, rows, cohort_seed=4, orgs=["bank-cards", "bank-cards"])
    assert roster.orgs == ("bank-cards",)
    assert {e.candidate_id: e.org for e in roster.entries} == {
        **{r.candidate_id: "bank-cards" for r in rows},
        "Z1": "telecom-support",
    }


@pytest.mark.parametrize(
    ("kwargs", "rows", "key"),
    [
        ({"cohort_seed": -1}, [CandidateRow("A")], "roster.bad_seed"),
        ({"cohort_seed": True}, [CandidateRow("A")], "roster.bad_seed"),
        ({"cohort_seed": 1, "orgs": ["mars-base"]}, [CandidateRow("A")], "roster.unknown_orgs"),
        ({"cohort_seed": 1, "orgs": []}, [CandidateRow("A")], "roster.unknown_orgs"),
        ({"cohort_seed": 1}, [CandidateRow("A", org="mars-base")], "roster.unknown_orgs"),
    ],
)
def test_bad_arguments_to_assign(plan: Plan, kwargs: dict[str, Any], rows: list[CandidateRow], key: str) -> None:
    set_lang("en")  # a UsageError is told in the language in force when it is raised
    with pytest.raises(UsageError) as info:
        assign(plan, rows, **kwargs)
    assert catalog("en")[key].split("{")[0] in str(info.value)


def test_candidates_assign_cannot_hold_are_refused(plan: Plan) -> None:
    # rows built in code, not read from a file: the roster is checked as a loaded one is
    with pytest.raises(RosterError) as info:
        assign(plan, [CandidateRow("A1"), CandidateRow("a1"), CandidateRow("B", "bell\x07")], cohort_seed=1)
    assert _fields(info) == [
        ("entries[1].name", "roster.expect_name"),
        ("entries[2].candidate_id", "roster.expect_unique_candidate"),
    ]
    with pytest.raises(RosterError) as info:
        assign(plan, [CandidateRow("../x")], cohort_seed=1)
    assert _fields(info) == [("entries[0].candidate_id", "expect.safe_id")]
    with pytest.raises(RosterError) as info:
        assign(plan, [], cohort_seed=1)
    assert _fields(info) == [("entries", "expect.too_short")]


def test_a_plan_grading_one_kind_twice_is_refused(tmp_path: Path) -> None:
    text = (
        "schema_version: 1\nid: twice\nunit: BGM4R0172v2\ntitle: {zh-TW: 兩次, en: Twice}\n"
        "components:\n  - {id: a, kind: T4, method: M2}\n  - {id: b, kind: T4, method: M2}\n"
    )
    twice = parse_plan(text, tmp_path / "twice.yaml")
    with pytest.raises(UsageError, match="T4"):
        assign(twice, [CandidateRow("A")], cohort_seed=1)


# --- the roster document ----------------------------------------------------------------------------------------


def test_round_trip(two_kinds: Plan, tmp_path: Path) -> None:
    rows = [CandidateRow("A1", "王小明"), CandidateRow("B2", org="ecommerce-cs"), *_cohort(5)]
    roster = assign(two_kinds, rows, cohort_seed=11)
    path = save_roster(roster, tmp_path / "roster.json")
    assert path.read_text(encoding="utf-8") == dumps_roster(roster)
    loaded = load_roster(path)
    assert loaded == roster
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert (doc["schema"], doc["schema_version"], doc["cohort_seed"]) == ("casekit-roster", 1, 11)
    assert doc["plan_sha256"] == two_kinds.sha256 and doc["orgs"] == list(ORGS)


def _doc(plan: Plan) -> dict[str, Any]:
    return assign(plan, _cohort(3), cohort_seed=1).to_json()


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        (lambda d: d.update(schema="casekit-answer"), [("schema", "roster.expect_schema")]),
        (lambda d: d.update(schema_version=2), [("schema_version", "expect.schema_version")]),
        (lambda d: d.update(extra=1), [("extra", "expect.known_field")]),
        (lambda d: d.pop("cohort_seed"), [("cohort_seed", "expect.present")]),
        (lambda d: d["entries"][1].update(org="../bank-cards"), [("entries[1].org", "expect.org_name")]),
        (
            lambda d: d["entries"][2]["components"][0].update(seed="12"),
            [("entries[2].components[0].seed", "expect.int")],
        ),
        (
            lambda d: d["entries"][0]["components"][0].update(seed=2**63),
            [("entries[0].components[0].seed", "expect.le")],
        ),
        (lambda d: d["entries"][0].update(candidate_id="A/../B"), [("entries[0].candidate_id", "expect.safe_id")]),
        (lambda d: d.update(plan_sha256="xyz"), [("plan_sha256", "expect.pattern")]),
        (lambda d: d.update(entries=[]), [("entries", "expect.too_short")]),
        (
            lambda d: d["entries"][2].update(candidate_id=d["entries"][0]["candidate_id"].lower()),
            [("entries[2].candidate_id", "roster.expect_unique_candidate")],
        ),
        (
            lambda d: d["entries"][1]["components"][0].update(seed=d["entries"][0]["components"][0]["seed"]),
            [("entries[1].components[0].seed", "roster.expect_unique_seed")],
        ),
        (
            lambda d: d["entries"][1]["components"][0].update(case="T9"),
            [("entries[1].components", "roster.expect_components")],
        ),
    ],
)
def test_a_malformed_roster_names_the_field(
    plan: Plan, tmp_path: Path, change: Any, fields: list[tuple[str, str]]
) -> None:
    doc = _doc(plan)
    change(doc)
    path = tmp_path / "roster.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(RosterError) as info:
        load_roster(path)
    assert _fields(info) == fields
    assert str(path) in info.value.render("en")


def test_a_roster_with_every_problem_at_once(plan: Plan, tmp_path: Path) -> None:
    doc = _doc(plan)
    doc["entries"][0]["org"] = "Bank Cards"
    doc["entries"][1]["name"] = 7
    doc["cohort_seed"] = -3
    path = tmp_path / "roster.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(RosterError) as info:
        load_roster(path)
    assert {f for f, _ in _fields(info)} == {"cohort_seed", "entries[0].org", "entries[1].name"}


@pytest.mark.parametrize("content", [b"", b"{", b'{"schema": 1, "schema": 2}', b"[]", b"\xff\xfe"])
def test_a_roster_that_is_not_a_json_object(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "roster.json"
    path.write_bytes(content)
    with pytest.raises(RosterError) as info:
        load_roster(path)
    assert str(path) in info.value.render("en")


# --- checking answer headers ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cohort(plan: Plan) -> Roster:
    return assign(plan, [CandidateRow("A001", "Ann"), CandidateRow("B002", "Bo"), *_cohort(20)], cohort_seed=77)


def _header(roster: Roster, cid: str) -> tuple[str, str, str, int]:
    given = roster.assignment(cid, "T4")
    assert given is not None
    return given.candidate_id, given.case, given.org, given.seed


def test_check_accepts_the_assigned_header(cohort: Roster) -> None:
    for entry in cohort.entries:
        assert cohort.check(*_header(cohort, entry.candidate_id)) is None


def test_assignment(cohort: Roster) -> None:
    entry = cohort.entry("A001")
    assert entry is not None
    assert cohort.assignment("A001", "T4") == Assignment(
        "A001", "T4", "T4", entry.org, next(c.seed for c in entry.components if c.component == "T4")
    )
    assert cohort.assignment("A001", "T9") is None
    assert cohort.assignment("nobody", "T4") is None


def test_check_refuses_a_peers_copied_header(cohort: Roster) -> None:
    # B takes A's answer and puts their own id on it: the world named (org, seed) is A's, never B's
    org_of = {e.candidate_id: e.org for e in cohort.entries}
    pairs = [(a, b) for a in org_of for b in org_of if a != b]
    same_org = next((a, b) for a, b in pairs if org_of[a] == org_of[b])
    other_org = next((a, b) for a, b in pairs if org_of[a] != org_of[b])
    for (a, b), key in ((same_org, "roster.reason_seed"), (other_org, "roster.reason_org")):
        _, case, org, seed = _header(cohort, a)
        assert cohort.check(a, case, org, seed) is None
        reason = cohort.check(b, case, org, seed)
        assert reason is not None and reason.key == key
        theirs = cohort.assignment(b, case)
        assert theirs is not None
        assert str(theirs.seed if key == "roster.reason_seed" else theirs.org) in reason.render("en")


def test_check_tells_each_mismatch(cohort: Roster) -> None:
    cid, case, org, seed = _header(cohort, "A001")
    other_org = next(o for o in ORGS if o != org)
    unknown = cohort.check("Z999", case, org, seed)
    assert unknown is not None and unknown.key == "roster.reason_unknown_candidate"
    assert "Z999" in unknown.render("en") and "Z999" in unknown.render("zh-TW")
    wrong_case = cohort.check(cid, "TOY", org, seed)
    assert wrong_case is not None and wrong_case.key == "roster.reason_case"
    assert "TOY" in wrong_case.render("en") and "T4" in wrong_case.render("en")
    wrong_org = cohort.check(cid, case, other_org, seed)
    assert wrong_org is not None and wrong_org.key == "roster.reason_org"
    assert dict(wrong_org.params) == {"candidate": cid, "case": case, "expected": org, "got": other_org}
    assert f"{other_org}" in wrong_org.render("zh-TW") and org in wrong_org.render("zh-TW")
    wrong_seed = cohort.check(cid, case, org, seed + 1)
    assert wrong_seed is not None and wrong_seed.key == "roster.reason_seed"
    assert str(seed) in wrong_seed.render("en") and str(seed + 1) in wrong_seed.render("en")
    both = cohort.check(cid, case, other_org, seed + 1)
    assert both is not None and both.key == "roster.reason_org"  # the organisation is told first
    assert cohort.check(cid.lower(), case, org, seed) is not None  # ids are matched exactly


# --- the module stays pure --------------------------------------------------------------------------------------


def test_the_roster_module_loads_no_front_end_storage_or_execution() -> None:
    code = (
        "import sys, casekit.assessment.roster\n"
        "bad = ('ipywidgets', 'IPython', 'papermill', 'nbclient', 'casekit.store', 'casekit.cli', "
        "'casekit.execution', 'casekit.portfolio', 'casekit.cohort', 'casekit.widgets')\n"
        "print(','.join(m for m in bad if m in sys.modules))"
    )
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


# --- casekit assign ---------------------------------------------------------------------------------------------


def test_casekit_assign(tmp_path: Path) -> None:
    candidates = _write(tmp_path / "c.csv", "candidate_id,name\nA001,王小明\nB002,Bo\n")
    bad = _write(tmp_path / "bad.csv", "candidate_id,name\nA001,x\n../y,z\nA001,w\n")
    out = tmp_path / "roster.json"
    runs = run_casekit_many(
        [
            ["assign", "default", "--candidates", str(candidates), "--out", str(out), "--seed", "7", "--lang", "en"],
            ["assign", "t4-only", "--candidates", str(candidates), "--out", str(tmp_path / "r2.json"), "--seed", "7"],
            ["assign", "default", "--candidates", str(bad), "--out", str(tmp_path / "r3.json"), "--seed", "7"],
            [
                "assign",
                str(tmp_path / "no-plan.yaml"),
                "--candidates",
                str(candidates),
                "--out",
                str(tmp_path / "r4.json"),
                "--seed",
                "7",
            ],
            ["assign", "default", "--candidates", str(candidates), "--out", str(tmp_path / "r5.json")],
            [
                "assign",
                "default",
                "--candidates",
                str(candidates),
                "--out",
                str(tmp_path / "r6.json"),
                "--seed",
                "1",
                "--org",
                "mars-base",
            ],
        ]
    )
    ok, named, bad_file, no_plan, no_seed, bad_org = runs
    assert ok.returncode == 0, ok.stderr
    roster = load_roster(out)
    assert roster.cohort_seed == 7 and [e.candidate_id for e in roster.entries] == ["A001", "B002"]
    for entry in roster.entries:
        assert entry.candidate_id in ok.stdout and entry.org in ok.stdout and str(entry.components[0].seed) in ok.stdout
    assert "王小明" in ok.stdout and str(out.resolve()) in ok.stdout
    assert named.returncode == 0, named.stderr
    assert load_roster(tmp_path / "r2.json").plan_id == "T4-only"
    assert bad_file.returncode == 2 and "Traceback" not in bad_file.stderr
    assert len(bad_file.stderr.strip().splitlines()) == 2  # one line per problem
    assert "line 3" in bad_file.stderr and "line 4" in bad_file.stderr and str(bad) in bad_file.stderr
    assert not (tmp_path / "r3.json").exists()
    assert no_plan.returncode == 2 and "Traceback" not in no_plan.stderr and "no-plan.yaml" in no_plan.stderr
    assert no_seed.returncode == 2 and "--seed" in no_seed.stderr
    assert bad_org.returncode == 2 and "mars-base" in bad_org.stderr and "Traceback" not in bad_org.stderr


def test_casekit_assign_does_not_silently_replace_a_roster(tmp_path: Path) -> None:
    candidates = _write(tmp_path / "ids.txt", "A001\nB002\n")
    out = tmp_path / "roster.json"
    args = ["assign", "default", "--candidates", str(candidates), "--out", str(out), "--lang", "en"]
    assert run_casekit(*args, "--seed", "1").returncode == 0
    first = out.read_bytes()
    assert run_casekit(*args, "--seed", "1").returncode == 0  # the same roster again: nothing changes
    refused = run_casekit(*args, "--seed", "2")
    assert refused.returncode == 2 and "--replace" in refused.stderr and "Traceback" not in refused.stderr
    assert out.read_bytes() == first
    assert run_casekit(*args, "--seed", "2", "--replace").returncode == 0
    assert load_roster(out).cohort_seed == 2


def test_casekit_assign_help_in_both_languages() -> None:
    en = run_casekit("assign", "--help", "--lang", "en")
    zh = run_casekit("assign", "--help")
    assert en.returncode == zh.returncode == 0
    assert "--candidates" in en.stdout and "cohort seed" in en.stdout
    assert "梯次種子" in zh.stdout
    assert "assign" in run_casekit("--help", cwd=ROOT).stdout
