"""The candidate front end: ipywidgets panels over the case objects, one subpackage per case kind.

Widgets are thin (DESIGN "Seams"): each reads and writes a case object and re-renders. Validation, computation
and saving stay in the case object, where tests see them; a widget shows what the case returns, or the problems
it raises, escaped. Every callback runs inside one error boundary (:class:`~casekit.widgets.panel.Panel`).
What every kind shares is here: the panel, the tabbed case app with resume and drafts, the identity step before it,
saving with its checklist, free texts and row lists.
"""

from casekit.widgets.app import CaseApp, IdentityStep, app_class, open_case
from casekit.widgets.panel import Panel

__all__ = ["CaseApp", "IdentityStep", "Panel", "app_class", "open_case"]
