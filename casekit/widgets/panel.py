"""What every panel shares: the ipywidgets box it shows, and one error boundary around every callback.

Why the boundary: an exception raised in an ipywidgets callback goes to the Jupyter log and nowhere else, so the
candidate clicks and sees nothing happen. Every handler a panel registers goes through :meth:`Panel.guard`: a
:class:`~casekit.errors.CasekitError` (a problem with what the candidate entered) is shown as every problem it
names; any other exception is logged with its traceback and shown as a clear message; either way the candidate
sees it in the panel's :attr:`Panel.alert`, and nothing fails silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from casekit.errors import CasekitError
from casekit.i18n import t
from casekit.widgets.render import message_html, problems_html

__all__ = ["Panel"]

_log = logging.getLogger("casekit.widgets")


class Panel:
    """A thin view over a case. ``widget`` is the box shown; displaying the panel displays the box.

    Panels hold widgets by composition rather than by subclassing a box, so their own attributes (``case``,
    ``lang``, the named child widgets that tests drive) stay typed and separate from the widget's traits. A panel
    puts :attr:`alert` in its box, where its callbacks' errors appear.
    """

    widget: Any
    lang: str = "zh-TW"
    _alert: Any = None

    @property
    def alert(self) -> Any:
        """Where this panel's callbacks report what went wrong (empty while all is well)."""
        if self._alert is None:
            self._alert = widgets.HTML()
            self._alert.add_class("ck-alert")
        return self._alert

    def guard(self, callback: Callable[[], object]) -> Callable[..., None]:
        """A handler for ``on_click`` or ``observe`` that runs ``callback()`` inside the error boundary (the
        button or change the handler is given is not passed on)."""

        def handler(*_event: Any) -> None:
            try:
                callback()
            except CasekitError as exc:
                self.alert.value = problems_html(exc, self.lang)
            except Exception as exc:  # the boundary: nothing a callback raises may vanish into the log
                _log.exception("casekit widget callback failed")
                error = f"{type(exc).__name__}: {exc}"
                self.alert.value = message_html(t("widgets.unexpected_error", self.lang, error=error), "error")
            else:
                self.alert.value = ""

        return handler

    def when_clicked(self, button: Any, callback: Callable[[], object]) -> None:
        """Run ``callback()`` when ``button`` is clicked, inside the error boundary."""
        button.on_click(self.guard(callback))

    def when_changed(self, widget: Any, callback: Callable[[], object], names: str = "value") -> None:
        """Run ``callback()`` when ``widget``'s trait ``names`` changes, inside the error boundary."""
        widget.observe(self.guard(callback), names=names)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)
