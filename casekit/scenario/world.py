"""A simulated contact centre: every table of one organisation spec and seed, and writing it to disk."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from casekit.atomic import write_atomic
from casekit.errors import UsageError
from casekit.i18n import t
from casekit.jsonio import dumps_strict
from casekit.limits import MAX_DAYS, MAX_PERSON_DAYS, MAX_SEED, MAX_STAFF, MIN_DAYS, MIN_STAFF
from casekit.scenario.compliance import T5_TABLES, build_compliance
from casekit.scenario.contacts import build_contacts, build_intervals
from casekit.scenario.incidents import build_incidents
from casekit.scenario.leavers import build_leavers, pick_drivers
from casekit.scenario.pay import build_pay
from casekit.scenario.performance import build_members, build_pips, build_review, build_role_activity
from casekit.scenario.planning import build_new_starters, build_sessions, build_weeks
from casekit.scenario.recruitment import build_recruitment
from casekit.scenario.skills_quality import build_skill_records
from casekit.scenario.spec import OrgSpec, load_spec, spec_by_name
from casekit.scenario.staff import build_workforce, roles_table
from casekit.scenario.training import build_training

__all__ = ["TABLES", "World", "build_world", "world_for"]


TABLES = (
    "staff",
    "roles",
    "skills",
    "contacts",
    "intervals",
    "leavers",
    "pay",
    "training",
    "incidents",
    "vacancy",
    "applicants",
    "interview_kit",
    "training_sessions",
    "weeks",
    "new_starters",
    "members",
    "pips",
    "role_activity",
    *T5_TABLES,
)


@dataclass(frozen=True)
class World:
    """Every table of a simulated organisation. Same spec and seed, same tables, byte for byte."""

    spec: OrgSpec
    seed: int
    headcount: int
    days: int
    tables: Mapping[str, pd.DataFrame] = field(repr=False)
    traits: pd.DataFrame = field(repr=False)  # hidden truth the simulation used; not written
    # Hidden truth a grader checks answers against (applicant_skills, kit_labels, raters, turnover_drivers,
    # skills_current, review_contacts, review_activity, review_leavers, compliance_breaches, compliance_decoys):
    # never written by :meth:`write` nor listed in the manifest.
    truth: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            table: pd.DataFrame = tables[name]
            return table
        raise AttributeError(name)

    def csv_bytes(self, name: str) -> bytes:
        text = self.tables[name].to_csv(index=False, lineterminator="\n")
        return text.encode("utf-8")

    def manifest(self, sha256: Mapping[str, str] | None = None) -> dict[str, Any]:
        """What identifies this world and its files; ``sha256`` gives hashes already computed, by table."""
        from casekit import __version__

        hashes = dict(sha256 or {})
        for name in TABLES:
            if name not in hashes:
                hashes[name] = hashlib.sha256(self.csv_bytes(name)).hexdigest()

        spec_json = self.spec.model_dump_json(by_alias=True)
        return {
            "casekit_version": __version__,
            "spec": self.spec.name,
            "spec_sha256": hashlib.sha256(spec_json.encode("utf-8")).hexdigest(),
            "seed": self.seed,
            "headcount": self.headcount,
            "days": self.days,
            "start_date": self.spec.start_date.isoformat(),
            "tables": {
                name: {
                    "file": f"{name}.csv",
                    "rows": len(self.tables[name]),
                    "columns": list(self.tables[name].columns),
                    "sha256": hashes[name],
                }
                for name in TABLES
            },
        }

    def write(self, out: str | os.PathLike[str]) -> dict[str, Any]:
        """Write one CSV per table and ``manifest.json`` into ``out``; each file is replaced atomically."""
        target = Path(out)
        if target.exists() and not target.is_dir():
            raise UsageError(t("scenario.out_not_dir", None, path=str(target)))
        target.mkdir(parents=True, exist_ok=True)
        tables: dict[str, str] = {}
        for name in TABLES:
            data = self.csv_bytes(name)
            write_atomic(target / f"{name}.csv", data)
            tables[name] = hashlib.sha256(data).hexdigest()
        manifest = self.manifest(tables)
        write_atomic(
            target / "manifest.json",
            dumps_strict(manifest).encode("utf-8"),
        )
        return manifest


def build_world(spec: OrgSpec, seed: int, *, staff: int | None = None, days: int | None = None) -> World:
    """Generate the world of ``spec`` with ``seed``; ``staff`` and ``days`` override the spec's size."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise UsageError(t("scenario.bad_seed", None, seed=seed))
    headcount = spec.headcount if staff is None else staff
    n_days = spec.days if days is None else days
    if not isinstance(seed, int) or seed > MAX_SEED:
        raise UsageError(t("scenario.bad_seed", None, seed=seed))
    if not MIN_STAFF <= headcount <= MAX_STAFF:
        raise UsageError(t("scenario.bad_staff", None, staff=headcount, max=MAX_STAFF))
    if not MIN_DAYS <= n_days <= MAX_DAYS:
        raise UsageError(t("scenario.bad_days", None, days=n_days, max=MAX_DAYS))
    if headcount * n_days > MAX_PERSON_DAYS:
        size = {"staff": headcount, "days": n_days, "max": f"{MAX_PERSON_DAYS:,}"}
        raise UsageError(t("scenario.too_big", None, **size))
    wf = build_workforce(spec, seed, headcount)
    contacts = build_contacts(spec, seed, wf, n_days)
    pay, pay_breaches = build_pay(spec, seed, wf, contacts, n_days)
    drivers = pick_drivers(spec, seed, wf)
    records = build_skill_records(spec, seed, wf.staff, wf.skills)
    tables = {
        "staff": wf.staff,
        "roles": roles_table(spec, wf.staff),
        "skills": records.skills,
        "contacts": contacts,
        "intervals": build_intervals(spec, seed, contacts, n_days),
        "leavers": build_leavers(spec, seed, wf, drivers),
        "pay": pay,
        "training": build_training(spec, seed, headcount),
        "incidents": build_incidents(spec, seed, wf.staff, contacts, pay_breaches, n_days),
    }
    recruitment = build_recruitment(spec, seed, wf, set(wf.staff["name"]) | set(tables["leavers"]["name"]))
    tables |= {
        "vacancy": recruitment.vacancy,
        "applicants": recruitment.applicants,
        "interview_kit": recruitment.interview_kit,
    }
    taken = set(wf.staff["name"]) | set(tables["leavers"]["name"]) | set(recruitment.applicants["name"])
    tables |= {
        "training_sessions": build_sessions(spec, seed, tables["training"], n_days),
        "weeks": build_weeks(spec, seed, tables["intervals"], n_days),
        "new_starters": build_new_starters(spec, seed, wf.staff, n_days, taken),
    }
    members = build_members(spec, seed, wf.staff, contacts, n_days)
    activity, review_activity = build_role_activity(spec, seed, wf.staff, members, n_days)
    tables |= {
        "members": members,
        "pips": build_pips(spec, seed, members, contacts, n_days),
        "role_activity": activity,
    }
    compliance = build_compliance(spec, seed, wf.staff, contacts)
    tables |= compliance.tables
    truth = {
        **recruitment.truth,
        "turnover_drivers": drivers.as_truth(),
        "skills_current": records.current,
        **build_review(spec, seed, wf.staff, contacts, members, n_days),
        "review_activity": review_activity,
        **compliance.truth,
    }
    return World(spec, seed, headcount, n_days, tables, wf.traits, truth)


def world_for(org: str, seed: int) -> World:
    """The world of the organisation named ``org`` with ``seed``, as a case and its grader both regenerate it.

    ``org`` is a name the grader knows (:func:`~casekit.scenario.spec.spec_by_name`), never a path: an answer
    must not choose the world it is graded in, nor make the grader read a file of its choosing."""
    return build_world(load_spec(spec_by_name(org)), seed)
