"""The tabbed case app every kind's front end is: its own panels in tabs, then a save tab; resumed from the
candidate's saved answer when there is one, or from their draft when they choose it.

A kind's app subclasses :class:`CaseApp`, names its kind (:attr:`CaseApp.kind`) and builds its panels in
:meth:`CaseApp.panels`. :func:`open_case` opens the app any registered kind declares (``CaseKind.app``), which is
what the candidate notebooks call. It first settles who the candidate is
(:func:`casekit.assessment.identity.resolve_identity`): from the roster, or from what the notebook was given; when
that is not enough, an identity step (:class:`IdentityStep`) asks, shows who, which world and which answer file,
and opens the case (and generates its world) only once the candidate confirms.

The app hears every input and button of its tabs (rows a panel adds later too), then refreshes the save tab's
checklist and keeps the draft (:class:`~casekit.widgets.save.Drafts`), in a running kernel at most once every
:data:`DRAFT_DELAY` seconds. A draft that differs from the saved answer is offered when the case opens: resume it,
or start from the saved answer and discard it; the tabs open only once the candidate has chosen, so neither file
is overwritten unasked.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import time
import weakref
from abc import abstractmethod
from pathlib import Path
from typing import Any, ClassVar, Self

import ipywidgets as widgets

from casekit.assessment.identity import Identity, default_answer_path, resolve_identity, roster_in_folder
from casekit.assessment.roster import Roster, known_orgs, load_roster, shipped_orgs
from casekit.cases.base import Case
from casekit.cases.kind import CaseKind, Opened
from casekit.errors import CasekitError, UsageError
from casekit.html import esc
from casekit.i18n import normalise_lang, t
from casekit.registry import registry
from casekit.scenario import World, load_spec
from casekit.scenario.spec import spec_by_name
from casekit.widgets.panel import Panel
from casekit.widgets.render import STYLE, message_html, problems_html
from casekit.widgets.save import DraftOffer, SavePanel, draft_path, offered_draft

__all__ = ["DRAFT_DELAY", "CaseApp", "IdentityStep", "app_class", "open_case"]

#: Seconds a running kernel waits after a change before keeping the draft (the changes meanwhile kept together).
DRAFT_DELAY = 1.0
_SHOWN = (widgets.HTML, widgets.HTMLMath, widgets.Label)  # value widgets that only show
_WIDE = {"description_width": "12em"}


def descendants(widget: Any) -> list[Any]:
    """``widget`` and every widget inside it."""
    found, stack = [], [widget]
    while stack:
        w = stack.pop()
        found.append(w)
        stack.extend(getattr(w, "children", ()) or ())
    return found


class CaseApp(Panel):
    """A case in tabs: the kind's panels, then saving. ``case`` is the case object every panel reads and writes;
    with a ``draft`` to offer, the tabs open once the candidate has chosen the draft or the case it differs from."""

    kind: ClassVar[CaseKind]
    tab: Any
    save: SavePanel

    def __init__(
        self,
        case: Case[Any],
        answer_path: str | Path,
        lang: str = "zh-TW",
        *,
        notice: str = "",
        draft: DraftOffer | None = None,
    ) -> None:
        self.case = case
        self.lang = lang = normalise_lang(lang)
        self.answer_path = Path(answer_path)
        self.draft = draft
        title = t(
            "widgets.app_title",
            lang,
            kind=self.kind.title(lang),
            candidate=case.candidate_id,
            org=case.world.spec.title.get(lang) or case.org,
            seed=case.seed,
        )
        where = {"path": str(self.answer_path), "draft": str(draft_path(self.answer_path))}
        title_html = f"{STYLE}<h2>{esc(title)}</h2>" + message_html(t("candidate.answer_at", lang, **where))
        self.header = widgets.HTML(title_html + notice)
        self.body = widgets.VBox()
        self.widget = widgets.VBox([self.header, self.body, self.alert])
        self.widget.add_class("ck-app")
        self._heard_from: weakref.WeakSet[Any] = weakref.WeakSet()
        self._pending: asyncio.TimerHandle | None = None
        if draft is None:
            self._start()
        else:
            self._offer(draft)

    @abstractmethod
    def panels(self) -> list[tuple[str, Any]]:
        """The kind's tabs before saving, in order: (catalog key of the tab's title, the tab's widget)."""

    def _start(self) -> None:
        """Build the tabs over :attr:`case` and start hearing them."""
        lang, tabs = self.lang, self.panels()
        self.save = SavePanel(self.case, self.answer_path, lang)
        tabs.append(("widgets.tab_save", self.save.widget))
        self.tab = widgets.Tab(children=[w for _, w in tabs])
        titles = (t("widgets.tab_numbered", lang, n=n, title=t(key, lang)) for n, (key, _) in enumerate(tabs, 1))
        self.tab.titles = tuple(titles)
        self.body.children = (self.tab,)
        self._hear()

    def _offer(self, draft: DraftOffer) -> None:
        """Ask whether to resume the draft, before any tab opens."""
        lang, path, kept = self.lang, self.answer_path, draft_path(self.answer_path)
        times = {"draft": str(kept), "draft_time": _when(kept), "path": str(path)}
        if draft.over_saved:
            newer = "candidate.draft_newer" if kept.stat().st_mtime >= path.stat().st_mtime else "candidate.saved_newer"
            text = t("candidate.draft_offer_saved", lang, saved_time=_when(path), **times) + " " + t(newer, lang)
        else:
            text = t("candidate.draft_offer_new", lang, **times)
        auto = widgets.Layout(width="auto")
        self.resume_draft_button = widgets.Button(
            description=t("candidate.resume_draft", lang), button_style="primary", layout=auto
        )
        other = "candidate.start_saved" if draft.over_saved else "candidate.start_new"
        self.discard_draft_button = widgets.Button(description=t(other, lang), layout=auto)
        self.when_clicked(self.resume_draft_button, lambda: self._choose(resume=True))
        self.when_clicked(self.discard_draft_button, lambda: self._choose(resume=False))
        buttons = widgets.HBox([self.resume_draft_button, self.discard_draft_button])
        self.body.children = (widgets.HTML(message_html(text, "warn")), buttons)

    def _choose(self, *, resume: bool) -> None:
        """Open the tabs over the draft (``resume``), or over the case it was offered against, discarding it."""
        if self.draft is None:
            return
        kept = draft_path(self.answer_path)
        if resume:
            self.case = self.draft.case
            notice = message_html(t("candidate.draft_resumed", self.lang, draft=str(kept)), "ok")
        else:
            kept.unlink(missing_ok=True)
            notice = message_html(t("candidate.draft_discarded", self.lang, draft=str(kept)))
        self.draft = None
        self.header.value += notice
        self._start()

    def _hear(self) -> None:
        """Hear every input and button of the tabs not heard yet."""
        for w in descendants(self.tab):
            if w in self._heard_from:
                continue
            if isinstance(w, widgets.Button):
                w.on_click(self._heard)
            elif isinstance(w, widgets.ValueWidget) and not isinstance(w, _SHOWN):
                w.observe(self._heard, names="value")
            else:
                continue
            self._heard_from.add(w)

    def _heard(self, *_event: Any) -> None:
        """A change (after the panel's own handlers ran): hear what it added, then keep the draft, at once or, in a
        running kernel, after :data:`DRAFT_DELAY` seconds together with the changes until then."""
        self._hear()
        if self._pending is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a test, a script): at once
            self._keep()
            return
        self._pending = loop.call_later(DRAFT_DELAY, self._keep)

    def _keep(self) -> None:
        self._pending = None
        self.guard(self.save.changed)()

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
        """A new case, or the one saved at ``answer_path`` (default ``answers/<candidate>-<kind>.json``) when that
        file is a valid answer of this kind for the same organisation, seed and candidate. A file that cannot be
        resumed is left alone and named in a notice; saving will replace it. A draft that differs from the saved
        answer is offered first."""
        lang = normalise_lang(lang)
        path = Path(answer_path) if answer_path is not None else default_answer_path(candidate_id, cls.kind.id, lang)
        opened = cls.kind.open(org, seed, candidate_id, lang, path, world=world)
        offer, about_draft = offered_draft(cls.kind, opened, path, lang, world)
        return cls(opened.case, path, lang, notice=_notice(opened, path, lang) + about_draft, draft=offer)


