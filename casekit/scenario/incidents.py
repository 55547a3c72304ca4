"""Compliance-relevant events: complaints, data handling, overtime and pay breaches, job advertisements.

``breach`` marks the events that break a rule (the law is named in ``law``); seeded breaches appear here and in
the underlying table (pay for overtime and minimum wage), so a candidate can find them in either.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

from casekit.scenario.catalogs import load_roles
from casekit.scenario.contacts import dates_of
from casekit.scenario.pay import PayBreach
from casekit.scenario.rng import stream
from casekit.scenario.spec import OrgSpec

__all__ = ["INCIDENT_TYPES", "build_incidents"]

INCIDENT_TYPES = ("complaint", "data_handling", "job_ad", "overtime_over_cap", "under_minimum_wage")


@cache
def _templates() -> dict[str, Any]:
    raw = (resources.files("casekit") / "data" / "incidents.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(raw)
    return data


def _pick(rng: np.random.Generator, options: list[dict[str, str]]) -> dict[str, str]:
    return options[int(rng.integers(len(options)))]


def build_incidents(
    spec: OrgSpec,
    seed: int,
    staff: pd.DataFrame,
    contacts: pd.DataFrame,
    pay_breaches: list[PayBreach],
    days: int,
) -> pd.DataFrame:
    rng = stream(seed, "incidents")
    tpl = _templates()
    dates = dates_of(spec, days)
    handlers = contacts["staff_id"].unique()
    total = int(contacts["handled"].sum())
    rows: list[dict[str, Any]] = []

    def add(
        date: dt.date | str,
        kind: str,
        staff_id: str,
        breach: bool,
        severity: str,
        zh: str,
        en: str,
        law_key: str,
    ) -> None:
        rows.append(
            {
                "date": date if isinstance(date, str) else date.isoformat(),
                "type": kind,
                "staff_id": staff_id,
                "breach": breach,
                "law": tpl["templates"][law_key]["law"],
                "severity": severity,
                "description_zh_tw": zh,
                "description_en": en,
            }
        )

    for b in pay_breaches:
        t = tpl["templates"][b.kind]
        params: dict[str, Any]
        if b.kind == "overtime_over_cap":
            params = {"month": b.month, "hours": b.value}
        elif b.hourly:  # hourly staff: report the hourly rate paid
            params = {"month": b.month, "pay": f"{b.value:.0f}/h", "wage": f"{b.wage_hourly}/h"}
        else:
            params = {"month": b.month, "pay": f"{b.value:.0f}", "wage": b.wage_monthly}
        add(
            b.date,
            b.kind,
            b.staff_id,
            True,
            "high",
            t["zh-TW"].format(**params),
            t["en"].format(**params),
            b.kind,
        )

    roles = {r.id: r for r in load_roles()}
    ad_roles = [r for r in ("agent", "senior_agent", "team_leader") if r in spec.roles]
    for _ in range(spec.regulatory.job_ads):
        role = ad_roles[int(rng.integers(len(ad_roles)))]
        low, high = spec.roles[role].base_pay.min, spec.roles[role].base_pay.max
        bad = rng.random() < spec.regulatory.breach_rates.discriminatory_job_ad_share
        ad = _pick(rng, tpl["job_ads"]["discriminatory" if bad else "fair"])
        zh = ad["zh-TW"].format(role=roles[role].text["title"]["zh-TW"], low=low, high=high)
        en = ad["en"].format(role=roles[role].text["title"]["en"], low=low, high=high)
        key = "job_ad_discriminatory" if bad else "job_ad"
        t = tpl["templates"][key]
        add(
            dates[int(rng.integers(len(dates)))],
            "job_ad",
            "",
            bool(bad),
            "high" if bad else "none",
            t["zh-TW"].format(ad=zh),
            t["en"].format(ad=en),
            key,
        )

    n_data = rng.poisson(total / 10_000 * spec.regulatory.breach_rates.data_handling_per_10k_contacts)
    for _ in range(int(n_data)):
        what = _pick(rng, tpl["data_handling"])
        add(
            dates[int(rng.integers(len(dates)))],
            "data_handling",
            str(handlers[rng.integers(len(handlers))]),
            True,
            "high",
            what["zh-TW"],
            what["en"],
            "data_handling",
        )

    n_complaints = rng.poisson(total / 10_000 * spec.regulatory.complaints_per_10k_contacts)
    t = tpl["templates"]["complaint"]
    for _ in range(int(n_complaints)):
        what = _pick(rng, tpl["complaints"])
        add(
            dates[int(rng.integers(len(dates)))],
            "complaint",
            str(handlers[rng.integers(len(handlers))]),
            False,
            "medium" if rng.random() < 0.3 else "low",
            t["zh-TW"].format(what=what["zh-TW"]),
            t["en"].format(what=what["en"]),
            "complaint",
        )

    frame = pd.DataFrame(
        rows,
        columns=[
            "date",
            "type",
            "staff_id",
            "breach",
            "law",
            "severity",
            "description_zh_tw",
            "description_en",
        ],
    )
    frame = frame.sort_values(["date", "type", "staff_id"], kind="stable").reset_index(drop=True)
    frame.insert(0, "incident_id", [f"INC{i + 1:04d}" for i in range(len(frame))])
    return frame
