"""The tabbed case app every kind's front end is: its own panels in tabs, then a save tab; resumed from the
candidate's saved answer when there is one.

A kind's app subclasses :class:`CaseApp`, names its kind (:attr:`CaseApp.kind`) and builds its panels in
:meth:`CaseApp.panels`. :func:`open_case` opens the app any registered kind declares (``CaseKind.app``), which is
what the candidate notebooks call.
"""

from __future__ import annotations

import importlib
from abc import abstractmethod
from pathlib import Path
from typing import Any, ClassVar, Self

import ipywidgets as widgets

from casekit.cases.base import Case
from casekit.cases.kind import CaseKind, Opened
from casekit.errors import UsageError
from casekit.html import esc
from casekit.i18n import normalise_lang, t
from casekit.registry import registry
from casekit.scenario import World
from casekit.widgets.panel import Panel
from casekit.widgets.render import STYLE, message_html, problems_html
from casekit.widgets.save import SavePanel

__all__ = ["CaseApp", "app_class", "open_case"]


class CaseApp(Panel):
    """A case in tabs: the kind's panels, then saving. ``case`` is the case object every panel reads and writes."""

    kind: ClassVar[CaseKind]

    def __init__(self, case: Case[Any], answer_path: str | Path, lang: str = "zh-TW", *, notice: str = "") -> None:
        self.case = case
        self.lang = lang = normalise_lang(lang)
        self.answer_path = Path(answer_path)
        tabs = self.panels()
        self.save = SavePanel(case, self.answer_path, lang)
        tabs.append(("widgets.tab_save", self.save.widget))
        self.tab = widgets.Tab(children=[w for _, w in tabs])
        self.tab.titles = tuple(
            t("widgets.tab_numbered", lang, n=n, title=t(key, lang)) for n, (key, _) in enumerate(tabs, start=1)
        )
        title = t(
            "widgets.app_title",
            lang,
            kind=self.kind.title(lang),
            candidate=case.candidate_id,
            org=case.world.spec.title.get(lang) or case.org,
            seed=case.seed,
        )
        self.header = widgets.HTML(f"{STYLE}<h2>{esc(title)}</h2>{notice}")
        self.widget = widgets.VBox([self.header, self.tab, self.alert])
        self.widget.add_class("ck-app")

    @abstractmethod
    def panels(self) -> list[tuple[str, Any]]:
        """The kind's tabs before saving, in order: (catalog key of the tab's title, the tab's widget)."""

    @classmethod
    def create(
        cls,
        org: str,
        seed: int,
        candidate_id: str,
        lang: str = "zh-TW",
        answer_path: str | Path | None = None,
        *,
        world: World | None = None,
    ) -> Self:
        """A new case, or the one saved at ``answer_path`` when that file is a valid answer of this kind for the
        same organisation, seed and candidate. A file that cannot be resumed is left alone and named in a notice;
        saving will replace it."""
        lang = normalise_lang(lang)
        path = Path(answer_path) if answer_path is not None else Path("answers") / f"{candidate_id}-{cls.kind.id}.json"
        opened = cls.kind.open(org, seed, candidate_id, lang, path, world=world)
        return cls(opened.case, path, lang, notice=_notice(opened, path, lang))


def _notice(opened: Opened, path: Path, lang: str) -> str:
    """What the candidate is told about their saved answer when the case opens."""
    if opened.status == "resumed":
        return message_html(t("widgets.resumed", lang, path=str(path)), "ok")
    if opened.status == "invalid" and opened.problems is not None:
        return message_html(t("widgets.resume_invalid", lang, path=str(path)), "warn") + problems_html(
            opened.problems, lang
        )
    if opened.status == "other":
        return message_html(t("widgets.resume_other", lang, path=str(path), **opened.found), "warn")
    return ""


def app_class(kind: CaseKind) -> type[CaseApp]:
    """The widget app ``kind`` declares (``"module:Class"``), imported now; a clear error if it has none."""
    if kind.app is None:
        raise UsageError(t("widgets.no_app", None, kind=kind.id))
    module_name, _, name = kind.app.partition(":")
    app = getattr(importlib.import_module(module_name), name, None)
    if not (isinstance(app, type) and issubclass(app, CaseApp) and app.kind.id == kind.id):
        raise UsageError(t("widgets.bad_app", None, kind=kind.id, app=kind.app))
    return app


def open_case(
    kind_id: str,
    org: str,
    seed: int,
    candidate_id: str,
    lang: str = "zh-TW",
    answer_path: str | Path | None = None,
    *,
    world: World | None = None,
) -> CaseApp:
    """The candidate's app for a case of kind ``kind_id`` (resumed from ``answer_path`` when it can be)."""
    return app_class(registry.get(kind_id)).create(org, seed, candidate_id, lang, answer_path, world=world)