def _when(path: Path) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(path.stat().st_mtime))


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


def _org_title(name: str, lang: str) -> str:
    try:
        return load_spec(spec_by_name(name)).title.get(lang) or name
    except CasekitError:
        return name


class IdentityStep(Panel):
    """Who the candidate is and which world they work in, asked before the case opens: their id, and either a
    roster to look them up in or an organisation and a seed. :attr:`summary` shows who, which organisation and
    seed and which answer file; :meth:`confirm` opens the case (:attr:`app`) in its place.

    A roster the notebook was given stays fixed (the candidate cannot choose their own world instead); one the
    candidate names is a file name in the working folder (:func:`~casekit.assessment.identity.roster_in_folder`).
    """

    def __init__(
        self,
        app: type[CaseApp],
        lang: str,
        *,
        candidate_id: str | None = None,
        org: str | None = None,
        seed: int | str | None = None,
        roster: Roster | str | os.PathLike[str] | None = None,
        answer_path: str | os.PathLike[str] | None = None,
        world: World | None = None,
        error: CasekitError | None = None,
    ) -> None:
        self.app_class, self.lang, self.world = app, lang, world
        blank = roster is None or (isinstance(roster, str) and not roster.strip())
        self.answer_path, self.roster_given = answer_path, None if blank else roster
        self.app: CaseApp | None = None
        self.identity: Identity | None = None
        self._rosters: dict[str, Roster] = {}
        self.candidate = widgets.Text(value=candidate_id or "", description=t("candidate.id", lang), style=_WIDE)
        self.candidate.placeholder = t("candidate.id_hint", lang)
        choices = [(t("candidate.source_roster", lang), "roster"), (t("candidate.source_given", lang), "given")]
        fixed = self.roster_given is not None
        self.source = widgets.ToggleButtons(options=choices, value="roster" if fixed else "given", disabled=fixed)
        shown_roster = self.roster_given.plan_id if isinstance(self.roster_given, Roster) else (self.roster_given or "")
        self.roster = widgets.Text(value=str(shown_roster), description=t("candidate.roster", lang), style=_WIDE)
        self.roster.placeholder, self.roster.disabled = t("candidate.roster_hint", lang), fixed
        orgs = list(dict.fromkeys([*shipped_orgs(), *([org] if org in known_orgs() else [])]))
        self.org = widgets.Dropdown(
            options=[(f"{_org_title(o, lang)} ({o})", o) for o in orgs],
            value=org if org in orgs else None,
            description=t("candidate.org", lang),
            style=_WIDE,
        )
        self.seed = widgets.Text(value="" if seed is None else str(seed), description=t("candidate.seed", lang))
        self.seed.style = _WIDE
        self.summary = widgets.HTML()
        self.confirm_button = widgets.Button(
            description=t("candidate.confirm", lang), button_style="success", disabled=True
        )
        for w in (self.candidate, self.source, self.roster, self.org, self.seed):
            self.when_changed(w, self.check)
        self.when_clicked(self.confirm_button, self.confirm)
        intro = f"{STYLE}<h2>{esc(app.kind.title(lang))}</h2><p>{esc(t('candidate.intro', lang))}</p>"
        told = problems_html(error, lang) if error is not None else ""
        form = [self.candidate, self.source, self.roster, self.org, self.seed, self.summary, self.confirm_button]
        self.widget = widgets.VBox([widgets.HTML(intro + told), *form, self.alert])
        self.widget.add_class("ck-app")
        self.check()

    def _roster(self) -> Roster | None:
        """The roster to look the candidate up in: the one given, or the file the candidate names (read once)."""
        if isinstance(self.roster_given, Roster):
            return self.roster_given
        if self.roster_given is not None:
            path = os.fspath(self.roster_given)
        elif self.roster.value.strip():
            path = str(roster_in_folder(self.roster.value, self.lang))
        else:
            return None
        if path not in self._rosters:
            self._rosters[path] = load_roster(path)
        return self._rosters[path]

    def check(self) -> None:
        """Resolve what is entered: the summary to confirm, or what is still missing or wrong."""
        self.identity, self.confirm_button.disabled = None, True
        by_roster = self.source.value == "roster"
        self.roster.layout.display = None if by_roster else "none"
        self.org.layout.display = self.seed.layout.display = "none" if by_roster else None
        kind, lang, cid, path = self.app_class.kind.id, self.lang, self.candidate.value, self.answer_path
        try:
            if by_roster:
                found = resolve_identity(kind, cid, roster=self._roster(), answer_path=path, lang=lang)
            else:
                found = resolve_identity(kind, cid, self.org.value, self.seed.value, answer_path=path, lang=lang)
        except CasekitError as exc:
            self.summary.value = problems_html(exc, lang)
            return
        if found is None:
            self.summary.value = message_html(t("candidate.fill_in", lang))
            return
        self.identity, self.confirm_button.disabled = found, False
        self.summary.value = _identity_html(found, lang)

    def confirm(self) -> CaseApp | None:
        """Open the case for the identity shown (nothing while there is none); the app takes the step's place."""
        self.check()
        if self.identity is None:
            return None
        i = self.identity
        self.app = self.app_class.create(i.org, i.seed, i.candidate_id, self.lang, i.answer_path, world=self.world)
        self.widget.children = (self.app.widget,)
        return self.app


