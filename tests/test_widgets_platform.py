"""The generic widget scaffolding: one error boundary around every callback, the tabbed case app, and opening any
registered kind's app by its id. Driven headless (``.value = ...``, ``.click()``)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from casekit.cases.t4_incentives.kind import KIND as T4
from casekit.errors import UsageError
from casekit.scenario import World, build_world, find_spec, load_spec
from casekit.widgets import CaseApp, Panel, app_class, open_case
from casekit.widgets.t4_incentives import T4App

ORG, SEED = "ecommerce-cs", 3


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
    assert app_class(T4) is T4App and issubclass(T4App, CaseApp)
    assert opened.tab.titles[0] == "1. 檢視資料"


def test_a_kind_without_an_app_or_with_a_wrong_one_is_a_clear_error() -> None:
    import dataclasses

    with pytest.raises(UsageError, match="T4"):
        app_class(dataclasses.replace(T4, app=None))
    with pytest.raises(UsageError, match=r"casekit\.widgets\.panel:Panel"):
        app_class(dataclasses.replace(T4, app="casekit.widgets.panel:Panel"))
