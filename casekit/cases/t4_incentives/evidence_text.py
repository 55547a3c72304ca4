"""How the evidence of each T4 check reads on the evidence page (``CaseKind.evidence_text``): plain language,
KPI and role names from the catalogs, money through :func:`~casekit.kpi.format_money`, shares and counts through
their formatters, lists joined as a sentence joins them. The evidence itself stays in the result as the check
recorded it (it is data); only what a person reads is made here.

:func:`evidence_text` covers every key each check of :mod:`~casekit.cases.t4_incentives.checks` records. Evidence
it does not know (an error, a check of another kind, a key it has no words for, a value of another shape) it
leaves to the generic text, which shows everything as a ``label: value`` list. Every value that may have come from
the candidate (component ids, reported KPI names) is escaped.

:func:`note_text` and :func:`anomaly_text` word the review's notes and the seeded anomalies for T4's own sections,
with money as the rest of the page shows it.
"""

from __future__ import annotations

import itertools
import logging
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from casekit.cases.t4_incentives.audit import Anomaly
from casekit.cases.t4_incentives.review import ReviewNote
from casekit.html import esc, plain_list
from casekit.i18n import catalog, normalise_lang, t
from casekit.kpi import format_count, format_money, format_number, format_share
from casekit.scenario.catalogs import load_roles

__all__ = ["EVIDENCE_KEYS", "anomaly_text", "evidence_text", "kpi_label", "note_text", "role_label"]

_log = logging.getLogger(__name__)


class _Unreadable(Exception):
    """The evidence is not in a shape this module has words for: the generic text shows it instead."""


def _known(key: str) -> bool:
    return key in catalog("en")


def kpi_label(kpi: object, lang: str) -> str:
    """A KPI's name from the catalog, escaped; a name the catalog does not know (a candidate's) as written."""
    key = f"kpi.{kpi}"
    return esc(t(key, lang) if _known(key) else kpi)


def role_label(role: object, lang: str) -> str:
    """A role's name, escaped: the evidence catalog's for the roles a scheme pays, else the job title the role
    catalog gives (a support role); a role neither knows as written."""
    key = f"evidence.role_{role}"
    if _known(key):
        return esc(t(key, lang))
    known = next((r for r in load_roles() if r.id == role), None)
    return esc(known.label(normalise_lang(lang)) if known is not None else role)


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Unreadable(value)
    return list(value)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _Unreadable(value)
    return float(value)


def _kpis(value: Any, lang: str) -> str:
    return plain_list([kpi_label(k, lang) for k in _strings(value)], lang)


def _components(value: Any, lang: str) -> str:
    return plain_list([esc(c) for c in _strings(value)], lang)


def _yes_no(value: Any, lang: str) -> str:
    if not isinstance(value, bool):
        raise _Unreadable(value)
    return esc(t("evidence.bool_yes" if value else "evidence.bool_no", lang))


def _sublist(items: Sequence[str]) -> str:
    """HTML items as a list inside a line (one per anomaly, one per finding)."""
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _line(key: str, lang: str, **params: str) -> str:
    """One catalog line whose parameters are HTML already (the catalog text itself is escaped here)."""
    return esc(t(key, lang)).format(**params)


# --- one function per check: the lines its evidence reads as ---------------------------------------------------

_Lines = list[str]


def _kpi_levels(e: Mapping[str, Any], lang: str) -> _Lines:
    return [
        _line("t4evidence.ev_individual_kpis", lang, kpis=_kpis(e.get("individual", []), lang)),
        _line("t4evidence.ev_team_kpis", lang, kpis=_kpis(e.get("team", []), lang)),
    ]


def _quality(e: Mapping[str, Any], lang: str) -> _Lines:
    lines = [
        _line(
            "t4evidence.ev_without_quality", lang, components=_components(e.get("components_without_quality", []), lang)
        ),
        _line("t4evidence.ev_not_binding", lang, components=_components(e.get("components_not_binding", []), lang)),
    ]
    shares = e.get("binding_share")
    if shares is not None:
        if not isinstance(shares, Mapping):
            raise _Unreadable(shares)
        each = [
            _line("t4evidence.ev_component_value", lang, component=esc(c), value=esc(format_share(_number(v))))
            for c, v in shares.items()
        ]
        lines.append(_line("t4evidence.ev_binding_share", lang, shares=plain_list(each, lang)))
    return lines


def _gameable(e: Mapping[str, Any], lang: str) -> _Lines:
    return [_line("t4evidence.ev_gameable", lang, components=_components(e.get("components", []), lang))]


def _ratio(value: float) -> str:
    return format_number(value, 2).rstrip("0").rstrip(".")


