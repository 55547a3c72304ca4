"""What every T5 check shares: T5's check registry, the answer read once, and the figures computed once per grading
(the seeded breaches and decoys by key, the candidate's findings matched against them, the next month's records as
the register makes them). The checks are in :mod:`~casekit.cases.t5_compliance.checks` (framework and training)
and :mod:`~casekit.cases.t5_compliance.checks_breaches` (detection, register, verification)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import pandas as pd

from casekit.cases.checking import grading_context, outcomes, world_of
from casekit.cases.t5_compliance import framework, register, verify
from casekit.cases.t5_compliance.answer import Finding, T5Answer, finding_key
from casekit.cases.t5_compliance.rules import detect_all
from casekit.rubric.checks import CheckContext, builtin_checks, cached
from casekit.scenario import World
from casekit.scenario.catalogs import load_law

__all__ = [
    "CHECKS",
    "KEY",
    "SHOWN",
    "Matched",
    "RegisterReview",
    "applicable",
    "doc",
    "grading_context",
    "key_of",
    "matched",
    "names_of",
    "outcome",
    "recurred",
    "register_review",
    "the_breaches",
    "world_of",
]

#: how many examples an outcome's evidence names
SHOWN = 10
#: the columns that identify a breach, in :func:`~casekit.cases.t5_compliance.answer.finding_key`'s order
KEY: Final = ("rule", "staff_id", "date", "month", "ad_id", "event_id", "complaint_id")
#: T5's checks: the generic built-ins and T5's own.
CHECKS: Final = builtin_checks()
#: the outcome of a T5 check, worded from the catalog ``t5check``
outcome: Final = outcomes("t5check")

Key = tuple[str, str, str, str, str, str, str]


def names_of(items: list[str]) -> str:
    """The first :data:`SHOWN` of ``items``, comma-joined, with an ellipsis when there are more."""
    return ", ".join(items[:SHOWN]) + (", ..." if len(items) > SHOWN else "")


def doc(context: CheckContext) -> T5Answer:
    return cached(context, "doc", lambda: T5Answer.model_validate(context.answer))


def key_of(row: Key) -> str:
    """A breach's key as one line: ``rule subject period`` (the parts it has)."""
    return " ".join(part for part in row if part)


def _keys(frame: pd.DataFrame) -> list[Key]:
    cols = [frame[c].fillna("").astype(str).tolist() for c in KEY]
    return [(r, s, d, m, a, e, c) for r, s, d, m, a, e, c in zip(*cols, strict=True)]


@dataclass(frozen=True)
class Matched:
    """The candidate's findings against the seeded truth: the true breaches by key (with their rows, boundary flag
    and back pay), the decoys' keys, and the findings that are, and are not, breaches."""

    truth: dict[Key, pd.Series]
    decoys: frozenset[Key]
    found: dict[Key, Finding]  # true breaches the candidate found, by key
    false: list[Finding]  # findings that are no breach (decoys among them)

    @property
    def missed(self) -> list[Key]:
        return sorted(set(self.truth) - set(self.found))


def the_breaches(world: World) -> pd.DataFrame:
    """The breaches in the world's records as the rule library finds them with the law's figures (keys, back pay,
    evidence rows), each flagged ``boundary`` where the world seeded it just past its line. The library is the one
    the candidate's tools run; the tests hold it to the world's seeded truth in every organisation."""
    found = detect_all(world.tables, load_law())
    seeded = world.truth["compliance_breaches"]
    at_line = {k for k, b in zip(_keys(seeded), seeded["boundary"], strict=True) if bool(b)}
    return found.assign(boundary=[k in at_line for k in _keys(found)])


def matched(context: CheckContext) -> Matched:
    def compute() -> Matched:
        world = world_of(context)
        breaches = the_breaches(world)
        truth = {k: row for k, (_, row) in zip(_keys(breaches), breaches.iterrows(), strict=True)}
        decoys = frozenset(_keys(world.truth["compliance_decoys"]))
        found: dict[Key, Finding] = {}
        false: list[Finding] = []
        for f in doc(context).findings:
            key = finding_key(f)
            if key in truth:
                found[key] = f
            else:
                false.append(f)
        return Matched(truth, decoys, found, false)

    return cached(context, "matched", compute)


def applicable(context: CheckContext) -> list[framework.AppliedObligation]:
    """The obligations that apply to the graded organisation, with the staff each concerns (computed once)."""
    world = world_of(context)
    return cached(context, "applicable", lambda: framework.applicable(world.spec, world.staff))


@dataclass(frozen=True)
class RegisterReview:
    """What each register entry lacks (the answer's findings in order; codes ``owner``, ``due``, ``root_cause``,
    ``rectification``, ``prevention``), with the case's today and the last due date allowed."""

    today: dt.date
    last_due: dt.date
    lacks: tuple[tuple[str, ...], ...]


def register_review(context: CheckContext, within_days: int = 30, min_cause: int = 10) -> RegisterReview:
    """Every register entry against the rules of the check ``register_complete``: an owner with management duties,
    a due date from today to ``within_days`` after, a root cause of ``min_cause`` characters, and the rectification
    and preventive action that fit its rule (computed once per pair of parameters)."""

    def compute() -> RegisterReview:
        world = world_of(context)
        roles = dict(zip(world.staff["staff_id"], world.staff["role"], strict=True))
        start = register.today(register.window(world.spec.start_date)[0])
        last = start + dt.timedelta(days=within_days)
        out = []
        for f in doc(context).findings:
            lacks = []
            if roles.get(f.owner) not in register.OWNER_ROLES:
                lacks.append("owner")
            if f.due is None or not start <= f.due <= last:
                lacks.append("due")
            if len(f.root_cause.strip()) < min_cause:
                lacks.append("root_cause")
            if f.rectification != register.RECTIFICATION[f.rule]:
                lacks.append("rectification")
            if f.prevention != register.PREVENTION[f.rule]:
                lacks.append("prevention")
            out.append(tuple(lacks))
        return RegisterReview(start, last, tuple(out))

    return cached(context, f"register:{within_days}:{min_cause}", compute)


def recurred(context: CheckContext) -> dict[tuple[str, str], bool] | None:
    """``(rule, subject) -> whether it recurred`` in the next month the register makes, for the true findings;
    None when the next month was not run or nothing true was found (the check ``rectification_verified``'s
    figure, computed once)."""
    m = matched(context)
    found = list(m.found.values())
    if not doc(context).next_month_run or not found:
        return None
    world = world_of(context)
    return cached(context, "recurred", lambda: verify.recurred(world, found))
