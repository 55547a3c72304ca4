"""Widgets of the T2 case (induction and training): one panel per step, composed by :class:`T2App`."""

from casekit.widgets.save import ANSWER_MIME
from casekit.widgets.t2_training.app import T2App
from casekit.widgets.t2_training.evaluation import EvaluationPanel
from casekit.widgets.t2_training.induction import InductionPanel
from casekit.widgets.t2_training.needs import NeedsPanel
from casekit.widgets.t2_training.plan import PlanPanel
from casekit.widgets.t2_training.records import RecordsPanel

__all__ = ["ANSWER_MIME", "EvaluationPanel", "InductionPanel", "NeedsPanel", "PlanPanel", "RecordsPanel", "T2App"]
