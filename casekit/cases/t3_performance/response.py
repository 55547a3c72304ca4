"""How the simulated members answer the targets proposed to them (P3.2): accept, or object with a reason.

Each member is deterministic and judges a target against their band (:func:`~casekit.cases.t3_performance.history.
bands`), never against the candidate's wishes:

- A KPI that cannot measure the member's role (no band row: no data the member could be judged on), or one whose
  band has no ceiling at all (nobody in the world has data on it), draws an objection ``not_measured``.
- A target better than the band's ceiling (by direction, beyond ``TOL``) draws an objection: with the band's reason
  when it has one that made the ceiling the member's own best month (``complex_queue``: their contacts are the
  escalations, slower by nature; ``ramping``: they are still learning the job), else ``above_best`` (beyond both
  their best month and what the best 5 % of peer member-months reach).
- Any other target is accepted, an easy one too: members do not argue a target down that they already beat (the
  rubric judges trivially low targets; the member does not).

:func:`respond_all` works on a whole proposal at once (one merge with the bands), as the widget recomputes it live;
:func:`comment` gives the member's words, figures formatted as people read them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol

import numpy as np
import pandas as pd

from casekit.cases.t3_performance.history import TOL, catalog, format_value
from casekit.cases.t3_performance.history import bands as compute_bands
from casekit.i18n import normalise_lang, t
from casekit.scenario import World

__all__ = ["REASONS", "RESPONSE_COLUMNS", "MemberResponse", "ResponseLike", "comment", "respond", "respond_all"]

REASONS: Final = ("above_best", "complex_queue", "ramping", "not_measured")
RESPONSE_COLUMNS: Final = ("staff_id", "kpi", "target", "verdict", "reason", "best", "ceiling")
Verdict = Literal["accept", "object"]
_OWN_BEST: Final = ("complex_queue", "ramping")  # band reasons a member objects with


@dataclass(frozen=True)
class MemberResponse:
    """What one member says to one target: ``verdict`` accept or object, the ``reason`` of an objection, and the
    figures they cite (their best month and the band's ceiling; None when they have none)."""

    staff_id: str
    kpi: str
    target: float
    verdict: Verdict
    reason: str | None
    best: float | None
    ceiling: float | None


class ResponseLike(Protocol):
    """A response as :class:`MemberResponse` or a row of :func:`respond_all` (``itertuples``, whose fields pandas
    types as scalars): what :func:`comment` reads."""

    @property
    def kpi(self) -> Any: ...
    @property
    def target(self) -> Any: ...
    @property
    def verdict(self) -> Any: ...
    @property
    def reason(self) -> Any: ...
    @property
    def best(self) -> Any: ...
    @property
    def ceiling(self) -> Any: ...


def _number(value: Any) -> float | None:
    return None if value is None or value != value else float(value)


def respond_all(
    world: World, proposals: Iterable[tuple[str, str, float]], *, bands: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every proposal's response, in the proposals' order: ``staff_id, kpi, target, verdict, reason, best, ceiling``
    (``reason`` None when accepted; ``best``/``ceiling`` NaN when the member has none). ``bands`` are the world's
    bands when the caller has them (computed here otherwise)."""
    rows = [(str(s), str(k), float(v)) for s, k, v in proposals]
    frame = pd.DataFrame(rows, columns=["staff_id", "kpi", "target"]).astype({"target": float})
    band = compute_bands(world) if bands is None else bands
    found = frame.merge(
        band[["staff_id", "kpi", "direction", "best", "ceiling", "reason"]], on=["staff_id", "kpi"], how="left"
    )
    ceiling = found["ceiling"].to_numpy(dtype=float)
    sign = found["direction"].to_numpy(dtype=float)
    target = found["target"].to_numpy(dtype=float)
    unmeasured = np.isnan(ceiling) | np.isnan(target)
    with np.errstate(invalid="ignore"):
        above = ~unmeasured & (sign * (target - ceiling) > TOL)
    band_reason = found["reason"].fillna("").to_numpy(dtype=object)
    reason = np.where(np.isin(band_reason, _OWN_BEST), band_reason, "above_best").astype(object)
    reason = np.where(unmeasured, "not_measured", np.where(above, reason, np.full(len(found), None, dtype=object)))
    out = frame.copy()
    out["verdict"] = np.where(unmeasured | above, "object", "accept")
    out["reason"] = pd.Series(reason, dtype=object)
    out["best"] = found["best"].astype(float).to_numpy()
    out["ceiling"] = ceiling
    return out[list(RESPONSE_COLUMNS)]


def respond(
    world: World, staff_id: str, kpi: str, target: float, *, bands: pd.DataFrame | None = None
) -> MemberResponse:
    """What ``staff_id`` says to ``target`` on ``kpi`` (see the module docstring)."""
    row = respond_all(world, [(staff_id, kpi, target)], bands=bands).iloc[0]
    verdict: Verdict = "object" if row["verdict"] == "object" else "accept"
    reason = row["reason"] if isinstance(row["reason"], str) else None
    return MemberResponse(
        str(staff_id), str(kpi), float(target), verdict, reason, _number(row["best"]), _number(row["ceiling"])
    )


def _label(kpi: str, lang: str) -> str:
    kpi_def = catalog().get(kpi)
    if kpi_def is None:
        return kpi
    return kpi_def.label(lang)


def comment(response: ResponseLike, lang: str | None = None) -> str:
    """The member's words on the target (``t3member.<reason>``, ``t3member.accept``), in ``lang``, with the
    target, their best month and the ceiling formatted as people read them."""
    code = normalise_lang(lang)
    reason = response.reason if isinstance(response.reason, str) and response.reason else None
    kpi = str(response.kpi)
    if response.verdict != "object" or reason is None:
        key = "accept"
    elif reason == "above_best" and _number(response.best) is None:
        key = "above_peers"  # no month of their own to cite: the peers' figure is what they hold it against
    else:
        key = reason
    figures = {
        "kpi": _label(kpi, code),
        "target": format_value(kpi, response.target),
        "best": format_value(kpi, _number(response.best)),
        "ceiling": format_value(kpi, _number(response.ceiling)),
    }
    return t(f"t3member.{key}", code, **figures)