def _identity_html(identity: Identity, lang: str) -> str:
    """Who, which world and which answer file, as a table to check before confirming."""
    how = (
        t("candidate.by_roster", lang, component=identity.component)
        if identity.component
        else t("candidate.by_given", lang)
    )
    rows = [
        ("candidate.id", identity.candidate_id),
        ("candidate.org", f"{_org_title(identity.org, lang)} ({identity.org})"),
        ("candidate.seed", str(identity.seed)),
        ("candidate.assigned", how),
        ("candidate.answer_file", str(identity.answer_path)),
        ("candidate.draft_file", str(draft_path(identity.answer_path))),
    ]
    cells = "".join(f"<tr><th>{esc(t(k, lang))}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    check = message_html(t("candidate.confirm_hint", lang), "warn")
    return f'<table class="ck-table ck-identity">{cells}</table>{check}'


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
    org: str | None = None,
    seed: int | str | None = None,
    candidate_id: str | None = None,
    lang: str | None = "zh-TW",
    answer_path: str | os.PathLike[str] | None = None,
    *,
    roster: Roster | str | os.PathLike[str] | None = None,
    world: World | None = None,
) -> CaseApp | IdentityStep:
    """The candidate's app for a case of kind ``kind_id``, once who they are is settled
    (:func:`~casekit.assessment.identity.resolve_identity`): with a ``roster`` (a :class:`Roster` or the path of
    one) and a ``candidate_id``, the organisation and seed the roster assigns them (an ``org`` or ``seed`` given as
    well must agree); without one, the ``org``, ``seed`` and ``candidate_id`` given. When that is not enough, or
    something given is wrong, the :class:`IdentityStep` (showing the problems) asks first. The answer is saved to
    ``answer_path`` (default ``answers/<candidate>-<kind>.json``), resumed from it when it can be."""
    app, lang = app_class(registry.get(kind_id)), normalise_lang(lang)
    given: dict[str, Any] = {"candidate_id": candidate_id, "org": org, "seed": seed, "answer_path": answer_path}
    try:
        found = resolve_identity(app.kind.id, roster=roster, lang=lang, **given)
    except CasekitError as exc:
        return IdentityStep(app, lang, roster=roster, world=world, error=exc, **given)
    if found is None:
        return IdentityStep(app, lang, roster=roster, world=world, **given)
    return app.create(found.org, found.seed, found.candidate_id, lang, found.answer_path, world=world)
