"""The retention plan's simulated months as the candidate reads them (:class:`RetentionReview`): leavers avoided
against no plan (with the range over the replications), what the plan cost and saved, month by month, action by
action and where the leavers were."""

from __future__ import annotations

from casekit.cases.t1_recruitment.retention import RetentionReview
from casekit.html import esc
from casekit.i18n import t
from casekit.kpi import format_money, format_number
from casekit.widgets.render import message_html
from casekit.widgets.t1_recruitment.render import field_table, table_html

__all__ = ["review_html"]


def review_html(review: RetentionReview, lang: str) -> str:
    """The review: a summary, then the months, the actions and the scopes."""
    one = {"baseline_leavers": 1, "plan_leavers": 1, "avoided": 2}
    summary = t(
        "t1widgets.review_avoided",
        lang,
        months=review.months,
        avoided=format_number(review.avoided, 1),
        low=format_number(review.avoided_low, 1),
        high=format_number(review.avoided_high, 1),
    )
    per_avoided = "-" if review.cost_per_avoided is None else format_money(review.cost_per_avoided, lang)
    figures = field_table(
        [
            ("t1widgets.review_baseline", format_number(review.baseline_leavers, 1)),
            ("t1widgets.review_plan", format_number(review.plan_leavers, 1)),
            ("t1widgets.review_cost", format_money(review.cost, lang)),
            ("t1widgets.review_cost_per_avoided", per_avoided),
            ("t1widgets.review_saving", format_money(review.saving, lang)),
            ("t1widgets.review_net_saving", format_money(review.net_saving, lang)),
        ],
        lang,
    )
    # the candidate sees what each action avoided, not whether it aims at a driver the world seeded (graded)
    actions = review.by_action.assign(action=review.by_action["action"] + 1)
    shown = [c for c in actions.columns if c != "on_driver"]
    return (
        message_html(summary, "ok" if review.avoided > 0 else "warn")
        + figures
        + f"<h4>{esc(t('t1widgets.review_months', lang))}</h4>"
        + table_html(review.monthly, lang, counts=("month",), numbers=one)
        + f"<h4>{esc(t('t1widgets.review_actions', lang))}</h4>"
        + table_html(
            actions, lang, columns=shown, counts=("action",), money=("cost", "cost_per_avoided"), numbers={"avoided": 2}
        )
        + f"<h4>{esc(t('t1widgets.review_scopes', lang))}</h4>"
        + table_html(review.by_scope, lang, counts=("staff",), numbers=one)
    )
