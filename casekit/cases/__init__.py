"""The simulated cases: the platform every kind is built on, and one subpackage per kind (``t4_incentives``, ...).

The platform (what a new kind uses): :class:`~casekit.cases.base.Case` owns the lifecycle,
:class:`~casekit.cases.kind.CaseKind` declares a kind in one value, :class:`~casekit.cases.sections.Section` is one
part of its evidence. Pure domain logic: no widgets, no notebooks.
"""

from casekit.cases.base import Case
from casekit.cases.kind import CaseKind, ContextFactory, ProfileBuilder, Profiles
from casekit.cases.sections import Graded, Section, answer_of, free_text_section

__all__ = [
    "Case",
    "CaseKind",
    "ContextFactory",
    "Graded",
    "ProfileBuilder",
    "Profiles",
    "Section",
    "answer_of",
    "free_text_section",
]
