"""Pure data shaping between form fields and the mappings the case validates. Nothing here validates: every
mapping goes through :meth:`T4Case.set_scheme` or the finding model, which report every problem at once.

Optional numbers are text fields (blank = not set); a text that is not a number is passed on as it is, so the
scheme's own validation names the field and what came.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from casekit.cases.t4_incentives.scheme import SCHEME_ROLES, Component, Scheme, SchemeError
from casekit.errors import Problem

__all__ = [
    "component_data",
    "component_fields",
    "finding_data",
    "number_text",
    "optional",
    "scheme_data",
    "scheme_from_json",
    "scheme_json",
    "split_ids",
]


def number_text(value: float | int | None) -> str:
    """A number as a form shows it: whole numbers without '.0', others exactly; blank for None."""
    if value is None:
        return ""
    v = float(value)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def optional(text: str) -> str | None:
    """A text field's value: None when blank, else the stripped text (pydantic reads a number from it)."""
    stripped = text.strip()
    return stripped or None


def component_data(
    *,
    id: str,
    type: str,
    pay: Mapping[str, str],
    measures: Sequence[Mapping[str, Any]] = (),
    gates: Sequence[Mapping[str, Any]] = (),
    bands: Sequence[Mapping[str, Any]] = (),
    achievement_cap: float = 1.2,
    cap: str = "",
    non_cash_kind: str | None = None,
    top_n: str = "",
) -> dict[str, Any]:
    """One component's mapping from its form; a role whose pay is blank is not paid by the component."""
    data: dict[str, Any] = {
        "id": id.strip(),
        "type": type,
        "pay": {role: text.strip() for role, text in pay.items() if text.strip()},
        "measures": [dict(m) for m in measures],
        "gates": [dict(g) for g in gates],
        "bands": [dict(b) for b in bands],
        "achievement_cap": achievement_cap,
        "cap": optional(cap),
    }
    if non_cash_kind:
        data["non_cash_kind"] = non_cash_kind
    if optional(top_n) is not None:
        data["top_n"] = optional(top_n)
    return data


def component_fields(component: Component) -> dict[str, Any]:
    """The form fields that show ``component`` (the inverse of :func:`component_data`)."""
    pay = {str(role): amount for role, amount in component.pay.items()}
    return {
        "id": component.id,
        "type": component.type,
        "pay": {role: number_text(pay.get(role)) for role in SCHEME_ROLES},
        "measures": [m.model_dump() for m in component.measures],
        "gates": [g.model_dump() for g in component.gates],
        "bands": [b.model_dump() for b in component.bands],
        "achievement_cap": component.achievement_cap,
        "cap": number_text(component.cap),
        "non_cash_kind": component.non_cash_kind,
        "top_n": number_text(component.top_n),
    }


def scheme_data(
    *, name: str, budget_per_period: float, cap_per_person: str, components: list[dict[str, Any]]
) -> dict[str, Any]:
    """The whole scheme's mapping from its form."""
    return {
        "schema_version": 1,
        "name": name.strip(),
        "budget_per_period": budget_per_period,
        "cap_per_person": optional(cap_per_person),
        "components": components,
    }


def scheme_from_json(text: str, source: str = "scheme") -> Any:
    """The value of a pasted JSON text; raises :class:`SchemeError` naming the line and column when it is not JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise SchemeError([Problem(source, where, "expect.json", exc.msg)]) from None


def scheme_json(scheme: Scheme) -> str:
    """A scheme as the JSON area shows it (and accepts back)."""
    return json.dumps(scheme.model_dump(mode="json"), ensure_ascii=False, indent=2)


def split_ids(text: str) -> list[str]:
    """Staff ids typed as a list: separated by commas, semicolons, ideographic commas or white space."""
    return [part for part in re.split(r"[\s,;、，；]+", text) if part]


def finding_data(
    *,
    kind: str,
    staff_ids: str,
    period: str,
    component: str,
    team: str,
    description: str,
    corrective_action: str,
) -> dict[str, Any]:
    """A finding's mapping from its form: ids split, blank component and team left out, texts kept verbatim."""
    return {
        "kind": kind,
        "staff_ids": split_ids(staff_ids),
        "period": period.strip(),
        "component": optional(component),
        "team": optional(team),
        "description": description.strip(),
        "corrective_action": corrective_action.strip(),
    }
