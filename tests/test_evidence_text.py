"""Evidence in plain language on the evidence pages (issue 9, points 12 and 13): each criterion's evidence reads as
the kind says (T4: ``casekit.cases.t4_incentives.evidence_text``) or as a generic ``label: value`` list, never as
raw data; money through the one formatter (NT$1,234 / 1,234 元), never ``-0``; the audit section shows the rows
with a discrepancy or a signal first."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from casekit.answers import dumps_answer
from casekit.cases.t4_incentives import evidence as t4_evidence
from casekit.cases.t4_incentives.evidence import findings_html, payouts_html, review_html, scheme_html
from casekit.cases.t4_incentives.evidence_text import EVIDENCE_KEYS, evidence_text
from casekit.cases.t4_incentives.kind import KIND
from casekit.cases.t4_incentives.profiles import build_case
from casekit.grading import GradedCase, criteria_html, grade_submission
from casekit.grading.sections import plain_evidence
from casekit.html import plain_list
from casekit.i18n import LANGS, t
from casekit.kpi import KPI_COLUMNS, format_count, format_kpi, format_money, format_number, format_share

FIXTURES = Path(__file__).parent / "fixtures" / "answers_t4_v1"

#: Ids of casekit's own that a person must never read in the evidence (the candidate's component ids may appear).
IDS = (
    "aht_s",
    "contacts_per_hour",
    "senior_agent",
    "team_leader",
    "time_off",
    "non_cash",
    "calculation_error",
    "ineligible_payment",
    "over_cap",
    "gender_gap",
    "wrong_people",
    "no_such_kind",
    "projected_cost_per_period",
    "budget_per_period",
    "simulated_cost_total",
    "simulated_kpi_change",
    "audit_budget_variance",
    "components_without_quality",
    "components_not_binding",
    "binding_share",
    "median_paid",
    "min_ratio",
    "share_of_payroll",
    "kpis_missing",
    "kpis_wrong",
    "recomputed_",
)
RAW = ("[", "]", "{", "}", "=", "'", '"', "True", "False", "None", "t4evidence.", "t4audit.", "kpi.", "evidence.")


def visible(fragment: str) -> str:
    """The text a person reads in an HTML fragment."""
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def evidence_cells(page: str) -> dict[str, str]:
    """Criterion id -> the evidence cell (HTML) of a criteria table."""
    cells = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)[1:]:
        tds = re.findall(r"<td>(.*?)</td>", row, re.S)
        cells[visible(tds[0]).strip()] = tds[7]
    return cells


def negative_zeros(text: str) -> list[str]:
    """Every negative number in ``text`` whose digits are all 0 (``-0``, ``-0.0``, ``-NT$0``)."""
    return [m for m in re.findall(r"-(?:NT\$)?[\d.,]+", text) if not re.search(r"[1-9]", m)]


def assert_plain(text: str) -> None:
    raw = [s for s in (*RAW, *IDS) if s in text]
    assert not raw, (raw, text)
    assert not negative_zeros(text), text


def _graded(tmp: Path, profile: str, org: str, seed: int) -> GradedCase:
    case = build_case(profile, org, seed, f"cand-{profile}", "en")
    path = tmp / f"{profile}.json"
    path.write_text(dumps_answer(case.to_answer()), encoding="utf-8")
    return grade_submission(path, world=case.world)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, GradedCase]:
    """A strong answer and flawed ones of every kind the evidence tells differently."""
    tmp = tmp_path_factory.mktemp("answers")
    runs = {
        "strong": ("bank-cards", 31),
        "handle_time_only": ("telecom-support", 32),
        "missed_anomalies": ("ecommerce-cs", 33),
        "over_budget": ("bank-cards", 34),
        "flat_rewards": ("telecom-support", 35),
        "competent": ("ecommerce-cs", 36),
    }
    return {profile: _graded(tmp, profile, org, seed) for profile, (org, seed) in runs.items()}


@pytest.fixture(scope="module")
def tampered(tmp_path_factory: pytest.TempPathFactory) -> GradedCase:
    """The strong fixture with an invented finding, a wrong cost, a KPI change left out and one for a KPI the
    scheme does not pay under a made-up name: the evidence of every not-met branch of the audit and figures."""
    doc = json.loads((FIXTURES / "v1-strong.json").read_text(encoding="utf-8"))
    invented = {**doc["findings"][0], "staff_ids": ["E9999"], "kind": "other", "description": "made up"}
    changes = dict(doc["reported"]["simulated_kpi_change"])
    changes.pop("qa")
    changes["<i>speed</i>"] = 0.5
    doc["findings"] = [*doc["findings"], invented]
    doc["reported"] = {**doc["reported"], "projected_cost_per_period": 1.0, "simulated_kpi_change": changes}
    path = tmp_path_factory.mktemp("tampered") / "answer.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return grade_submission(path)


# --- the criteria table -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_criterion_evidence_reads_in_plain_language(graded: dict[str, GradedCase], lang: str) -> None:
    for profile, g in graded.items():
        cells = evidence_cells(criteria_html(g, lang))
        assert set(cells) == {c.id for c in g.result.criteria}
        for cid, cell in cells.items():
            assert_plain(visible(cell))
            c = g.result.criterion(cid)
            if c.auto is not None and c.auto.state != "error":
                assert c.auto.check in EVIDENCE_KEYS, cid
                assert set(c.evidence) <= EVIDENCE_KEYS[c.auto.check], cid  # every key the check records is known
                assert evidence_text(c.auto.check, c.evidence, lang), (profile, cid)  # not the generic text


@pytest.mark.parametrize("lang", LANGS)
def test_kpi_and_role_names_and_money_come_from_the_catalogs(graded: dict[str, GradedCase], lang: str) -> None:
    money = r"NT\$\d[\d,]*" if lang == "en" else r"\d[\d,]* 元"
    for g in graded.values():
        cells = {cid: visible(cell) for cid, cell in evidence_cells(criteria_html(g, lang)).items()}
        c01 = g.result.criterion("T4-C01").evidence
        for kpi in (*c01["individual"], *c01["team"]):
            assert t(f"kpi.{kpi}", lang) in cells["T4-C01"]
        for role in g.result.criterion("T4-C04").evidence["median_paid"]:
            assert t(f"evidence.role_{role}", lang) in cells["T4-C04"]
        c05 = g.result.criterion("T4-C05").evidence
        assert format_money(c05["projected_cost_per_period"], lang) in cells["T4-C05"]
        assert format_money(c05["budget_per_period"], lang) in cells["T4-C05"]
        assert len(re.findall(money, cells["T4-C05"])) == 2 and re.search(money, cells["T4-C10"])
        gaming = g.result.criterion("T4-C08").evidence["gaming"]
        assert t("evidence.bool_yes" if gaming else "evidence.bool_no", lang) in cells["T4-C08"]
        share = g.result.criterion("T4-C06").evidence["share_of_payroll"]
        assert format_share(share) in cells["T4-C06"]
    flawed = graded["missed_anomalies"]
    c09 = visible(evidence_cells(criteria_html(flawed, lang))["T4-C09"])
    missed = flawed.result.criterion("T4-C09").evidence["missed"]
    assert missed
    for entry in missed:  # "kind:staff,staff", in words
        kind, _, staff = entry.partition(":")
        assert t(f"t4audit.kind_{kind}", lang) in c09 and staff.split(",")[0] in c09


@pytest.mark.parametrize("lang", LANGS)
def test_not_met_audit_and_figures_read_in_plain_language(tampered: GradedCase, lang: str) -> None:
    c09, c10 = tampered.result.criterion("T4-C09"), tampered.result.criterion("T4-C10")
    assert c09.evidence["unsupported"] and c10.state == "not_yet_met"
    assert c10.evidence["kpis_missing"] == ["qa"] and "<i>speed</i>" in c10.evidence["kpis_wrong"]
    cells = evidence_cells(criteria_html(tampered, lang))
    for cell in cells.values():
        assert_plain(visible(cell))
    assert "&lt;i&gt;speed&lt;/i&gt;" in cells["T4-C10"] and "<i>" not in cells["T4-C10"]  # the candidate's, escaped
    c09_text, c10_text = visible(cells["T4-C09"]), visible(cells["T4-C10"])
    assert t("t4audit.unsupported_no_such_kind", lang) in c09_text and t("t4audit.kind_other", lang) in c09_text
    assert t("t4evidence.figure_projected_cost_per_period", lang) in c10_text
    assert t("kpi.qa", lang) in c10_text  # the KPI left out, by its name


def test_the_result_keeps_the_raw_evidence(graded: dict[str, GradedCase]) -> None:
    c01 = graded["strong"].result.criterion("T4-C01")
    assert isinstance(c01.evidence["individual"], list) and "aht_s" in c01.evidence["individual"]  # data, unchanged


def test_evidence_it_has_no_words_for_is_left_to_the_generic_text() -> None:
    assert evidence_text("min_count", {"path": "kpis.team", "count": 2, "min": 2}, "en") is None  # another check
    assert evidence_text("within_budget", {"error": "TypeError: boom"}, "en") is None  # a check that failed
    assert evidence_text("within_budget", {"projected_cost_per_period": 1, "extra": 2}, "en") is None  # a new key
    assert evidence_text("individual_and_team_kpis", {"individual": "aht_s", "team": []}, "en") is None  # a shape
    assert evidence_text("within_budget", {}, "en") is None


def test_candidate_values_are_escaped() -> None:
    shown = evidence_text(
        "quality_gated",
        {"components_without_quality": ["<b>x</b>"], "components_not_binding": [], "binding_share": {"<i>": 0.5}},
        "en",
    )
    assert shown is not None and "<b>" not in shown and "<i>" not in shown
    assert "&lt;b&gt;x&lt;/b&gt;" in shown and "50.0%" in shown


@pytest.mark.parametrize("lang", LANGS)
def test_the_generic_text_shows_any_evidence_as_labelled_values(lang: str) -> None:
    evidence = {
        "path": "kpis.team",
        "present": True,
        "count": 2.0,
        "min": 2,
        "ids": ["a", "b", "<c>"],
        "nested": {"ok": False, "share": -0.00001},
        "rows": [{"n": 1}],
        "missing": None,
    }
    shown = plain_evidence(evidence, lang)
    text = visible(shown)
    assert_plain(text)
    assert t("evidence.key_path", lang) in text and t("evidence.key_count", lang) in text
    assert t("evidence.bool_yes", lang) in text and t("evidence.bool_no", lang) in text
    assert "2.0" not in text and "&lt;c&gt;" in shown
    assert plain_list(["a", "b", "c"], "en") == "a, b and c" and plain_list(["甲", "乙", "丙"], "zh-TW") == "甲、乙和丙"
    assert plain_list([], "en") == "none" and plain_list(["a"], "en") == "a"


@pytest.mark.parametrize("lang", LANGS)
def test_a_kind_without_words_gets_the_generic_text(graded: dict[str, GradedCase], lang: str) -> None:
    page = criteria_html(graded["handle_time_only"], lang, evidence_text=lambda check, evidence, lang: None)
    for cell in evidence_cells(page).values():
        text = visible(cell)
        assert not [s for s in RAW if s in text], text  # never a repr (the ids stay: no words for them)
        assert not negative_zeros(text)


# --- money, counts, shares --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "en", "zh"),
    [
        (1234, "NT$1,234", "1,234 元"),
        (1234.5, "NT$1,235", "1,235 元"),  # half up
        (1234.49, "NT$1,234", "1,234 元"),
        (2.5, "NT$3", "3 元"),
        (-1234.5, "-NT$1,235", "-1,235 元"),
        (-0.004, "NT$0", "0 元"),
        (-0.4, "NT$0", "0 元"),
        (0, "NT$0", "0 元"),
        (1_000_000, "NT$1,000,000", "1,000,000 元"),
        (None, "-", "-"),
        (float("nan"), "-", "-"),
    ],
)
def test_format_money(amount: Any, en: str, zh: str) -> None:
    assert format_money(amount, "en") == en
    assert format_money(amount, "zh-TW") == zh


def test_format_money_with_cents() -> None:
    assert format_money(0.4, "en", cents=True) == "NT$0.40"
    assert format_money(-1234.565, "zh-TW", cents=True) == "-1,234.57 元"
    assert format_money(-0.004, "en", cents=True) == "NT$0"


def test_counts_shares_numbers_and_kpis_never_show_minus_zero() -> None:
    assert format_count(3.0) == "3" and format_count(12345.0) == "12,345" and format_count(None) == "-"
    assert format_share(-0.00001) == "0.0%" and format_share(-0.00001, signed=True) == "0.0%"
    assert format_share(0.05, signed=True) == "+5.0%" and format_share(-0.05, signed=True) == "-5.0%"
    assert format_number(-0.004, 2) == "0.00" and format_number(-0.04, 1, signed=True) == "0.0"
    assert format_number(1.25, 1, signed=True) in ("+1.2", "+1.3")
    for kpi in KPI_COLUMNS:
        assert not negative_zeros(format_kpi(kpi, -0.00001))
    assert format_kpi("fcr", 0.78) == "78.0%" and format_kpi("aht_s", 380) == "380 s" and format_kpi("qa", 88) == "88.0"


# --- T4's own sections ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_t4_sections_show_targets_money_and_counts_as_people_read_them(
    graded: dict[str, GradedCase], lang: str
) -> None:
    for g in graded.values():
        scheme = g.answer.scheme  # type: ignore[attr-defined]
        page = scheme_html(g, lang)
        text = visible(page)
        for c in scheme.components:
            for m in c.measures:
                assert format_kpi(m.kpi, m.target) in text
            for gate in c.gates:
                op = "≤" if gate.kpi == "aht_s" else "≥"
                assert f"{t(f'kpi.{gate.kpi}', lang)} {op} {format_kpi(gate.kpi, gate.threshold)}" in text
        assert format_money(scheme.budget_per_period, lang) in text
        for part in (page, payouts_html(g, lang), review_html(g, lang), findings_html(g, lang)):
            shown = visible(re.sub(r"<svg.*?</svg>", "", part, flags=re.S))
            assert not negative_zeros(shown), shown
            assert not re.search(r"\b(?:t4evidence|t4audit|evidence|kpi)\.[a-z_]+", shown)
            assert "NT$" not in shown or lang == "en"  # zh-TW money is in 元, everywhere on the page
        for row in _rows(payouts_html(g, lang)):
            assert re.fullmatch(r"\d[\d,]*", row[1])  # people, whole
            assert all(re.fullmatch(r"NT\$\d[\d,]*" if lang == "en" else r"\d[\d,]* 元", m) for m in row[2:])


def _rows(table: str) -> list[list[str]]:
    """The body rows of a table (not its heading), each cell as the text a person reads."""
    rows = [re.findall(r"<td>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    return [[visible(c).strip() for c in row] for row in rows if row]


def _table_after(page: str, heading: str) -> str:
    after = page.split(f"<h4>{html.escape(heading)}</h4>", 1)[1]
    return after[after.index("<table") : after.index("</table>") + len("</table>")]


@pytest.mark.parametrize("lang", LANGS)
def test_the_audit_section_lists_discrepancies_first_and_says_what_is_left_out(
    graded: dict[str, GradedCase], lang: str
) -> None:
    g = graded["strong"]
    page = findings_html(g, lang)
    recomputed = g.cache["recomputed"]
    differ = recomputed[recomputed["issue"] != "ok"]
    assert len(differ) >= len(g.cache["ledger"].truth)  # every seeded anomaly shows in the recomputation
    rows = _rows(_table_after(page, t("t4audit.heading_recompute", lang)))
    ok = t("t4audit.issue_ok", lang)
    assert len(rows) == min(len(differ), t4_evidence.MAX_ROWS) and all(r[-1] != ok for r in rows)
    sizes = [abs(float(re.sub(r"[^\d.]", "", r[-2]))) for r in rows]
    assert sizes == sorted(sizes, reverse=True)  # the largest difference first
    hidden = len(recomputed) - len(rows)
    assert format_count(hidden) in visible(page.split(t("t4audit.heading_recompute", lang))[1])
    signals = _rows(_table_after(page, t("t4audit.heading_gaming_signals", lang)))
    flagged = [r[-1] == t("html.yes", lang) for r in signals]
    assert flagged == sorted(flagged, reverse=True)  # signals first


def test_a_short_audit_table_shows_every_row_discrepancies_first(
    graded: dict[str, GradedCase], monkeypatch: pytest.MonkeyPatch
) -> None:
    g = graded["missed_anomalies"]
    monkeypatch.setattr(t4_evidence, "MAX_ROWS", 10_000)
    page = findings_html(g, "en")
    rows = _rows(_table_after(page, t("t4audit.heading_recompute", "en")))
    assert len(rows) == len(g.cache["recomputed"])
    agree = [r[-1] == t("t4audit.issue_ok", "en") for r in rows]
    assert agree == sorted(agree) and not agree[0] and agree[-1]  # discrepancies, then the lines that agree
    assert "more lines" not in page


def test_the_kind_declares_its_evidence_text() -> None:
    assert KIND.evidence_text is evidence_text


def test_the_recomputation_is_shown_even_without_findings(tmp_path: Path) -> None:
    doc = json.loads((FIXTURES / "v1-strong.json").read_text(encoding="utf-8"))
    path = tmp_path / "answer.json"
    path.write_text(json.dumps({**doc, "findings": []}, ensure_ascii=False), encoding="utf-8")
    g = grade_submission(path)
    for lang in LANGS:
        page = findings_html(g, lang)
        assert t("t4evidence.no_findings", lang) in page
        assert t("t4audit.heading_recompute", lang) in page and t("t4audit.heading_gaming_signals", lang) in page
        c09 = evidence_cells(criteria_html(g, lang))["T4-C09"]
        assert_plain(visible(c09))
        assert t("t4audit.kind_gender_gap", lang) in visible(c09)  # every seeded anomaly missed, by its kind
