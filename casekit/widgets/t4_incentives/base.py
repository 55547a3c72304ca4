"""What every T4 panel shares: the ipywidgets box it shows, and being displayable as that box."""

from __future__ import annotations

from typing import Any

__all__ = ["Panel"]


class Panel:
    """A thin view over a case. ``widget`` is the box shown; displaying the panel displays the box.

    Panels hold widgets by composition rather than by subclassing a box, so their own attributes (``case``,
    ``lang``, the named child widgets that tests drive) stay typed and separate from the widget's traits.
    """

    widget: Any

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)
