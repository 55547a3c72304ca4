"""T4 — pay and incentive schemes (P4.1-P4.4): scheme model, payout calculator with explanations."""

from casekit.cases.t4_incentives.payout import PayoutResult, compute_payouts, period_kpis
from casekit.cases.t4_incentives.scheme import (
    KPI_DIRECTIONS,
    Component,
    Gate,
    Measure,
    Scheme,
    SchemeError,
    parse_scheme,
)

__all__ = [
    "KPI_DIRECTIONS",
    "Component",
    "Gate",
    "Measure",
    "PayoutResult",
    "Scheme",
    "SchemeError",
    "compute_payouts",
    "parse_scheme",
    "period_kpis",
]
