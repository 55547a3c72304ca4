"""Which assessment plan a cohort is decided by: the one named on the command line (then recorded in the
gradebook, so later commands use it too), else the one the gradebook recorded, else the packaged default. A
recorded plan whose file has changed since is refused, naming both SHA-256: a decision must not silently move to
other rules."""

from __future__ import annotations

import json

from casekit.assessment.plan import Plan, load_plan
from casekit.errors import PlanError, Problem
from casekit.store import Gradebook

__all__ = ["cohort_plan"]

_SETTING = "plan"


def cohort_plan(book: Gradebook, path: str | None = None, *, record: bool = True) -> Plan:
    """The plan for the cohort in ``book`` (see the module docstring); ``record`` keeps a named one."""
    if path is not None:
        plan = load_plan(path)
        if record and not book.read_only:
            book.set_setting(_SETTING, json.dumps({"path": str(plan.source.resolve()), "sha256": plan.sha256}))
        return plan
    recorded = book.setting(_SETTING)
    if recorded is None:
        return load_plan()
    data = json.loads(recorded)
    plan = load_plan(data["path"])
    if plan.sha256 != data["sha256"]:
        params = {"recorded": data["sha256"][:12], "now": plan.sha256[:12]}
        raise PlanError([Problem(data["path"], "", "expect.plan_unchanged", plan.sha256[:12], params)])
    return plan
