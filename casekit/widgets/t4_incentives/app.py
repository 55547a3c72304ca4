"""The T4 candidate app: every panel in a tab, wired so that each adopted scheme re-renders the preview."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets

from casekit.answers import load_answer
from casekit.cases.t4_incentives.answer import T4Answer
from casekit.cases.t4_incentives.case import T4Case
from casekit.errors import CasekitError
from casekit.evidence import esc
from casekit.i18n import normalise_lang, t
from casekit.scenario import World
from casekit.widgets.t4_incentives.audit import AuditPanel
from casekit.widgets.t4_incentives.base import Panel
from casekit.widgets.t4_incentives.explore import ExplorePanel
from casekit.widgets.t4_incentives.preview import PreviewPanel
from casekit.widgets.t4_incentives.render import STYLE, message_html, problems_html
from casekit.widgets.t4_incentives.save import SavePanel
from casekit.widgets.t4_incentives.scheme_builder import SchemeBuilder
from casekit.widgets.t4_incentives.simulation import SimulationPanel
from casekit.widgets.t4_incentives.texts import TextsPanel

__all__ = ["TABS", "T4App"]

TABS = ("explore", "scheme", "simulation", "audit", "texts", "save")


class T4App(Panel):
    """The whole case in tabs: explore, design (builder beside its live preview), simulate, audit, write, save."""

    def __init__(self, case: T4Case, answer_path: str | Path, lang: str = "zh-TW", *, notice: str = "") -> None:
        self.case = case
        self.lang = lang = normalise_lang(lang)
        self.answer_path = Path(answer_path)
        self.explore = ExplorePanel(case, lang)
        self.builder = SchemeBuilder(case, lang)
        self.preview = PreviewPanel(case, lang)
        self.simulation = SimulationPanel(case, lang)
        self.audit = AuditPanel(case, lang)
        self.texts = TextsPanel(case, lang)
        self.save = SavePanel(case, self.answer_path, lang)
        self.builder.on_adopt(self.preview.refresh)
        self.builder.on_adopt(self.simulation.scheme_changed)

        design = widgets.HBox(
            [self.builder.widget, self.preview.widget], layout=widgets.Layout(flex_flow="row wrap", width="100%")
        )
        self.builder.widget.layout = widgets.Layout(flex="1 1 560px", min_width="0", padding="0 8px 0 0")
        self.preview.widget.layout = widgets.Layout(flex="1 1 480px", min_width="0")
        panels = {
            "explore": self.explore.widget,
            "scheme": design,
            "simulation": self.simulation.widget,
            "audit": self.audit.widget,
            "texts": self.texts.widget,
            "save": self.save.widget,
        }
        self.tab = widgets.Tab(children=[panels[k] for k in TABS])
        self.tab.titles = tuple(t(f"widgets.tab_{k}", lang) for k in TABS)
        title = t(
            "widgets.app_title",
            lang,
            candidate=case.candidate_id,
            org=case.world.spec.title.get(lang) or case.org,
            seed=case.seed,
        )
        self.header = widgets.HTML(f"{STYLE}<h2>{esc(title)}</h2>{notice}")
        self.widget = widgets.VBox([self.header, self.tab])
        self.widget.add_class("ck-t4-app")

    @classmethod
    def create(
        cls,
        org: str,
        seed: int,
        candidate_id: str,
        lang: str = "zh-TW",
        answer_path: str | Path = "answers/t4.json",
        *,
        world: World | None = None,
    ) -> T4App:
        """A new case, or the one saved at ``answer_path`` when that file is a valid T4 answer of the same
        organisation, seed and candidate. A file that cannot be resumed is left alone and named in a notice;
        saving will replace it."""
        lang = normalise_lang(lang)
        path = Path(answer_path)
        case, notice = None, ""
        if path.exists():
            try:
                doc = load_answer(path)
            except CasekitError as exc:
                notice = message_html(t("widgets.resume_invalid", lang, path=str(path)), "warn") + problems_html(
                    exc, lang
                )
            else:
                same = (doc.case, doc.org, doc.seed, doc.candidate_id) == ("T4", org, seed, candidate_id)
                if isinstance(doc, T4Answer) and same:
                    case = T4Case.from_answer(doc, world=world)
                    case.lang = lang
                    notice = message_html(t("widgets.resumed", lang, path=str(path)), "ok")
                else:
                    notice = message_html(
                        t(
                            "widgets.resume_other",
                            lang,
                            path=str(path),
                            org=doc.org,
                            seed=doc.seed,
                            candidate=doc.candidate_id,
                        ),
                        "warn",
                    )
        if case is None:
            case = T4Case(org, seed, candidate_id, lang, world=world)
        return cls(case, path, lang, notice=notice)