def _responsibility(e: Mapping[str, Any], lang: str) -> _Lines:
    median = e.get("median_paid", {})
    if not isinstance(median, Mapping):
        raise _Unreadable(median)
    pay = {str(r): _number(v) or 0.0 for r, v in median.items()}
    each = [
        _line("t4evidence.ev_role_amount", lang, role=role_label(r, lang), amount=esc(format_money(v, lang)))
        for r, v in pay.items()
    ]
    lines = [_line("t4evidence.ev_median_paid", lang, pay=plain_list(each, lang))]
    steps = [
        _line(
            "t4evidence.ev_step",
            lang,
            lower=role_label(a, lang),
            higher=role_label(b, lang),
            ratio=esc(_ratio(pay[b] / pay[a]) if pay[a] > 0 else "-"),
        )
        for a, b in itertools.pairwise(pay)
    ]
    if steps:
        lines.append(_line("t4evidence.ev_steps", lang, steps=plain_list(steps, lang)))
    ratio = _number(e.get("min_ratio"))
    if ratio is not None:
        lines.append(_line("t4evidence.ev_min_ratio", lang, ratio=esc(_ratio(ratio))))
    return lines


def _budget(e: Mapping[str, Any], lang: str) -> _Lines:
    cost, budget = _number(e.get("projected_cost_per_period")), _number(e.get("budget_per_period"))
    return [
        _line("t4evidence.ev_projected_cost", lang, amount=esc(format_money(cost, lang))),
        _line("t4evidence.ev_budget", lang, amount=esc(format_money(budget, lang))),
    ]


def _budget_share(e: Mapping[str, Any], lang: str) -> _Lines:
    share = format_share(_number(e.get("share_of_payroll")))
    return [_line("t4evidence.ev_share_of_payroll", lang, share=esc(share))]


def _reward(kind: str, lang: str) -> str:
    key = "t4evidence.reward_unknown" if kind == "None" else f"t4evidence.reward_{kind}"  # a non-cash kind not given
    return esc(t(key, lang)) if _known(key) else esc(kind)


def _range(e: Mapping[str, Any], lang: str) -> _Lines:
    kinds = [_reward(k, lang) for k in _strings(e.get("kinds", []))]
    return [_line("t4evidence.ev_reward_kinds", lang, kinds=plain_list(kinds, lang))]


def _effective(e: Mapping[str, Any], lang: str) -> _Lines:
    lines = [_line("t4evidence.ev_improved", lang, kpis=_kpis(e.get("improved", []), lang))]
    if "gaming" in e:
        lines.append(_line("t4evidence.ev_gaming", lang, answer=_yes_no(e["gaming"], lang)))
    return lines


def _anomaly_kind(kind: object, lang: str) -> str:
    key = f"t4audit.kind_{kind}"
    return esc(t(key, lang) if _known(key) else kind)


def _missed(text: str, lang: str) -> str:
    """A missed anomaly as the check records it, ``kind:staff,staff``, in words."""
    kind, _, staff = text.partition(":")
    people = esc(t("evidence.list_sep", lang)).join(esc(s) for s in staff.split(",") if s)  # the first few only
    return _line("t4evidence.ev_anomaly", lang, kind=_anomaly_kind(kind, lang), staff=people)


def _unsupported(item: Any, lang: str) -> str:
    if not isinstance(item, Mapping):
        raise _Unreadable(item)
    reason = f"t4audit.unsupported_{item.get('reason')}"
    return _line(
        "t4evidence.ev_unsupported_finding",
        lang,
        number=esc(format_count(_number(item.get("finding")))),
        kind=_anomaly_kind(item.get("kind"), lang),
        reason=esc(t(reason, lang) if _known(reason) else item.get("reason")),
    )


def _anomalies(e: Mapping[str, Any], lang: str) -> _Lines:
    found, seeded = (esc(format_count(_number(e.get(k)))) for k in ("found", "seeded"))
    lines = [_line("t4evidence.ev_found", lang, found=found, seeded=seeded)]
    missed = _strings(e.get("missed", []))
    if missed:
        lines.append(_line("t4evidence.ev_missed", lang, anomalies=_sublist([_missed(m, lang) for m in missed])))
    unsupported = e.get("unsupported", [])
    if not isinstance(unsupported, list):
        raise _Unreadable(unsupported)
    if unsupported:
        each = [_unsupported(u, lang) for u in unsupported]
        lines.append(_line("t4evidence.ev_unsupported", lang, findings=_sublist(each)))
    return lines


def _figure(name: str, lang: str) -> str:
    key = f"t4evidence.figure_{name}"
    if not _known(key):
        raise _Unreadable(name)
    return esc(t(key, lang))


#: The recomputed figures the ``figures_reproduce`` check records, by the reported figure each one checks.
_RECOMPUTED: Final = {
    "recomputed_cost_per_period": "projected_cost_per_period",
    "recomputed_simulated_cost": "simulated_cost_total",
    "recomputed_audit_budget_variance": "audit_budget_variance",
}


