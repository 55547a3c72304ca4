"""Widgets of the T4 case (pay and incentive schemes): one panel per step, composed by :class:`T4App`."""

from casekit.widgets.save import ANSWER_MIME
from casekit.widgets.t4_incentives.app import T4App
from casekit.widgets.t4_incentives.audit import AuditPanel
from casekit.widgets.t4_incentives.component_editor import ComponentEditor
from casekit.widgets.t4_incentives.explore import ExplorePanel
from casekit.widgets.t4_incentives.findings import FindingsForm
from casekit.widgets.t4_incentives.preview import PreviewPanel
from casekit.widgets.t4_incentives.scheme_builder import SchemeBuilder
from casekit.widgets.t4_incentives.simulation import SimulationPanel

__all__ = [
    "ANSWER_MIME",
    "AuditPanel",
    "ComponentEditor",
    "ExplorePanel",
    "FindingsForm",
    "PreviewPanel",
    "SchemeBuilder",
    "SimulationPanel",
    "T4App",
]
