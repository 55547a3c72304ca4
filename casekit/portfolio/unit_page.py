"""The unit portfolio page of one candidate, and the cohort index of unit results, rendered from data.

The unit decision (competent, not yet competent, or what it still awaits) is made elsewhere and written as a
``casekit-unit-result`` document (:func:`casekit.cohort.unit.unit_document`); this module turns such documents into
pages, with no notebook and no kernel. Why the pages look the way they do:

- An assessor, a moderator or an auditor years later reads them offline and often on paper, so they follow
  :func:`casekit.portfolio.pages.render_index`: one file, CSS inline, no script, no network, a Content-Security-Policy
  forbidding both, and only relative links (a link that is not a relative file path is refused).
- The decision comes first and in plain words, then why, then the evidence behind it: what covers each performance
  indicator and evidence item by which method, each component with its attempts, grading run and every criterion
  with the assessor's mark, the moderation trail, the sign-offs (a void one stays visible, struck through), and
  what it was all decided with (every SHA-256, and what each covers).
- Marks, reasons and statements are free text typed by people: every value is escaped (Jinja autoescape); only the
  packaged CSS is marked safe. Labels come from the ``unitpage`` catalog, never raw keys or enum values.
- Printed (A4), no column is clipped: the tables are as wide as the page with fixed column shares and cells that
  wrap anywhere, so a long reason or a SHA-256 wraps instead of running off the paper.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, urlsplit

from casekit.atomic import write_atomic
from casekit.errors import UsageError
from casekit.fonts import warn_if_no_cjk_font
from casekit.i18n import catalog, normalise_lang, t

__all__ = ["LABELS", "UNIT_SCHEMA", "UNIT_SCHEMA_VERSION", "awaiting_phrases", "render_unit_index", "render_unit_page"]

#: The document this module renders (:data:`casekit.cohort.unit.UNIT_SCHEMA`; the cohort layer sits above this
#: one, so the name is repeated here and a test keeps the two the same).
UNIT_SCHEMA: Final = "casekit-unit-result"
UNIT_SCHEMA_VERSION: Final = 1
#: Every ``unitpage.<name>`` label the templates show (the templates read them as ``L.<name>``).
LABELS: Final = (
    *("attempts", "candidate", "case_decision", "case_page", "casekit_version", "coverage_note", "criteria"),
    *("current_digest", "essential", "evidence_says", "explain_digest", "explain_plan", "explain_rubric"),
    *("failed_heading", "generated", "graded_attempt", "graded_at", "grading_run", "group_evidence"),
    *("group_indicator", "heading", "index_empty", "index_heading", "kind", "method", "methods", "name", "no"),
    *("no_attempts", "no_criteria", "no_failed", "no_mark", "no_moderation", "no_reasons", "no_signoffs", "none"),
    *("not_graded", "not_used", "note", "open_case", "open_details", "outcome", "plan", "plan_file", "plan_sha256"),
    *("rubric_file", "rubric_id", "rubric_sha256", "rubrics", "sec_components", "sec_coverage"),
    *("sec_moderation", "sec_provenance", "sec_reasons", "sec_signoffs", "signoff_awaiting", "signoff_signed"),
    *("signoffs_required", "status", "totals", "uncovered", "unit", "valid", "void", "yes"),
    *("sec_outside", "outside_note", "not_counted"),
    *("col_action", "col_attempt", "col_awaits", "col_component", "col_components", "col_covered"),
    *("col_criteria_met", "col_criterion", "col_details", "col_digest", "col_element", "col_judgement"),
    *("col_key", "col_mark", "col_met", "col_method", "col_moderator", "col_n", "col_not_yet_met", "col_outcome"),
    *("col_pending", "col_reason", "col_recorded", "col_required", "col_role", "col_sha256_short"),
    *("col_signer", "col_source", "col_state", "col_statement", "col_text", "col_time", "col_title", "col_validity"),
)
#: The unit elements the coverage matrix has a row for (methods get a table of their own).
MATRIX_KINDS: Final = ("indicator", "evidence")


@functools.cache
def _env() -> Any:
    # lazy: keep jinja2 off the CLI's start-up path
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_templates())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _templates() -> Path:
    return Path(str(resources.files("casekit") / "templates"))


def _render(template: str, out: Path, code: str, **context: Any) -> Path:
    from markupsafe import Markup

    css = (_templates() / "casekit_portfolio" / "static" / "casekit.css").read_text(encoding="utf-8")
    labels = {name: t(f"unitpage.{name}", code) for name in LABELS}
    page = _env().get_template(template).render(lang=code, css=Markup(css), L=labels, **context)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, page.encode("utf-8"))
    return out


def _check(doc: Mapping[str, Any], code: str) -> None:
    got, version = doc.get("schema"), doc.get("schema_version")
    if got != UNIT_SCHEMA or version != UNIT_SCHEMA_VERSION:
        params = {"want": UNIT_SCHEMA, "version": UNIT_SCHEMA_VERSION, "got": got, "got_version": version}
        raise UsageError(t("unitpage.bad_schema", code, **params))


def _href(link: object, candidate: object, code: str) -> str:
    """A relative file path as a link (percent-encoded); refused when it names a scheme, a host or the root."""
    text = str(link or "").replace("\\", "/")
    parts = urlsplit(text)
    if text and (parts.scheme or parts.netloc or text.startswith("/")):
        raise UsageError(t("unitpage.bad_href", code, got=text, candidate=candidate))
    return quote(text, safe="/")


def _joined(items: Sequence[str], code: str) -> str:
    return t("unitpage.list_sep", code).join(items)


def _method_title(element: Mapping[str, Any], code: str) -> str:
    key = f"unitpage.method_{element['id']}"
    return catalog(code).get(key) or f"{element['id']} · {element['text']}"


def _kind_title(kind: str, code: str) -> str:
    """The case kind's title when this installation knows the kind, else its id."""
    from casekit.registry import registry

    return registry.get(kind).title(code) if kind in registry else kind


