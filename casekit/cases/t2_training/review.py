"""The three simulated months as a manager reviews them: the KPIs before and after (trained and untrained staff
apart, month by month), the levels each offer won (the post-assessments), the untrained staff's drift, and the
inputs of a Phillips ROI of one offer (fees, hours, pay, the months' KPI changes of the people trained, the levels
they won on it and on all their offers). Pure pandas over the
:class:`~casekit.cases.t2_training.evaluation.TrainingOutcome`: the candidate's evaluation tab and the evidence
page both read them. The ROI itself is the candidate's to work out; :func:`~casekit.cases.t2_training.evaluation.
phillips_roi` is the grader's.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from casekit.cases.t2_training.case import T2Case
from casekit.cases.t2_training.evaluation import TrainingOutcome, load_training_value

__all__ = ["control_drift", "kpi_months", "offer_gains", "offer_row", "roi_inputs"]


def offer_row(case: T2Case, offer_id: str) -> dict[str, Any]:
    """The offer's row of the world's training offers."""
    found = case.world.training[case.world.training["offer_id"] == offer_id]
    return {str(k): v for k, v in found.iloc[0].items()}


def kpi_months(outcome: TrainingOutcome) -> pd.DataFrame:
    """Per month (0 = before) and group (trained or not): the people and their mean QA, FCR and AHT."""
    months = outcome.months.assign(group=outcome.months["trained"].map({True: "trained", False: "untrained"}))
    out = months.groupby(["month", "group"], sort=True).agg(
        people=("staff_id", "nunique"), qa=("qa", "mean"), fcr=("fcr", "mean"), aht_s=("aht_s", "mean")
    )
    return pd.DataFrame(out.reset_index())


def offer_gains(outcome: TrainingOutcome) -> pd.DataFrame:
    """Per offer: the people booked, the skill levels their post-assessments show won, and how many won any."""
    gains = outcome.gains
    per = gains.groupby(["offer_id", "staff_id"], sort=True)["gain"].sum().reset_index()
    out = per.groupby("offer_id", sort=True).agg(
        people=("staff_id", "nunique"), levels_won=("gain", "sum"), improved=("gain", lambda g: int((g > 0).sum()))
    )
    return pd.DataFrame(out.reset_index())


def control_drift(outcome: TrainingOutcome) -> pd.DataFrame:
    """Per month 1..3: the mean change from month 0 of the untrained staff's AHT (seconds) and FCR."""
    months = outcome.months
    base = months[months["month"] == 0].set_index("staff_id")[["aht_s", "fcr"]]
    later = months[(months["month"] > 0) & ~months["trained"]]
    change = later.assign(
        aht_change_s=later["aht_s"].to_numpy() - base.loc[later["staff_id"], "aht_s"].to_numpy(),
        fcr_change=later["fcr"].to_numpy() - base.loc[later["staff_id"], "fcr"].to_numpy(),
    )
    out = change.groupby("month", sort=True).agg(
        people=("staff_id", "nunique"), aht_change_s=("aht_change_s", "mean"), fcr_change=("fcr_change", "mean")
    )
    return pd.DataFrame(out.reset_index())


def roi_inputs(case: T2Case, outcome: TrainingOutcome, offer_id: str) -> pd.DataFrame:
    """One row per person booked on ``offer_id``: their pay, the hours the offer takes, their contacts a month, AHT
    and FCR in months 0..3, and the levels won in the skills linked to AHT and to FCR, on this offer and on all
    their offers (to share a person's change among the offers they were booked on)."""
    world = case.world
    rows = case.rows
    sessions = world.training_sessions.set_index("session_id")["offer_id"]
    people = list(dict.fromkeys(s for s, x in rows if sessions.get(x) == offer_id))
    staff = world.staff.set_index("staff_id").reindex(people)
    hours = float(offer_row(case, offer_id)["hours"]) if people else 0.0
    out = pd.DataFrame(
        {
            "staff_id": people,
            "name": staff["name"].to_numpy(),
            "role": staff["role"].to_numpy(),
            "pay_basis": staff["pay_basis"].to_numpy(),
            "base_pay": staff["base_pay"].to_numpy(),
            "hours_per_day": staff["hours_per_day"].to_numpy(),
            "hours": hours,
        }
    )
    months = outcome.months.set_index(["staff_id", "month"])
    wide = months[["aht_s", "fcr"]].unstack("month")
    for m in range(4):
        out[f"aht_m{m}"] = wide[("aht_s", m)].reindex(people).to_numpy() if len(wide) else float("nan")
    for m in range(4):
        out[f"fcr_m{m}"] = wide[("fcr", m)].reindex(people).to_numpy() if len(wide) else float("nan")
    contacts = outcome.months.drop_duplicates("staff_id").set_index("staff_id")["contacts"]
    out["contacts"] = contacts.reindex(people).to_numpy()
    effects = load_training_value().kpi_effects
    gains = outcome.gains[outcome.gains["staff_id"].isin(people)]
    for kpi in ("aht", "fcr"):
        linked = gains[gains["skill_id"].isin(effects[kpi].skills)]
        mine = linked[linked["offer_id"] == offer_id].groupby("staff_id")["gain"].sum()
        every = linked.groupby("staff_id")["gain"].sum()
        out[f"{kpi}_levels_offer"] = mine.reindex(people, fill_value=0).to_numpy(dtype=int)
        out[f"{kpi}_levels_all"] = every.reindex(people, fill_value=0).to_numpy(dtype=int)
    booked = pd.DataFrame(list(dict.fromkeys(rows)), columns=["staff_id", "session_id"])
    booked["offer_id"] = booked["session_id"].map(sessions)
    out["offers"] = booked.groupby("staff_id")["offer_id"].nunique().reindex(people, fill_value=0).to_numpy(dtype=int)
    return out
