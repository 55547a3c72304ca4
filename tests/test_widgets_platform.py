"""The generic widget scaffolding: one error boundary around every callback, the tabbed case app, and opening any
registered kind's app by its id. Driven headless (``.value = ...``, ``.click()``)."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import casekit.widgets.save as save_module
from casekit.assessment.plan import load_plan
from casekit.assessment.roster import CandidateRow, Roster, assign, save_roster
from casekit.cases.t4_incentives.kind import KIND as T4
from casekit.errors import UsageError
from casekit.registry import registry
from casekit.scenario import World, build_world, find_spec, load_spec
from casekit.widgets import CaseApp, IdentityStep, Panel, app_class, open_case
from casekit.widgets.save import draft_path
from casekit.widgets.t4_incentives import T4App

ORG, SEED = "ecommerce-cs", 3
SCHEME = json.loads((Path(__file__).resolve().parent / "fixtures" / "scheme_balanced.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(load_spec(find_spec(ORG)), SEED, days=45)


@pytest.fixture
def app(world: World, tmp_path: Path) -> T4App:
    return T4App.create(ORG, SEED, "cand-1", "en", tmp_path / "answer.json", world=world)


def descendants(widget: Any) -> Iterator[Any]:
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from descendants(child)


def texts_of(widget: Any) -> Iterator[str]:
    """Every text a widget tree shows: values, descriptions, placeholders, option labels."""
    for name in ("value", "description", "placeholder"):
        v = getattr(widget, name, None)
        if isinstance(v, str):
            yield v
    for option in getattr(widget, "options", ()) or ():
        yield str(option[0] if isinstance(option, tuple) else option)
    for child in getattr(widget, "children", ()) or ():
        yield from texts_of(child)


def panels(app: T4App) -> list[Panel]:
    """Every panel of the app, its sub-panels (component editors, row lists, the findings form) included."""
    found: list[Panel] = [app, app.explore, app.builder, app.preview, app.simulation, app.audit, app.texts, app.save]
    found.append(app.audit.findings)
    for editor in app.builder.editors:
        found += [editor, editor.measures, editor.gates, editor.bands]
    return found


def test_every_panel_shows_its_alert(app: T4App) -> None:
    app.builder.add_component()
    for panel in panels(app):
        assert any(w is panel.alert for w in descendants(panel.widget)), type(panel).__name__


def test_an_unexpected_error_in_a_callback_is_shown_and_logged(
    app: T4App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("the simulation <b>broke</b>")

    monkeypatch.setattr(app.case, "simulate", broken)
    with caplog.at_level(logging.ERROR, logger="casekit.widgets"):
        app.simulation.run_button.click()  # the click returns: nothing escapes into the Jupyter log only
    shown = app.simulation.alert.value
    assert "RuntimeError" in shown and "the simulation &lt;b&gt;broke&lt;/b&gt;" in shown
    assert "That did not work" in shown
    assert any(r.exc_info and "broke" in str(r.exc_info[1]) for r in caplog.records)


def test_a_casekit_error_in_a_callback_shows_every_problem(app: T4App, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(by: str) -> None:
        raise UsageError("first problem\nsecond problem")

    monkeypatch.setattr(app.case, "explore", refuse)
    app.explore.by.value = "staff"  # the panel's observer calls the case through the boundary
    shown = app.explore.alert.value
    assert "2 problem(s)" in shown and "first problem" in shown and "second problem" in shown


def test_the_alert_clears_when_a_callback_succeeds(app: T4App, monkeypatch: pytest.MonkeyPatch) -> None:
    real = app.case.explore

    def once(by: str) -> Any:
        raise ValueError("once")

    monkeypatch.setattr(app.case, "explore", once)
    app.explore.by.value = "staff"
    assert "once" in app.explore.alert.value
    monkeypatch.setattr(app.case, "explore", real)
    app.explore.by.value = "team"
    assert app.explore.alert.value == ""


def test_tabs_are_numbered_and_saving_comes_last(app: T4App) -> None:
    assert app.tab.titles[0] == "1. Explore" and app.tab.titles[-1] == "6. Save"
    assert app.tab.children[-1] is app.save.widget
    assert "T4 Pay and incentive schemes" in app.header.value


def test_open_case_opens_the_app_a_kind_declares(world: World, tmp_path: Path) -> None:
    opened = open_case("T4", ORG, SEED, "cand-2", "zh-TW", tmp_path / "a.json", world=world)
    assert isinstance(opened, T4App) and opened.case.candidate_id == "cand-2"
    assert open_case("T4", ORG, str(SEED), "cand-2", "en", tmp_path / "a.json", world=world).case.seed == SEED
    assert app_class(T4) is T4App and issubclass(T4App, CaseApp)
    assert opened.tab.titles[0] == "1. 檢視資料"


def test_a_kind_without_an_app_or_with_a_wrong_one_is_a_clear_error() -> None:
    import dataclasses

    with pytest.raises(UsageError, match="T4"):
        app_class(dataclasses.replace(T4, app=None))
    with pytest.raises(UsageError, match=r"casekit\.widgets\.panel:Panel"):
        app_class(dataclasses.replace(T4, app="casekit.widgets.panel:Panel"))


# --- who the candidate is: from the roster, given, or asked and confirmed ---------------------------------------


@pytest.fixture(scope="module")
def roster() -> Roster:
    return assign(load_plan("t4-only"), [CandidateRow("c001")], cohort_seed=2026, orgs=[ORG])


def worlds_built(monkeypatch: pytest.MonkeyPatch, world: World) -> list[tuple[str, int]]:
    """Every world a case generates from here on (the test's own world stands in for it)."""
    built: list[tuple[str, int]] = []

    def fake(org: str, seed: int) -> World:
        built.append((org, seed))
        return world

    monkeypatch.setattr("casekit.cases.base.world_for", fake)
    return built


def test_open_case_with_a_roster_takes_its_organisation_and_seed(roster: Roster, tmp_path: Path) -> None:
    assigned = roster.assignment("c001", "T4")
    assert assigned is not None
    opened = open_case("T4", candidate_id="c001", lang="en", answer_path=tmp_path / "a.json", roster=roster)
    assert isinstance(opened, T4App)
    assert (opened.case.org, opened.case.seed, opened.case.candidate_id) == (ORG, assigned.seed, "c001")
    assert f"seed {assigned.seed}" in opened.header.value and str(tmp_path / "a.json") in opened.header.value


def test_a_mismatch_with_the_roster_is_shown_naming_both(
    roster: Roster, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = worlds_built(monkeypatch, world)
    assigned = roster.assignment("c001", "T4")
    assert assigned is not None
    step = open_case("T4", "bank-cards", 5, "c001", "en", tmp_path / "a.json", roster=roster)
    assert isinstance(step, IdentityStep) and step.app is None and not built
    shown = "".join(texts_of(step.widget))
    assert "bank-cards" in shown and ORG in shown and "the seed given, 5" in shown and str(assigned.seed) in shown
    assert step.source.disabled and step.roster.disabled  # a roster given stays the roster
    step.confirm_button.click()  # confirming looks the candidate up in the roster: its world, shown first
    assert isinstance(step.app, T4App) and (step.app.case.org, step.app.case.seed) == (ORG, assigned.seed)


def test_the_identity_step_asks_shows_and_opens_only_when_confirmed(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    built = worlds_built(monkeypatch, world)
    step = open_case("T4", lang="en")
    assert isinstance(step, IdentityStep) and step.confirm_button.disabled
    assert "Enter your candidate id" in step.summary.value
    step.candidate.value = "../../etc/passwd"
    assert "cannot be a candidate id" in step.summary.value and step.confirm_button.disabled
    step.candidate.value = "cand-9"
    step.org.value, step.seed.value = ORG, "-3"
    assert step.confirm_button.disabled and "seed must be a whole number" in step.summary.value
    step.seed.value = str(SEED)
    summary = step.summary.value
    for shown in ("cand-9", ORG, f"<td>{SEED}</td>", "answers/cand-9-T4.json", "answers/cand-9-T4.json.draft"):
        assert shown in summary, shown
    assert not step.confirm_button.disabled and step.app is None and not built  # no world before confirming
    step.confirm_button.click()
    app = step.app
    assert isinstance(app, T4App) and step.widget.children == (app.widget,)
    assert built == [(ORG, SEED)] and app.answer_path == Path("answers/cand-9-T4.json")
    assert app.case.candidate_id == "cand-9" and "candidate cand-9" in app.header.value


def test_the_identity_step_looks_a_candidate_up_in_a_roster_here(
    roster: Roster, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    built = worlds_built(monkeypatch, world)
    save_roster(roster, tmp_path / "roster.json")
    assigned = roster.assignment("c001", "T4")
    assert assigned is not None
    step = open_case("T4", lang="en")
    assert isinstance(step, IdentityStep)
    step.source.value = "roster"
    step.candidate.value = "c001"
    step.roster.value = "../roster.json"
    assert "not a roster file in this folder" in step.summary.value and step.confirm_button.disabled
    step.roster.value = "roster.json"
    assert str(assigned.seed) in step.summary.value and "the roster (component T4)" in step.summary.value
    step.candidate.value = "c404"
    assert "c404 is not on the roster" in step.summary.value and step.confirm_button.disabled
    step.candidate.value = "c001"
    step.confirm_button.click()
    assert isinstance(step.app, T4App) and built == [(ORG, assigned.seed)]


def test_open_case_given_a_roster_path_and_no_candidate_asks_for_the_id(roster: Roster, tmp_path: Path) -> None:
    path = save_roster(roster, tmp_path / "cohort-roster.json")
    step = open_case("T4", lang="en", roster=str(path))
    assert isinstance(step, IdentityStep) and step.source.value == "roster" and step.roster.value == str(path)
    step.candidate.value = "c001"
    assert not step.confirm_button.disabled and "component T4" in step.summary.value


# --- the draft and the checklist ---------------------------------------------------------------------------------


def paste(app: T4App) -> None:
    app.builder.json.value = json.dumps(SCHEME)
    app.builder.apply_json_button.click()


def test_work_is_kept_as_a_draft_that_a_save_removes(app: T4App) -> None:
    draft = draft_path(app.answer_path)
    app.explore.by.value = "staff"  # no answer yet: nothing to keep
    assert not draft.exists()
    paste(app)
    assert draft.exists() and not app.answer_path.exists()
    assert registry.load_answer(draft) == app.case.to_answer()
    assert "Draft kept in" in app.save.draft_status.value
    before = draft.read_bytes()
    app.explore.by.value = "team"  # the answer did not change: the draft is not written again
    assert draft.read_bytes() == before
    app.texts.areas["discussion"].value = "first thoughts"
    assert json.loads(draft.read_text(encoding="utf-8"))["discussion"] == "first thoughts"
    app.save.save_button.click()
    assert app.answer_path.exists() and not draft.exists() and app.save.draft_status.value == ""


def test_a_draft_is_offered_before_the_case_opens(app: T4App, world: World, tmp_path: Path) -> None:
    paste(app)
    app.texts.areas["justification"].value = "unsaved"
    draft = draft_path(app.answer_path)
    kept = draft.read_bytes()
    again = T4App.create(ORG, SEED, "cand-1", "en", app.answer_path, world=world)
    assert not hasattr(again, "tab") and again.case.scheme is None  # nothing opens, nothing is written, until asked
    assert "never been saved as your answer" in "".join(texts_of(again.widget))
    assert again.discard_draft_button.description == "Start a new case (discard the draft)"
    assert draft.read_bytes() == kept and not app.answer_path.exists()
    again.resume_draft_button.click()
    assert again.case.justification == "unsaved" and again.case.scheme is not None
    assert again.texts.areas["justification"].value == "unsaved" and "Resumed the draft" in again.header.value
    assert draft.read_bytes() == kept  # resuming keeps the draft until the next change or a save


def test_starting_from_the_saved_answer_discards_the_draft(app: T4App, world: World) -> None:
    paste(app)
    app.texts.areas["discussion"].value = "saved"
    app.save.save_button.click()
    app.texts.areas["discussion"].value = "saved, then changed"
    draft = draft_path(app.answer_path)
    assert draft.exists()
    again = T4App.create(ORG, SEED, "cand-1", "en", app.answer_path, world=world)
    shown = "".join(texts_of(again.widget))
    assert "differs from your saved answer" in shown and "The draft is newer than the saved answer." in shown
    again.discard_draft_button.click()
    assert not draft.exists() and again.case.discussion == "saved" and "was discarded" in again.header.value
    third = T4App.create(ORG, SEED, "cand-1", "en", app.answer_path, world=world)
    assert hasattr(third, "tab") and third.case.discussion == "saved"


def test_a_draft_the_same_as_the_answer_or_of_another_case_is_not_offered(app: T4App, world: World) -> None:
    paste(app)
    app.save.save_button.click()
    draft = draft_path(app.answer_path)
    shutil.copy(app.answer_path, draft)
    again = T4App.create(ORG, SEED, "cand-1", "en", app.answer_path, world=world)
    assert hasattr(again, "tab") and not draft.exists()  # the same as the answer: nothing lost
    doc = json.loads(app.answer_path.read_text(encoding="utf-8"))
    draft.write_text(json.dumps({**doc, "candidate_id": "someone-else"}), encoding="utf-8")
    other = T4App.create(ORG, SEED, "cand-1", "en", app.answer_path, world=world)
    assert hasattr(other, "tab") and "belongs to another case" in other.header.value and draft.exists()
    draft.write_text("{not json", encoding="utf-8")
    broken = T4App.create(ORG, SEED, "cand-1", "en", app.answer_path, world=world)
    assert hasattr(broken, "tab") and "could not be read" in broken.header.value


def test_the_save_tab_shows_what_the_rubric_still_looks_for(app: T4App) -> None:
    def todo() -> int:
        return int(app.save.checklist.value.count("still to do"))

    assert todo() == 6
    paste(app)
    app.simulation.run_button.click()
    assert todo() == 4
    f = app.audit.findings
    f.staff_ids.value, f.description.value, f.corrective_action.value = "E0001", "overpaid", "recompute"
    f.add_button.click()
    app.texts.areas["justification"].value = "balanced"
    app.texts.areas["discussion"].value = "trade-offs"
    assert todo() == 1 and app.case.declaration is None
    app.save.declared.value = True  # the tick declares at once (and the draft keeps it)
    assert app.case.declaration is not None and todo() == 0
    assert "Everything the rubric looks for is there" in app.save.checklist.value
    assert json.loads(draft_path(app.answer_path).read_text(encoding="utf-8"))["declaration"]["agreed"] is True


def test_in_a_running_kernel_the_draft_is_kept_a_moment_later_once(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("casekit.widgets.app.DRAFT_DELAY", 0.05)
    written: list[Path] = []
    real = save_module.save_answer

    def counting(doc: Any, path: Any) -> Path:
        written.append(Path(path))
        return real(doc, path)

    monkeypatch.setattr(save_module, "save_answer", counting)

    async def work() -> T4App:
        app = T4App.create(ORG, SEED, "cand-1", "en", tmp_path / "answer.json", world=world)
        paste(app)
        app.texts.areas["discussion"].value = "a"
        app.texts.areas["discussion"].value = "ab"
        assert written == []  # not yet: the changes are kept together
        await asyncio.sleep(0.3)
        return app

    app = asyncio.run(work())
    assert written == [draft_path(app.answer_path)]
    assert json.loads(written[0].read_text(encoding="utf-8"))["discussion"] == "ab"