# --- the unit page ------------------------------------------------------------------------------------------------


def _matrix(doc: Mapping[str, Any], methods: Sequence[str], code: str) -> list[dict[str, Any]]:
    """One row per performance indicator and evidence item: its cells, one per method, list the covering criteria."""
    uncovered = set(doc["uncovered"])
    rows = []
    for element in doc["elements"]:
        if element["kind"] not in MATRIX_KINDS:
            continue
        cells = doc["coverage"].get(element["id"], [])
        rows.append(
            {
                "id": element["id"],
                "kind": element["kind"],
                "text": element["text"],
                "required": bool(element["required"]),
                "uncovered": element["id"] in uncovered,
                "cells": [[_covering(c, doc, code) for c in cells if c["method"] == m] for m in methods],
            }
        )
    return rows


def _covering(cell: Mapping[str, Any], doc: Mapping[str, Any], code: str) -> dict[str, Any]:
    return {
        "criterion": cell["criterion"],
        "component": cell["component"],
        "state": cell["state"],
        "state_label": t(f"rubric.state_{cell['state']}", code),
        "href": _href(cell.get("href"), doc["candidate_id"], code),
    }


def _methods(doc: Mapping[str, Any], code: str) -> list[dict[str, Any]]:
    uncovered = set(doc["uncovered"])
    rows = []
    for element in doc["elements"]:
        if element["kind"] != "method":
            continue
        met = sum(1 for c in doc["coverage"].get(element["id"], []) if c["state"] == "met")
        rows.append(
            {
                "id": element["id"],
                "title": _method_title(element, code),
                "text": element["text"],
                "required": bool(element["required"]),
                "uncovered": element["id"] in uncovered,
                "covered": t("unitpage.covered_by", code, n=met) if met else t("unitpage.not_used", code),
            }
        )
    return rows


def _components(doc: Mapping[str, Any], titles: Mapping[str, str], code: str) -> list[dict[str, Any]]:
    shown = []
    for comp in doc["components"]:
        criteria = []
        for c in comp["criteria"]:
            mark = c["mark"]
            if mark is not None:
                mark = dict(mark) | {"result_label": t(f"rubric.state_{mark['result']}", code)}
            criteria.append(dict(c) | {"mark": mark})
        decision = comp["decision"]
        shown.append(
            dict(comp)
            | {
                "heading": t("unitpage.component", code, component=comp["id"]),
                "kind_title": _kind_title(comp["kind"], code),
                "method_title": titles.get(comp["method"], comp["method"]),
                "href": _href(comp.get("href"), doc["candidate_id"], code),
                "state": decision["outcome"] if decision else comp["status"],
                "criteria": criteria,
            }
        )
    return shown


