"""Widgets of the T4 case (pay and incentive schemes): one panel per step, composed by :class:`T4App`."""

from casekit.widgets.t4.app import T4App
from casekit.widgets.t4.audit import AuditPanel
from casekit.widgets.t4.component_editor import ComponentEditor
from casekit.widgets.t4.explore import ExplorePanel
from casekit.widgets.t4.findings import FindingsForm
from casekit.widgets.t4.preview import PreviewPanel
from casekit.widgets.t4.row_list import RowList
from casekit.widgets.t4.save import ANSWER_MIME, SavePanel
from casekit.widgets.t4.scheme_builder import SchemeBuilder
from casekit.widgets.t4.simulation import SimulationPanel
from casekit.widgets.t4.texts import TextsPanel

__all__ = [
    "ANSWER_MIME",
    "AuditPanel",
    "ComponentEditor",
    "ExplorePanel",
    "FindingsForm",
    "PreviewPanel",
    "RowList",
    "SavePanel",
    "SchemeBuilder",
    "SimulationPanel",
    "T4App",
    "TextsPanel",
]
