"""Widgets of the T3 case (performance management): one panel per step, composed by :class:`T3App`."""

from casekit.widgets.save import ANSWER_MIME
from casekit.widgets.t3_performance.app import T3App
from casekit.widgets.t3_performance.appraisal import AppraisalPanel
from casekit.widgets.t3_performance.development import DevelopmentPanel
from casekit.widgets.t3_performance.kpi_sets import KpiSetsPanel
from casekit.widgets.t3_performance.members import MembersPanel
from casekit.widgets.t3_performance.reviews import ReviewsPanel
from casekit.widgets.t3_performance.targets import TargetsPanel

__all__ = [
    "ANSWER_MIME",
    "AppraisalPanel",
    "DevelopmentPanel",
    "KpiSetsPanel",
    "MembersPanel",
    "ReviewsPanel",
    "T3App",
    "TargetsPanel",
]