def _signoff_roles(doc: Mapping[str, Any], code: str) -> list[dict[str, Any]]:
    signed = {s["role"] for s in doc["signoffs"] if s["valid"]}
    return [
        {
            "label": r["label"],
            "signed": r["role"] in signed,
            "state": t("unitpage.signoff_signed" if r["role"] in signed else "unitpage.signoff_awaiting", code),
        }
        for r in doc["signoffs_required"]
    ]


def render_unit_page(doc: Mapping[str, Any], out: Path, lang: str) -> Path:
    """Write the unit portfolio page of one candidate's unit result ``doc`` (a ``casekit-unit-result`` document,
    in ``lang``) to ``out``, atomically; returns ``out``.

    The page shows, in this order: the decision (and, while it awaits sign-off, what the evidence says), its
    reasons, the coverage matrix of the unit's performance indicators and evidence by method (uncovered required
    ones marked) and the methods, each component (attempts, grading run, criteria with the assessor's marks), the
    moderation trail, the sign-offs (void ones struck through) and the provenance. Links in ``doc`` must be
    relative file paths (they are percent-encoded here). Raises :class:`~casekit.errors.UsageError` for a document
    of another schema or a link that is not relative.
    """
    code = normalise_lang(lang)
    _check(doc, code)
    warn_if_no_cjk_font(code)
    methods = [e for e in doc["elements"] if e["kind"] == "method"]
    titles = {e["id"]: _method_title(e, code) for e in methods}
    candidate = doc["candidate_id"] if not doc.get("name") else f"{doc['candidate_id']} ({doc['name']})"
    return _render(
        "casekit_unit/unit.html.j2",
        out,
        code,
        doc=doc,
        title=t("unitpage.title", code, candidate=candidate),
        met_count=t("unitpage.met_count", code, met=doc["met"], total=doc["total"]),
        method_columns=[(e["id"], titles[e["id"]]) for e in methods],
        groups=[(kind, t(f"unitpage.group_{kind}", code)) for kind in MATRIX_KINDS],
        matrix=_matrix(doc, [e["id"] for e in methods], code),
        methods=_methods(doc, code),
        components=_components(doc, titles, code),
        outside=_outside(doc, code),
        roles=_signoff_roles(doc, code),
    )


def _outside(doc: Mapping[str, Any], code: str) -> list[dict[str, Any]]:
    """The submissions the plan does not count, as the page and the index show them."""
    return [
        dict(o)
        | {
            "id": o["kind"],
            "kind_title": _kind_title(o["kind"], code),
            "state": o["decision"]["outcome"] if o["decision"] else o["status"],
            "label": o["decision"]["label"] if o["decision"] else o["status_label"],
            "href": _href(o.get("href"), doc["candidate_id"], code),
        }
        for o in doc.get("outside_plan", [])
    ]


# --- the cohort index ----------------------------------------------------------------------------------------------


def awaiting_phrases(doc: Mapping[str, Any], lang: str | None = None) -> list[str]:
    """What a unit result awaits and from whom, as short phrases in ``lang``: an assessor's judgement (naming the
    criteria), the moderator's resolution (naming the criteria), sign-off (naming the roles); ``[]`` when the
    decision awaits nobody."""
    code = normalise_lang(lang)
    reasons = doc["reasons"]

    def criteria(key: str) -> list[str]:
        return [str(r["params"].get("criterion", "")) for r in reasons if r["key"] == key]

    phrases = []
    if pending := criteria("rubric.reason_awaiting"):
        phrases.append(t("unitpage.awaits_assessor", code, criteria=_joined(pending, code)))
    if moderated := criteria("rubric.reason_in_moderation"):
        phrases.append(t("unitpage.awaits_moderation", code, criteria=_joined(moderated, code)))
    keys = {r["key"] for r in reasons}
    roles = [r["label"] for r in doc["signoffs_required"] if f"unit.reason_awaiting_signoff_{r['role']}" in keys]
    if roles:
        phrases.append(t("unitpage.awaits_signoff", code, roles=_joined(roles, code)))
    if not phrases and str(doc["outcome"]).startswith("awaiting_"):
        phrases.append(t(f"rubric.decision_{doc['outcome']}", code))  # a reason this version does not name
    return phrases