def _figures(e: Mapping[str, Any], lang: str) -> _Lines:
    checked = e.get("checked", {})
    if not isinstance(checked, Mapping) or not all(isinstance(v, bool) for v in checked.values()):
        raise _Unreadable(checked)
    good = [_figure(str(k), lang) for k, ok in checked.items() if ok]
    bad = [_figure(str(k), lang) for k, ok in checked.items() if not ok]
    lines = [_line("t4evidence.ev_reproduce", lang, figures=plain_list(good, lang))]
    if bad:
        lines.append(_line("t4evidence.ev_not_reproduce", lang, figures=plain_list(bad, lang)))
    if missing := _strings(e.get("kpis_missing", [])):
        lines.append(_line("t4evidence.ev_kpis_missing", lang, kpis=_kpis(missing, lang)))
    if wrong := _strings(e.get("kpis_wrong", [])):
        lines.append(_line("t4evidence.ev_kpis_wrong", lang, kpis=_kpis(wrong, lang)))
    recomputed = [
        _line("t4evidence.ev_figure_value", lang, figure=_figure(figure, lang), value=esc(format_money(value, lang)))
        for key, figure in _RECOMPUTED.items()
        if (value := _number(e.get(key))) is not None
    ]
    if recomputed:
        lines.append(_line("t4evidence.ev_recomputed", lang, figures=plain_list(recomputed, lang)))
    return lines


_Render = Callable[[Mapping[str, Any], str], _Lines]

#: Each T4 check: the keys its evidence has, and the lines they read as.
_CHECKS: Final[dict[str, tuple[frozenset[str], _Render]]] = {
    "individual_and_team_kpis": (frozenset({"individual", "team"}), _kpi_levels),
    "quality_gated": (
        frozenset({"components_without_quality", "components_not_binding", "binding_share"}),
        _quality,
    ),
    "no_gameable_alone": (frozenset({"components"}), _gameable),
    "rewards_by_responsibility": (frozenset({"median_paid", "min_ratio"}), _responsibility),
    "within_budget": (frozenset({"projected_cost_per_period", "budget_per_period"}), _budget),
    "budget_reasonable": (frozenset({"share_of_payroll"}), _budget_share),
    "reward_range": (frozenset({"kinds"}), _range),
    "effective": (frozenset({"improved", "gaming"}), _effective),
    "anomalies_found": (frozenset({"found", "seeded", "missed", "unsupported"}), _anomalies),
    "figures_reproduce": (
        frozenset({"checked", "kpis_missing", "kpis_wrong", *_RECOMPUTED}),
        _figures,
    ),
}

#: The keys each T4 check's evidence has (what :func:`evidence_text` has words for).
EVIDENCE_KEYS: Final = {name: keys for name, (keys, _) in _CHECKS.items()}


def evidence_text(check: str, evidence: Mapping[str, Any], lang: str) -> str | None:
    """The evidence ``check`` recorded, as HTML in plain language (a list of lines); None for evidence this module
    has no words for (see the module's docstring), which the generic text then shows."""
    known = _CHECKS.get(check)
    if known is None or not evidence or not set(evidence) <= known[0]:
        return None
    try:
        lines = known[1](evidence, lang)
    except _Unreadable as exc:
        _log.debug("evidence of %s left to the generic text: %r", check, exc)
        return None
    return '<ul class="ck-evidence">' + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"


# --- the texts T4's own sections show: review notes and seeded anomalies ---------------------------------------


#: Review notes about money, in the evidence's own words so that money reads as it does everywhere on the page.
_MONEY_NOTES: Final = {
    "t4review.within_budget": "t4evidence.review_within_budget",
    "t4review.over_budget": "t4evidence.review_over_budget",
}
#: The least a review note's figure must be to show a digit other than 0 (``qa_delta`` is shown to 0.1, the rest
#: to 0.1 % or finer): a smaller one is 0, so that no note says ``-0.0``.
_SHOWN_FROM: Final = {"qa_delta": 0.05}


def note_text(note: ReviewNote, lang: str) -> str:
    """One review note as the page shows it (text, to be escaped): money through the one money formatter, never a
    ``-0``."""
    p = note.params
    if note.key in _MONEY_NOTES:
        money = {k: format_money(p.get(k), lang) for k in ("cost", "budget", "variance")}
        return t(_MONEY_NOTES[note.key], lang, **money, pct=format_share(p.get("pct"), signed=True))
    if note.key == "t4review.cost_per_unit":
        return t(
            "t4evidence.review_cost_per_unit",
            lang,
            kpi=t(f"kpi.{p.get('kpi')}", lang),
            cost=format_money(p.get("cost_per_unit"), lang),
            unit=t(f"t4review.unit_{p.get('unit')}", lang),
        )
    snapped: dict[str, Any] = {
        k: 0.0 if isinstance(v, float) and abs(v) < _SHOWN_FROM.get(k, 0.0005) else v for k, v in p.items()
    }
    return ReviewNote(note.key, snapped).text(lang)


def anomaly_text(a: Anomaly, lang: str) -> str:
    """What a seeded anomaly is (text, to be escaped), in the evidence's words: money as everywhere on the page."""
    note = a.note_key.rsplit(".", 1)[-1].removeprefix("note_")
    key = f"t4evidence.anomaly_{note}"
    if not _known(key):  # an anomaly this page has no words for: the audit's own
        return a.describe(lang)
    return t(
        key,
        lang,
        staff=t("evidence.list_sep", lang).join(a.staff_ids),
        component=a.component or "-",
        team=a.team or "-",
        expected=format_money(a.expected, lang),
        paid=format_money(a.paid, lang),
    )
