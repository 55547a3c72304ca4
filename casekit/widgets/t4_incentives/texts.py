"""The written parts (M2): the justification of the scheme and the case discussion, bound to the case."""

from __future__ import annotations

import ipywidgets as widgets

from casekit.cases.t4_incentives.answer import MAX_TEXT
from casekit.cases.t4_incentives.case import T4Case
from casekit.evidence import esc
from casekit.i18n import t
from casekit.widgets.t4_incentives.base import Panel
from casekit.widgets.t4_incentives.render import message_html

__all__ = ["TextsPanel"]


class TextsPanel(Panel):
    """Two text areas; every edit is written to ``case.justification`` / ``case.discussion`` as it is typed."""

    def __init__(self, case: T4Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        area = widgets.Layout(width="98%", height="220px")
        self.justification = widgets.Textarea(
            value=case.justification, placeholder=t("widgets.justification_hint", lang), layout=area
        )
        self.discussion = widgets.Textarea(
            value=case.discussion, placeholder=t("widgets.discussion_hint", lang), layout=area
        )
        self.justification_count = widgets.HTML()
        self.discussion_count = widgets.HTML()
        self.justification.observe(lambda _c: self._sync(), names="value")
        self.discussion.observe(lambda _c: self._sync(), names="value")
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<h3>{esc(t('widgets.justification', lang))}</h3>"),
                self.justification,
                self.justification_count,
                widgets.HTML(f"<h3>{esc(t('widgets.discussion', lang))}</h3>"),
                self.discussion,
                self.discussion_count,
            ]
        )
        self._sync()

    def _sync(self) -> None:
        self.case.justification = self.justification.value
        self.case.discussion = self.discussion.value
        for area, count in ((self.justification, self.justification_count), (self.discussion, self.discussion_count)):
            n = len(area.value)
            text = t("widgets.chars", self.lang, n=f"{n:,}", limit=f"{MAX_TEXT:,}")
            count.value = message_html(text, "warn" if n > MAX_TEXT else "info")
