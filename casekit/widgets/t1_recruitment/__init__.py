"""Widgets of the T1 case (recruitment and retention): one panel per step, composed by :class:`T1App`."""

from casekit.widgets.save import ANSWER_MIME
from casekit.widgets.t1_recruitment.app import T1App
from casekit.widgets.t1_recruitment.job import JobPanel
from casekit.widgets.t1_recruitment.kit import KitPanel
from casekit.widgets.t1_recruitment.retention import RetentionPanel
from casekit.widgets.t1_recruitment.selection import SelectionPanel
from casekit.widgets.t1_recruitment.staffing import StaffingPanel
from casekit.widgets.t1_recruitment.turnover import TurnoverPanel

__all__ = [
    "ANSWER_MIME",
    "JobPanel",
    "KitPanel",
    "RetentionPanel",
    "SelectionPanel",
    "StaffingPanel",
    "T1App",
    "TurnoverPanel",
]
