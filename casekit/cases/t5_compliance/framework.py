"""The legal framework register (E4, K4), pure: which of casekit's obligations (``casekit/data/obligations.yaml``)
apply to an organisation, whom each concerns there, and what is wrong with a candidate's register.

Rules:

- An obligation **applies** when every condition of its ``applies`` holds (:func:`conditions_hold`: the spec's
  ``regulatory.exposure`` has its exposure; the staff list's size is within ``min_headcount``..``max_headcount``;
  with ``roles``, somebody is in one of them; with ``pay_basis``, somebody is paid so) and, when its scope is people
  on the staff list, somebody is in the scope.
- Its **scope** resolves to staff ids (:func:`scope_mask`): ``all_staff`` everybody; ``hourly_staff`` the hourly-paid;
  ``selling_roles`` the roles that sell (:func:`selling_roles`: T3's rule); ``schedulers`` the catalog's
  ``scope_roles``; then narrowed to ``applies.roles`` and ``applies.pay_basis`` when given. ``applicants`` and
  ``customers`` are nobody on the staff list.
- A **register** (entries of obligation id, scope, policy text, records) has these problems
  (:data:`REGISTER_PROBLEMS`): ``missing`` (an obligation that applies, not in it), ``unknown`` (an id casekit does
  not know), ``not_applicable`` (it does not apply here: consumer credit in a retailer), ``wrong_scope`` (not the
  obligation's scope), ``no_records``, ``not_proof`` (a record that is not among the obligation's records; one
  problem a record), ``empty_policy`` (no policy text). An unknown or inapplicable entry is judged no further.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

import numpy as np
import pandas as pd

from casekit.cases.t3_performance.kpi_sets import SELLING
from casekit.i18n import t
from casekit.scenario.legal_catalogs import (
    STAFF_SCOPES,
    Applies,
    ObligationCatalog,
    ObligationDef,
    load_obligations,
)
from casekit.scenario.spec import OrgSpec

__all__ = [
    "REGISTER_PROBLEMS",
    "AppliedObligation",
    "EntryLike",
    "Obligation",
    "RegisterProblem",
    "applicable",
    "catalog",
    "conditions_hold",
    "obligation_label",
    "register_problems",
    "scope_label",
    "scope_mask",
    "selling_roles",
]

#: casekit's obligations as the catalog defines them (before an organisation is applied)
Obligation = ObligationDef
REGISTER_PROBLEMS: Final = (
    "missing",
    "unknown",
    "not_applicable",
    "wrong_scope",
    "no_records",
    "not_proof",
    "empty_policy",
)
_MESSAGES: Final = {
    "missing": "t5law.register_missing",
    "unknown": "t5law.register_unknown",
    "not_applicable": "t5law.register_not_applicable",
    "wrong_scope": "t5law.register_wrong_scope",
    "no_records": "t5law.register_no_records",
    "not_proof": "t5law.register_not_proof",
    "empty_policy": "t5law.register_empty_policy",
}
_SCOPE_LABELS: Final = {
    "all_staff": "t5law.scope_all_staff",
    "hourly_staff": "t5law.scope_hourly_staff",
    "selling_roles": "t5law.scope_selling_roles",
    "schedulers": "t5law.scope_schedulers",
    "applicants": "t5law.scope_applicants",
    "customers": "t5law.scope_customers",
}


def catalog() -> tuple[Obligation, ...]:
    """casekit's obligations, in the catalog's order (every one: choosing those that apply is the candidate's work)."""
    return load_obligations().obligations


def obligation_label(obligation: str, lang: str) -> str:
    """``勞動基準法 §21 基本工資``: the law, article and title of the obligation ``obligation`` (its id if unknown)."""
    cat = load_obligations()
    found = cat.get(obligation)
    return obligation if found is None else f"{cat.citation(found, lang)} {found.title(lang)}"


def scope_label(scope: str, lang: str) -> str:
    key = _SCOPE_LABELS.get(scope)
    return scope if key is None else t(key, lang)


def selling_roles(spec: OrgSpec) -> tuple[str, ...]:
    """The roles that sell in this organisation: T3's selling roles (``kpi_sets.SELLING``, the roles that handle
    contacts) that the spec staffs, when its contacts include sales-eligible ones."""
    if spec.performance.sales_eligible_share <= 0:
        return ()
    return tuple(r for r in SELLING if r in spec.roles)


def conditions_hold(applies: Applies, spec: OrgSpec, staff: pd.DataFrame) -> bool:
    """Whether the organisation meets every condition of ``applies`` (exposure, headcount, roles, pay basis)."""
    n = len(staff)
    if applies.exposure is not None and applies.exposure not in spec.regulatory.exposure:
        return False
    if (applies.min_headcount is not None and n < applies.min_headcount) or (
        applies.max_headcount is not None and n > applies.max_headcount
    ):
        return False
    return bool(_narrowed(applies, staff).any())


def _narrowed(applies: Applies, staff: pd.DataFrame) -> np.ndarray:
    """The people ``applies.roles`` and ``applies.pay_basis`` leave (everybody when neither is given)."""
    keep = np.ones(len(staff), dtype=bool)
    if applies.roles:
        keep &= staff["role"].isin(applies.roles).to_numpy()
    if applies.pay_basis is not None:
        keep &= (staff["pay_basis"] == applies.pay_basis).to_numpy()
    return keep


def scope_mask(
    scope: str, applies: Applies, spec: OrgSpec, staff: pd.DataFrame, obligations: ObligationCatalog | None = None
) -> np.ndarray:
    """Which rows of ``staff`` the scope ``scope``, narrowed by ``applies``, concerns (none for applicants and
    customers)."""
    role = staff["role"]
    if scope == "all_staff":
        mask = np.ones(len(staff), dtype=bool)
    elif scope == "hourly_staff":
        mask = (staff["pay_basis"] == "hourly").to_numpy()
    elif scope == "selling_roles":
        mask = role.isin(selling_roles(spec)).to_numpy()
    elif scope == "schedulers":
        mask = role.isin((obligations or load_obligations()).schedulers).to_numpy()
    else:
        mask = np.zeros(len(staff), dtype=bool)
    return np.asarray(mask & _narrowed(applies, staff), dtype=bool)


@dataclass(frozen=True)
class AppliedObligation:
    """An obligation that applies to this organisation, with its scope resolved: the staff ids it concerns (in the
    staff list's order; none for applicants and customers)."""

    definition: Obligation
    staff_ids: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def law(self) -> str:
        return self.definition.law

    @property
    def article(self) -> str:
        return self.definition.article

    @property
    def scope(self) -> str:
        return self.definition.scope

    @property
    def records(self) -> tuple[str, ...]:
        return self.definition.records

    def title(self, lang: str) -> str:
        return self.definition.title(lang)

    def duty(self, lang: str) -> str:
        return self.definition.duty(lang)

    def label(self, lang: str) -> str:
        """The law, article and title."""
        return obligation_label(self.id, lang)


def applicable(
    spec: OrgSpec, staff: pd.DataFrame, obligations: ObligationCatalog | None = None
) -> list[AppliedObligation]:
    """The obligations of ``obligations`` (casekit's catalog when None) that apply to the organisation of ``spec``
    with the staff list ``staff`` (columns ``staff_id``, ``role``, ``pay_basis``), in the catalog's order."""
    cat = obligations or load_obligations()
    ids = staff["staff_id"].astype(str).to_numpy()
    out = []
    for o in cat.obligations:
        if not conditions_hold(o.applies, spec, staff):
            continue
        mask = scope_mask(o.scope, o.applies, spec, staff, cat)
        if o.scope in STAFF_SCOPES and not mask.any():
            continue
        out.append(AppliedObligation(o, tuple(ids[mask])))
    return out


class EntryLike(Protocol):
    """A register entry as the answer's ``FrameworkEntry`` has it."""

    @property
    def obligation(self) -> str: ...
    @property
    def scope(self) -> str: ...
    @property
    def policy(self) -> str: ...
    @property
    def records(self) -> Sequence[str]: ...


Entry = EntryLike | tuple[str, str, str, Sequence[str]]


@dataclass(frozen=True)
class RegisterProblem:
    """One problem of a register (:data:`REGISTER_PROBLEMS`): the obligation it concerns, what the register gave
    and what the obligation expects (a scope, or a record and the obligation's records), where that applies."""

    obligation: str
    problem: str
    given: str = ""
    expected: str = ""

    def message(self, lang: str) -> str:
        given, expected = self.given, self.expected
        if self.problem == "wrong_scope":
            given, expected = scope_label(given, lang), scope_label(expected, lang)
        return t(
            _MESSAGES[self.problem],
            lang,
            obligation=obligation_label(self.obligation, lang),
            given=given,
            expected=expected,
        )


def _parts(entry: Entry) -> tuple[str, str, str, list[str]]:
    if isinstance(entry, tuple):
        obligation, scope, policy, records = entry
    else:
        obligation, scope, policy, records = entry.obligation, entry.scope, entry.policy, entry.records
    return str(obligation), str(scope), str(policy or ""), [str(r) for r in records]


def register_problems(
    entries: Iterable[Entry], spec: OrgSpec, staff: pd.DataFrame, obligations: ObligationCatalog | None = None
) -> list[RegisterProblem]:
    """Every problem of the register ``entries`` for this organisation (rules in the module docstring): the
    entries' own problems in their order, then the obligations missing in the catalog's order."""
    cat = obligations or load_obligations()
    applies = {o.id: o for o in applicable(spec, staff, cat)}
    out: list[RegisterProblem] = []
    listed: set[str] = set()
    for entry in entries:
        obligation, scope, policy, records = _parts(entry)
        listed.add(obligation)
        if cat.get(obligation) is None:
            out.append(RegisterProblem(obligation, "unknown"))
            continue
        if obligation not in applies:
            out.append(RegisterProblem(obligation, "not_applicable"))
            continue
        o = applies[obligation]
        if scope != o.scope:
            out.append(RegisterProblem(obligation, "wrong_scope", scope, o.scope))
        if not records:
            out.append(RegisterProblem(obligation, "no_records", "", ", ".join(o.records)))
        out += [
            RegisterProblem(obligation, "not_proof", r, ", ".join(o.records)) for r in records if r not in o.records
        ]
        if not policy.strip():
            out.append(RegisterProblem(obligation, "empty_policy"))
    out += [RegisterProblem(oid, "missing", "", o.scope) for oid, o in applies.items() if oid not in listed]
    return out
