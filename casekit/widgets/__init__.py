"""The candidate front end: ipywidgets panels over the case objects (one subpackage per case).

Widgets are thin (DESIGN "Seams"): each reads and writes a case object and re-renders. Validation, computation
and saving stay in the case object, where tests see them; a widget shows what the case returns, or the problems
it raises, escaped.
"""

__all__: list[str] = []
