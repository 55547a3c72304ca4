"""Widgets of the T5 case (legal and regulatory compliance): one panel per step, composed by :class:`T5App`."""

from casekit.widgets.save import ANSWER_MIME
from casekit.widgets.t5_compliance.app import T5App
from casekit.widgets.t5_compliance.courses import TrainingPanel
from casekit.widgets.t5_compliance.findings import RegisterPanel
from casekit.widgets.t5_compliance.obligations import FrameworkPanel
from casekit.widgets.t5_compliance.records import RecordsPanel
from casekit.widgets.t5_compliance.scans import RulesPanel
from casekit.widgets.t5_compliance.verification import NextMonthPanel

__all__ = [
    "ANSWER_MIME",
    "FrameworkPanel",
    "NextMonthPanel",
    "RecordsPanel",
    "RegisterPanel",
    "RulesPanel",
    "T5App",
    "TrainingPanel",
]
