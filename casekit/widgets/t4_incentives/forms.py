"""Pure data shaping between form fields and the mappings the case validates. Nothing here validates: every
mapping goes through :meth:`T4Case.set_scheme` or the finding model, which report every problem at once.

Units: a target or threshold of a rate KPI (FCR, CSAT, adherence, availability, conversion) is typed in % on the
form, as the explore tab and the pages show it, and stored as a share (78 on the form is 0.78 in the document);
QA is in points and AHT in seconds everywhere.

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
from casekit.kpi import RATE_KPIS

__all__ = [
    "component_data",
    "component_fields",
    "finding_data",
    "form_value",
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


def form_value(kpi: str, value: Any, *, to_form: bool) -> Any:
    """A KPI target or threshold between the document's unit and the form's: rates (FCR, CSAT, adherence, ...) are
    shares in the document and percentages on the form, as the explore tab shows them; others are the same."""
    if kpi not in RATE_KPIS or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return round(value * 100, 10) if to_form else value / 100


def _rows(rows: Sequence[Mapping[str, Any]], field: str, kpi: str | None, *, to_form: bool) -> list[dict[str, Any]]:
    """``rows`` with ``field`` converted by each row's KPI (or ``kpi`` for all, a tier's bands)."""
    out = []
    for row in rows:
        item = dict(row)
        which = kpi if kpi is not None else str(item.get("kpi", ""))
        if field in item:
            item[field] = form_value(which, item[field], to_form=to_form)
        out.append(item)
    return out


def _band_kpi(measures: Sequence[Mapping[str, Any]]) -> str:
    return str(measures[0].get("kpi", "")) if measures else ""


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
        "measures": _rows(measures, "target", None, to_form=False),
        "gates": _rows(gates, "threshold", None, to_form=False),
        "bands": _rows(bands, "threshold", _band_kpi(measures), to_form=False),
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
        "measures": _rows([m.model_dump() for m in component.measures], "target", None, to_form=True),
        "gates": _rows([g.model_dump() for g in component.gates], "threshold", None, to_form=True),
        "bands": _rows(
            [b.model_dump() for b in component.bands],
            "threshold",
            component.measures[0].kpi if component.measures else "",
            to_form=True,
        ),
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