def _index_row(doc: Mapping[str, Any], code: str) -> dict[str, Any]:
    components = [
        {
            "id": c["id"],
            "state": c["decision"]["outcome"] if c["decision"] else c["status"],
            "label": c["decision"]["label"] if c["decision"] else c["status_label"],
            "href": _href(c.get("href"), doc["candidate_id"], code),
        }
        for c in doc["components"]
    ]
    awaits = awaiting_phrases(doc, code)
    return {
        "candidate_id": doc["candidate_id"],
        "name": doc.get("name", ""),
        "href": _href(doc.get("href"), doc["candidate_id"], code),
        "outcome": doc["outcome"],
        "label": doc["label"],
        "evidence_outcome": doc["evidence_outcome"],
        "evidence_label": doc["evidence_label"] if doc["evidence_outcome"] != doc["outcome"] else "",
        "components": components,
        "outside": _outside(doc, code),
        "awaits": awaits or [t("unitpage.awaits_nothing", code)],
        "waiting": bool(awaits),
        "met_count": t("unitpage.met_count", code, met=doc["met"], total=doc["total"]),
    }


def _totals(units: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per criterion, over the candidates whose graded component has it: how many met, not yet met, pending
    (awaiting an assessor, in moderation, or a check error an assessor must settle)."""
    totals: dict[str, dict[str, Any]] = {}
    for doc in units:
        for comp in doc["components"]:
            if comp["status"] != "graded":
                continue  # not evidence for the plan: its criteria do not count
            for c in comp["criteria"]:
                row = totals.setdefault(
                    c["id"], {"id": c["id"], "title": c["title"], "met": 0, "not_yet_met": 0, "pending": 0, "n": 0}
                )
                row["n"] += 1
                row[c["state"] if c["state"] in ("met", "not_yet_met") else "pending"] += 1
    return list(totals.values())


def render_unit_index(
    units: Sequence[Mapping[str, Any]],
    failed: Sequence[Mapping[str, str]],
    out: Path,
    lang: str,
    *,
    seal: str = "",
) -> Path:
    """Write the cohort index of unit results to ``out``, atomically; returns ``out``.

    ``units`` are ``casekit-unit-result`` documents in ``lang``, each with an extra ``"href"``: the link to the
    candidate's unit page (a relative file path). Every link is used as given, so all of them, the case-page links
    in each document's ``components`` included, must be relative to the index's folder (a unit page in ``units/``
    links to ``../portfolios/...``; its document is rebased for the index: :func:`casekit.execution.units.index_links`).

    One row per candidate: the id linking to the unit page, the unit decision, a badge per component with its case
    decision linking to its case page, and what awaits whom (:func:`awaiting_phrases`); then the totals per
    criterion across the cohort; then ``failed`` (``source``, ``key``, ``reason``, ``href``: the submissions whose
    grading failed); and the ``seal`` of the folder (:mod:`casekit.execution.manifest`) in the footer, as the case
    index has it, so ``casekit verify`` finds it. Every value is escaped; links must be relative file paths.
    """
    code = normalise_lang(lang)
    for doc in units:
        _check(doc, code)
    warn_if_no_cjk_font(code)
    rows = [_index_row(doc, code) for doc in units]
    unit = units[0]["unit"] if units else None
    count = {
        "n": len(rows),
        "competent": sum(1 for r in rows if r["outcome"] == "competent"),
        "not_yet": sum(1 for r in rows if r["outcome"] == "not_yet_competent"),
        "waiting": sum(1 for r in rows if str(r["outcome"]).startswith("awaiting_")),
    }
    failures = [
        {
            "source": f.get("source", ""),
            "key": f.get("key", ""),
            "reason": f.get("reason", ""),
            "href": _href(f.get("href"), f.get("key", ""), code),
        }
        for f in failed
    ]
    return _render(
        "casekit_index/units.html.j2",
        out,
        code,
        title=t("unitpage.index_heading", code),
        unit=unit,
        count=t("unitpage.index_count", code, **count),
        rows=rows,
        totals=_totals(units),
        failed=failures,
        seal=seal,
        seal_label=t("portfolio.seal", code),
    )
