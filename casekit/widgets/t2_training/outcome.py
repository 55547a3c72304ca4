"""The simulated three months as the candidate reads them: the KPIs before and after (trained and untrained staff
apart, month by month), the levels each offer won (the post-assessments), the reaction surveys, and the inputs of
a Phillips ROI of one offer (fees, hours, pay, the months' KPI changes of the people trained, the untrained staff's
drift, the simulation's conventions). The ROI itself is the candidate's to work out: the case's
:meth:`~casekit.cases.t2_training.case.T2Case.roi` is the grader's recomputation and is never shown.

The figures are :mod:`casekit.cases.t2_training.review`'s; this module lays them out.
"""

from __future__ import annotations

from casekit.cases.t2_training.case import T2Case
from casekit.cases.t2_training.evaluation import TrainingOutcome, load_training_value
from casekit.cases.t2_training.review import control_drift, kpi_months, offer_gains, offer_row, roi_inputs
from casekit.html import esc
from casekit.i18n import t
from casekit.kpi import format_count, format_money, format_number, format_share
from casekit.widgets.render import message_html
from casekit.widgets.t2_training.render import field_table, table_html

__all__ = ["outcome_html", "roi_inputs_html"]


def outcome_html(outcome: TrainingOutcome, lang: str) -> str:
    """The months (KPIs by group), the levels won by offer, and the reaction surveys."""
    numbers = {"qa": 2, "aht_s": 1}
    return (
        f"<h4>{esc(t('t2widgets.kpi_months', lang))}</h4>"
        + table_html(kpi_months(outcome), lang, counts=("month", "people"), numbers=numbers, shares=("fcr",))
        + f"<h4>{esc(t('t2widgets.levels_won', lang))}</h4>"
        + table_html(offer_gains(outcome), lang, counts=("people", "levels_won", "improved"))
        + f"<h4>{esc(t('t2widgets.reaction', lang))}</h4>"
        + table_html(outcome.reaction, lang, counts=("booked", "responses"), numbers={"mean": 2})
    )


def roi_inputs_html(case: T2Case, outcome: TrainingOutcome, offer_id: str, lang: str) -> str:
    """What a Phillips ROI of ``offer_id`` needs: the offer's fees and hours, the conventions, the untrained
    staff's drift, and the people booked on it with their pay, contacts and months."""
    offer = offer_row(case, offer_id)
    people = roi_inputs(case, outcome, offer_id)
    value = load_training_value().value
    fee = float(offer["cost_per_person"])
    rows = [
        ("t2widgets.roi_people", format_count(len(people))),
        ("t2widgets.roi_fee", format_money(fee, lang)),
        ("t2widgets.roi_fees", format_money(fee * len(people), lang)),
        ("t2widgets.roi_hours", format_number(float(offer["hours"]), 1)),
        ("t2widgets.roi_hours_total", format_number(float(offer["hours"]) * len(people), 1)),
        ("t2widgets.roi_hour_cost", format_money(value.handled_hour_cost, lang)),
        ("t2widgets.roi_repeat_cost", format_money(value.repeat_contact_cost, lang)),
        ("t2widgets.roi_on_cost", format_share(value.employer_on_cost, 0)),
    ]
    numbers = {f"aht_m{m}": 1 for m in range(4)} | {f"fcr_m{m}": 4 for m in range(4)} | {"contacts": 1, "hours": 1}
    return (
        field_table(rows, lang)
        + message_html(t("t2widgets.roi_method", lang))
        + f"<h4>{esc(t('t2widgets.roi_drift', lang))}</h4>"
        + table_html(
            control_drift(outcome), lang, counts=("month", "people"), numbers={"aht_change_s": 2, "fcr_change": 5}
        )
        + f"<h4>{esc(t('t2widgets.roi_people_heading', lang))}</h4>"
        + table_html(people, lang, money=("base_pay",), counts=("hours_per_day",), numbers=numbers)
    )
