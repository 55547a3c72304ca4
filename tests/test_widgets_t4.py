"""The T4 candidate widgets, driven headless as a candidate would (``.value = ...``, ``.click()``), asserting on the
case object underneath: the widgets only read and write it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd
import pytest

from casekit.cases.t4_incentives.answer import T4Answer
from casekit.cases.t4_incentives.case import T4Case
from casekit.cases.t4_incentives.payout import explain
from casekit.cases.t4_incentives.scheme import parse_scheme
from casekit.html import cell, esc
from casekit.i18n import LANGS
from casekit.registry import registry
from casekit.scenario import World, build_world, find_spec, load_spec
from casekit.widgets.t4_incentives import ANSWER_MIME, T4App
from casekit.widgets.t4_incentives.audit import DEFAULT_PAGE_SIZE, showing_text
from casekit.widgets.t4_incentives.forms import component_data, component_fields, number_text, split_ids
from casekit.widgets.t4_incentives.preview import role_table
from casekit.widgets.t4_incentives.table_view import FLAGS, TableQuery, flag_column, flag_mask, view_table

TABLE_TOOLS = (
    "recompute",
    "eligibility",
    "caps",
    "threshold_bunching",
    "gaming_signals",
    "pay_gaps",
    "pay_gaps_by_team",
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCHEME = json.loads((FIXTURES / "scheme_balanced.json").read_text(encoding="utf-8"))
SCRIPT = "<script>alert(1)</script>"
ORG, SEED = "ecommerce-cs", 3


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(load_spec(find_spec(ORG)), SEED, days=45)


def make_app(world: World, tmp_path: Path, lang: str = "en", cid: str = "cand-1") -> T4App:
    return T4App.create(ORG, SEED, cid, lang, tmp_path / "answer.json", world=world)


@pytest.fixture
def app(world: World, tmp_path: Path) -> T4App:
    return make_app(world, tmp_path)


def fill_starter(app: T4App) -> None:
    """Make the starter form valid: a budget, the agent's pay and the measure's target."""
    b = app.builder
    b.budget.value = 100000
    b.editors[0].pay["agent"].value = "2000"
    b.editors[0].measures.rows[0]["target"].value = 85


def paste(app: T4App, scheme: Any = SCHEME) -> None:
    app.builder.json.value = scheme if isinstance(scheme, str) else json.dumps(scheme)
    app.builder.apply_json_button.click()


def descendants(widget: Any) -> Iterator[Any]:
    """``widget`` and every widget inside it."""
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from descendants(child)


def texts_of(widget: Any) -> Iterator[str]:
    """Every text a widget tree shows: values, descriptions, placeholders, option labels, tab titles."""
    for name in ("value", "description", "placeholder", "tooltip"):
        v = getattr(widget, name, None)
        if isinstance(v, str):
            yield v
    for option in getattr(widget, "options", ()) or ():
        yield str(option[0] if isinstance(option, tuple) else option)
    yield from (str(x) for x in getattr(widget, "titles", ()) or ())
    for child in getattr(widget, "children", ()) or ():
        yield from texts_of(child)


# --- the scheme: form, JSON, problems ---------------------------------------------------------------------------


def test_the_form_adopts_a_scheme_and_the_preview_shows_case_preview(app: T4App) -> None:
    assert app.case.scheme is None
    assert "No scheme adopted yet" in app.builder.status.value
    fill_starter(app)
    scheme = app.case.scheme
    assert scheme is not None and scheme.budget_per_period == 100000
    (c,) = scheme.components
    assert (c.id, c.type, c.pay, c.measures[0].kpi, c.measures[0].target) == (
        "c1",
        "scorecard",
        {"agent": 2000},
        "qa",
        85,
    )
    # the live preview equals what the case computes, figure for figure
    summary = app.case.preview_summary(app.case.preview())
    assert app.preview.summary is not None
    assert app.preview.summary["cost_per_period"] == pytest.approx(summary["cost_per_period"])
    pd.testing.assert_frame_equal(role_table(app.preview.summary), role_table(summary))
    html = app.preview.html.value
    assert f"{summary['cost_per_period']:,.0f}" in html and "<svg" in html
    for mean in role_table(summary)["mean"]:
        assert cell(mean, "en") in html
    # every valid change re-renders it
    app.builder.budget.value = 50000
    assert app.case.scheme.budget_per_period == 50000
    assert "50,000" in app.preview.html.value


def test_live_off_applies_only_on_the_button(app: T4App) -> None:
    app.builder.live.value = False
    fill_starter(app)
    assert app.case.scheme is None
    app.builder.apply_button.click()
    assert app.case.scheme is not None and app.case.scheme.budget_per_period == 100000


def test_an_invalid_form_shows_every_problem_and_keeps_the_last_valid_scheme(app: T4App) -> None:
    fill_starter(app)
    adopted = app.case.scheme
    editor = app.builder.editors[0]
    editor.measures.add_row({"kpi": "fcr", "weight": 0.5, "target": -1})
    editor.cap.value = "lots"
    status = app.builder.status.value
    assert "2 problem(s)" in status
    assert "components[0].measures[1].target" in status and "components[0].cap" in status
    assert app.case.scheme == adopted
    assert "100,000" in app.preview.html.value  # the preview still shows the scheme in force


def test_problems_are_escaped(app: T4App) -> None:
    bad = {"budget_per_period": -1, "components": [{"id": "x", "type": SCRIPT, "pay": {}}]}
    paste(app, bad)
    status = app.builder.status.value
    assert SCRIPT not in status and "&lt;script&gt;" in status
    assert status.count("<li>") == 3  # budget, type and pay: all at once
    assert app.case.scheme is None


def test_text_that_is_not_json_names_line_and_column(app: T4App) -> None:
    paste(app, '{"name": "x",\n  budget: 1}')
    status = app.builder.status.value
    assert "line 2, column 3" in status and "valid JSON" in status
    assert app.case.scheme is None


def test_a_pasted_scheme_is_adopted_and_shown_in_the_form(app: T4App) -> None:
    paste(app)
    expected = parse_scheme(SCHEME)
    assert app.case.scheme == expected
    b = app.builder
    assert [e.type.value for e in b.editors] == [c.type for c in expected.components]
    assert b.editors[2].cap.value == "3000" and b.editors[4].top_n.value == "5"
    # the form shows a rate KPI's thresholds in %, as the explore tab does; the scheme keeps shares
    assert b.editors[3].bands.value == [{"threshold": 65.0, "fraction": 0.5}, {"threshold": 70.0, "fraction": 1.0}]
    assert parse_scheme(b.form_data()) == expected  # the form holds exactly the scheme adopted
    b.to_json_button.click()
    assert parse_scheme(json.loads(b.json.value)) == expected


def test_components_and_rows_are_added_and_removed(app: T4App) -> None:
    paste(app)
    b = app.builder
    b.add_component_button.click()
    assert [e.id.value for e in b.editors][-1] == "c1"
    assert (
        app.case.scheme is not None and len(app.case.scheme.components) == 5
    )  # the new component has no pay yet: not adopted
    b.editors[-1].remove_button.click()
    assert len(b.editors) == 5 and app.case.scheme == parse_scheme(SCHEME)
    gates = b.editors[0].gates
    assert len(gates.rows) == 2
    gates.remove_buttons[1].click()
    assert [g.kpi for g in app.case.scheme.components[0].gates] == ["qa"]
    gates.add_button.click()
    gates.rows[-1]["threshold"].value = 80.0  # adherence typed in %, as the explore tab shows it
    gates.rows[-1]["kpi"].value = "adherence"
    assert [(g.kpi, g.threshold) for g in app.case.scheme.components[0].gates] == [("qa", 80), ("adherence", 0.8)]


def test_the_preview_explains_one_persons_payout(app: T4App) -> None:
    paste(app)
    p = app.preview
    staff = p.staff.options[1][1]
    p.staff.value = staff
    period = p.period.value
    lines = explain(app.case.preview(), staff, period, "en")
    assert lines and all(esc(line.strip()) in p.explanation.value for line in lines)
    assert len(re.findall("<li>", p.explanation.value)) == len(lines)


# --- explore, simulate, audit -----------------------------------------------------------------------------------


def test_explore_tables_and_chart_follow_the_dropdowns(app: T4App) -> None:
    e = app.explore
    for by in ("team", "staff", "month", "team_month"):
        e.by.value = by
        assert e.table is not None
        pd.testing.assert_frame_equal(e.table, app.case.explore(by))
        assert e.html.value.count("<tr>") == len(e.table) + 1
    e.by.value = "team"
    e.kpi.value = "aht_s"
    assert "Average handling time" in e.chart.value and "<svg" in e.chart.value
    assert e.chart.value.count("<rect") == len(app.case.explore("team"))


def test_the_simulation_fills_the_review(app: T4App) -> None:
    app.simulation.run_button.click()
    assert "no incentive scheme yet" in app.simulation.status.value  # the case's UsageError, shown
    paste(app)
    app.simulation.run_button.click()
    review = app.case.review
    assert review is not None and app.simulation.review is review
    html = app.simulation.html.value
    assert all(esc(line) in html for line in review.render("en"))
    assert "Average handling time" in html and html.count("<svg") == 2
    assert f"{review.cost['total']:,.0f}" in html
    app.builder.budget.value = 1_000_000
    assert "run it again" in app.simulation.status.value


def test_every_audit_tool_shows_its_output(app: T4App) -> None:
    a = app.audit
    # the ledger first: its rules above, its paid lines in the table below
    assert a.frame is app.case.ledger.paid and "E0001" in a.table.value and "<h4>" in a.html.value
    a.page_size.value = 0  # all rows
    for tool in T4Case.AUDIT_TOOLS:
        a.tool.value = tool
        expected = app.case.audit(tool)
        if isinstance(expected, pd.DataFrame):
            pd.testing.assert_frame_equal(a.output, expected)
            assert a.frame is a.output and a.table_box.layout.display is None
            assert a.table.value.count("<tr>") == max(len(expected), 1) + 1
        else:
            assert a.output == expected and a.frame is None and a.table_box.layout.display == "none"
            assert a.html.value.count("<tr>") == len(expected) + 1
        assert "problem" not in a.html.value + a.table.value + a.alert.value


def test_the_audit_table_is_paged_filtered_and_sorted(app: T4App) -> None:
    a = app.audit
    a.tool.value = "recompute"
    table = app.case.audit("recompute")
    assert len(table) > DEFAULT_PAGE_SIZE
    # a page at a time, saying which rows it shows
    assert a.table.value.count("<tr>") == DEFAULT_PAGE_SIZE + 1
    pages = -(-len(table) // DEFAULT_PAGE_SIZE)
    assert f"Showing rows 1–50 of {len(table)} (page 1 of {pages})" in a.count.value
    assert a.previous_button.disabled and not a.next_button.disabled
    for _ in range(pages + 1):  # past the last page: it stays on the last
        a.next_button.click()
    assert (a.view.first, a.view.last, a.page) == (DEFAULT_PAGE_SIZE * (pages - 1) + 1, len(table), pages - 1)
    assert a.next_button.disabled and not a.previous_button.disabled
    a.previous_button.click()
    assert a.view.first == DEFAULT_PAGE_SIZE * (pages - 2) + 1
    # only the discrepancies: the page restarts, and says how many of how many
    assert dict((v, k) for k, v in a.only.options)["flagged"] == "Only discrepancies (issue not OK)"
    a.only.value = "flagged"
    flagged = table[table["issue"] != "ok"]
    assert 0 < len(flagged) < DEFAULT_PAGE_SIZE
    pd.testing.assert_frame_equal(a.view.rows, flagged)
    assert a.page == 0 and a.table.value.count("<tr>") == len(flagged) + 1
    assert f"of the {len(flagged)} that match, {len(table)} in all" in a.count.value
    # sorted by the difference, largest first
    a.sort_by.value = "difference"
    a.descending.value = True
    assert list(a.view.rows["difference"]) == sorted(flagged["difference"], reverse=True)
    # found by a staff ID typed in lower case, or by the name as shown
    staff = str(flagged["staff_id"].iloc[0])
    a.filter.value = staff.lower()
    assert set(a.view.rows["staff_id"]) == {staff}
    a.filter.value = "above the component"
    assert set(a.view.rows["issue"]) == {"over_cap"}
    a.filter.value = "no such row"
    assert "No row matches the filter" in a.count.value and a.view.matched == 0
    # another tool keeps the filter and the flag, restarts the page, keeps the sort where its table has the column
    a.filter.value = staff
    a.tool.value = "gaming_signals"
    assert (a.filter.value, a.only.value, a.sort_by.value, a.page) == (staff, "flagged", "", 0)
    a.only.value = "all"
    assert len(a.view.rows) and set(a.view.rows["id"]) == {staff}
    assert dict((v, k) for k, v in a.only.options)["flagged"] == "Only rows with a gaming signal"
    a.tool.value = "eligibility"  # every row a problem already: no flag to choose
    assert a.only.layout.display == "none" and a.only.value == "all"
    a.tool.value = "concentration"  # a summary: no table, no controls
    assert a.table_box.layout.display == "none" and a.view is None


def test_the_audit_filter_is_escaped(app: T4App) -> None:
    a = app.audit
    a.tool.value = "recompute"
    a.filter.value = SCRIPT
    shown = a.count.value + a.table.value + a.alert.value
    assert SCRIPT not in shown and "No row matches" in shown


def test_the_design_form_wraps_rather_than_runs_past_its_column(app: T4App) -> None:
    paste(app)
    b = app.builder
    b.add_component_button.click()
    editor = b.editors[-1]
    editor.type.value = "tiered"
    for rows in (editor.measures, editor.gates, editor.bands):
        rows.add_button.click()
    boxes = [w for w in descendants(b.widget) if isinstance(w, widgets.HBox)]
    assert boxes and all(w.layout.flex_flow == "row wrap" for w in boxes)
    fixed = [w for w in descendants(b.widget) if str(getattr(w.layout, "width", "") or "").endswith("px")]
    assert fixed and all(w.layout.max_width == "100%" for w in fixed if not isinstance(w, widgets.Button))
    # the form and its preview side by side, each scrolling on its own; stacked preview first when narrow
    design = app.tab.children[1]
    assert design.layout.flex_flow == "row wrap-reverse"
    form, preview = design.children
    assert form.children == (b.widget,) and preview.children == (app.preview.widget,)
    assert all(pane.layout.overflow == "auto" and pane.layout.min_width == "0" for pane in (form, preview))


def test_findings_are_validated_added_escaped_and_removed(app: T4App) -> None:
    f = app.audit.findings
    assert f.period.value == app.case.ledger.period
    f.period.value = "March"
    f.description.value = SCRIPT
    f.add_button.click()
    status = f.status.value
    assert "period" in status and "corrective_action" in status and app.case.findings == []
    f.kind.value = "over_cap"
    f.staff_ids.value = "E0039, E0040"
    f.period.value = "2026-03"
    f.component.value = "scorecard"
    f.corrective_action.value = "recover the excess"
    f.add_button.click()
    (finding,) = app.case.findings
    assert (finding.kind, finding.staff_ids, finding.component, finding.team) == (
        "over_cap",
        ["E0039", "E0040"],
        "scorecard",
        None,
    )
    assert finding.description == SCRIPT  # kept verbatim in the case ...
    shown = "".join(texts_of(f.list_box))
    assert SCRIPT not in shown and "&lt;script&gt;alert(1)&lt;/script&gt;" in shown  # ... escaped where shown
    f.remove_buttons[0].click()
    assert app.case.findings == [] and "No findings yet" in "".join(texts_of(f.list_box))


def test_texts_are_bound_to_the_case(app: T4App) -> None:
    app.texts.areas["justification"].value = "because"
    app.texts.areas["discussion"].value = "and so"
    assert (app.case.justification, app.case.discussion) == ("because", "and so")
    assert "7 of 20,000" in app.texts.counts["justification"].value


# --- saving and resuming ----------------------------------------------------------------------------------------


def test_save_without_a_scheme_shows_the_problem(app: T4App) -> None:
    app.save.save_button.click()
    assert "no incentive scheme yet" in app.save.status.value
    assert not app.answer_path.exists() and app.save.output.outputs == ()


def test_save_writes_a_valid_answer_and_the_mime_output(app: T4App) -> None:
    paste(app)
    app.simulation.run_button.click()
    f = app.audit.findings
    f.staff_ids.value, f.description.value, f.corrective_action.value = "E0001", SCRIPT, "recompute"
    f.add_button.click()
    app.texts.areas["justification"].value = "balanced"
    app.save.save_button.click()
    path = app.answer_path
    assert str(path.resolve()) in app.save.status.value
    doc = registry.load_answer(path)
    assert isinstance(doc, T4Answer) and doc == app.case.to_answer()
    assert doc.scheme == parse_scheme(SCHEME) and doc.justification == "balanced"
    assert doc.reported.simulated_cost_total is not None
    (output,) = app.save.output.outputs
    assert output["output_type"] == "display_data"
    assert output["data"][ANSWER_MIME] == json.loads(path.read_text(encoding="utf-8"))


def test_a_text_over_the_limit_is_a_problem_not_a_crash(app: T4App) -> None:
    paste(app)
    app.texts.areas["discussion"].value = "x" * 20_001
    app.save.save_button.click()
    assert "discussion" in app.save.status.value and "problem" in app.save.status.value
    assert not app.answer_path.exists()


def test_create_resumes_a_saved_answer(app: T4App, world: World, tmp_path: Path) -> None:
    paste(app)
    app.texts.areas["discussion"].value = "later"
    app.save.save_button.click()
    again = make_app(world, tmp_path)
    assert again.case.scheme == parse_scheme(SCHEME) and again.case.discussion == "later"
    assert again.texts.areas["discussion"].value == "later"
    assert parse_scheme(again.builder.form_data()) == again.case.scheme
    assert "Resumed" in again.header.value and again.preview.summary is not None
    other = make_app(world, tmp_path, cid="someone-else")
    assert other.case.scheme is None and "belongs to another case" in other.header.value


def test_create_starts_afresh_over_an_invalid_answer_file(world: World, tmp_path: Path) -> None:
    (tmp_path / "answer.json").write_text('{"schema": "casekit-answer", "case": "T4", "name": "' + SCRIPT + '"}')
    app = make_app(world, tmp_path)
    assert app.case.scheme is None
    assert "could not be read" in app.header.value and SCRIPT not in app.header.value


# --- both languages ---------------------------------------------------------------------------------------------

KEY_LIKE = re.compile(r"\b(?:widgets|t4audit|t4review|t4|kpi|evidence|expect|error)\.[a-z][a-z0-9_]*\b")


@pytest.mark.parametrize("lang", LANGS)
def test_both_languages_render_without_missing_keys(lang: str, world: World, tmp_path: Path) -> None:
    app = make_app(world, tmp_path, lang)
    paste(app)
    app.simulation.run_button.click()
    for tool in T4Case.AUDIT_TOOLS:
        app.audit.tool.value = tool
        assert not KEY_LIKE.findall("".join(texts_of(app.audit.widget))), tool
    app.audit.findings.add_button.click()  # problems, in this language
    app.save.save_button.click()
    shown = "\n".join(texts_of(app.widget))
    assert not KEY_LIKE.findall(shown)
    if lang == "zh-TW":
        assert "設計方案" in shown and "已儲存" in shown
    else:
        assert "2. Design" in shown and "Saved to" in shown


# --- the pure helpers -------------------------------------------------------------------------------------------


def _label(column: str, value: Any) -> str | None:
    return {"over_cap": "Above the cap"}.get(value) if column == "issue" else None


VIEWED = pd.DataFrame(
    {
        "staff_id": ["E3", "E1", "E2", "E4", None],
        "name": ["陳大文", "Lin", "Wang", "lin mei", "x"],
        "team": ["T1", "T2", "T1", "T2", "T1"],
        "issue": ["ok", "over_cap", "ok", "rate", "mismatch"],
        "difference": [0.0, 5.0, float("nan"), -2.0, 1.0],
    }
)


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        (TableQuery(), ["E3", "E1", "E2", "E4", None]),
        (TableQuery(text="LIN"), ["E1", "E4"]),  # any text column, in any case
        (TableQuery(text="lin t2"), ["E1", "E4"]),  # every word somewhere in the row
        (TableQuery(text="lin mei"), ["E4"]),
        (TableQuery(text="大文"), ["E3"]),
        (TableQuery(text="above"), ["E1"]),  # a coded value as it is shown
        (TableQuery(text="over_cap"), ["E1"]),  # ... or as it is stored
        (TableQuery(text="nothing"), []),
        (TableQuery(only="flagged"), ["E1", "E4", None]),
        (TableQuery(only="unflagged"), ["E3", "E2"]),
        (TableQuery(only="flagged", text="t2"), ["E1", "E4"]),
        (TableQuery(sort_by="difference"), ["E4", "E3", None, "E1", "E2"]),  # missing last
        (TableQuery(sort_by="difference", descending=True), ["E1", None, "E3", "E4", "E2"]),
        (TableQuery(sort_by="staff_id"), ["E1", "E2", "E3", "E4", None]),
        (TableQuery(sort_by="name"), ["Lin", "lin mei", "Wang", "x", "陳大文"]),  # in any case (names here)
        (TableQuery(sort_by="no_such_column"), ["E3", "E1", "E2", "E4", None]),
    ],
)
def test_view_table_filters_and_sorts(query: TableQuery, ids: list[Any]) -> None:
    before = VIEWED.copy()
    view = view_table(VIEWED, query, _label)
    got = list(view.rows["name" if query.sort_by == "name" else "staff_id"])
    assert [None if isinstance(v, float) else v for v in got] == ids
    assert (view.total, view.matched, view.flag) == (5, len(ids), "issue")
    assert view.filtered == (len(ids) < 5)
    pd.testing.assert_frame_equal(view.rows, VIEWED.loc[view.rows.index])  # rows as they were, index kept
    pd.testing.assert_frame_equal(VIEWED, before)  # the tool's table is not changed


def test_view_table_pages() -> None:
    def page(n: int, size: int | None = 2) -> tuple[int, int, int, int]:
        v = view_table(VIEWED, TableQuery(page=n, page_size=size))
        return v.page, v.pages, v.first, v.last

    assert [page(n) for n in (0, 1, 2)] == [(0, 3, 1, 2), (1, 3, 3, 4), (2, 3, 5, 5)]
    assert page(99) == (2, 3, 5, 5) and page(-1) == (0, 3, 1, 2)  # clamped to the pages there are
    assert page(0, None) == page(0, 0) == (0, 1, 1, 5)  # all rows
    empty = view_table(VIEWED, TableQuery(text="nothing", page=3, page_size=2))
    assert (empty.page, empty.pages, empty.first, empty.last, len(empty.rows)) == (0, 1, 0, 0, 0)
    assert showing_text(empty, "en") == "No row matches the filter (5 in all)."
    assert showing_text(view_table(VIEWED, TableQuery(page=1, page_size=2)), "en") == (
        "Showing rows 3–4 of 5 (page 2 of 3)."
    )


def test_each_tool_table_names_its_flag(world: World) -> None:
    case = T4Case(ORG, SEED, "x", "en", world=world)
    flags = {tool: flag_column(case.audit(tool)) for tool in T4Case.AUDIT_TOOLS if tool in TABLE_TOOLS}
    assert flags == {
        "recompute": "issue",
        "eligibility": None,
        "caps": None,
        "threshold_bunching": "bunching",
        "gaming_signals": "signal",
        "pay_gaps": "small_group",
        "pay_gaps_by_team": "small_group",
    }
    assert flag_column(case.ledger.paid) is None
    assert set(FLAGS) == {f for f in flags.values() if f}
    no_flag = view_table(case.audit("caps"), TableQuery(only="flagged"))
    assert no_flag.matched == no_flag.total  # no flag column: the choice does not apply
    signals = case.audit("gaming_signals")
    mask = flag_mask(signals)
    assert mask is not None and mask.equals(signals["signal"])


def test_form_helpers_round_trip() -> None:
    assert [number_text(v) for v in (None, 3.0, 0.75, 1e20)] == ["", "3", "0.75", "1e+20"]
    assert split_ids(" E1, E2;E3 、E4\nE5 ") == ["E1", "E2", "E3", "E4", "E5"]
    scheme = parse_scheme(SCHEME)
    for c in scheme.components:
        fields = component_fields(c)
        rebuilt = component_data(**fields)
        assert type(c).model_validate(rebuilt) == c
