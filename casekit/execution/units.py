"""The unit level of a graded folder, built in the parent process from the gradebook (no kernel): per candidate,
``units/<candidate>.json`` (schema ``casekit-unit-result``) and its page ``units/<candidate>.html``; then the
cohort index (one row per candidate) and the manifest.

A candidate's case pages are found through ``results/*.json`` (each names its candidate and case), so the unit
pages link to them whichever batch graded them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from casekit.assessment.plan import Plan
from casekit.atomic import write_atomic
from casekit.jsonio import dumps_strict

__all__ = ["case_pages", "index_links", "unit_files", "write_units"]


def case_pages(root: Path) -> dict[str, str]:
    """Submission key (``candidate/case``) -> its case page, relative to ``units/``, for each published result."""
    pages = {}
    for result in sorted((root / "results").glob("*.json")):
        try:
            doc = json.loads(result.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a damaged result is casekit verify's to report; it links nothing
        page = root / "portfolios" / f"{result.stem}.html"
        if isinstance(doc, dict) and page.is_file():
            pages[f"{doc.get('candidate_id')}/{doc.get('case')}"] = f"../portfolios/{page.name}"
    return pages


def unit_files(candidates: Sequence[str]) -> dict[str, str]:
    """A distinct, file-safe stem per candidate id: the id itself when it is a safe id (as answer headers and
    rosters require), else a sanitised one (an id is never a path as it comes); distinct on a case-insensitive
    disk too."""
    from casekit.answers import is_safe_id
    from casekit.portfolio import safe_filename

    used: set[str] = set()
    stems = {}
    for candidate in sorted(candidates):
        base = candidate if is_safe_id(candidate) else safe_filename(candidate)
        stem, n = base, 2
        while stem.lower() in used:
            stem, n = f"{base}-{n}", n + 1
        used.add(stem.lower())
        stems[candidate] = stem
    return stems


def write_units(root: Path, plan: Plan, lang: str, *, generated_at: str = "") -> list[dict[str, Any]]:
    """Decide and write every candidate's unit result and page under ``root/units``; the documents, each with
    ``href`` (its page, relative to ``root``), in candidate order."""
    from casekit.cohort.unit import outside_plan, unit_decision, unit_document
    from casekit.portfolio import render_unit_page
    from casekit.store import Gradebook

    book_path = root / "gradebook.sqlite"
    if not book_path.is_file():
        return []
    (root / "units").mkdir(parents=True, exist_ok=True)
    pages = case_pages(root)
    docs = []
    with Gradebook(book_path) as book:
        candidates = [c for c, _name in book.candidates()]
        stems = unit_files(candidates)
        for candidate in candidates:
            inputs, decision = unit_decision(book, plan, candidate)
            outside = outside_plan(book, plan, candidate, lang)
            doc = unit_document(inputs, decision, lang, pages=pages, generated_at=generated_at, outside=outside)
            stem = stems[candidate]
            write_atomic(root / "units" / f"{stem}.json", dumps_strict(doc).encode("utf-8"))
            render_unit_page(doc, root / "units" / f"{stem}.html", lang)
            docs.append(doc | {"href": f"units/{stem}.html"})
    return docs


def index_links(docs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The unit documents as the cohort index shows them: links relative to the folder's root (the unit pages
    link to case pages relative to ``units/``)."""
    out = []
    for doc in docs:
        components = [
            c | {"href": c["href"].removeprefix("../") if c.get("href") else ""} for c in doc.get("components", [])
        ]
        outside = [
            o | {"href": o["href"].removeprefix("../") if o.get("href") else ""} for o in doc.get("outside_plan", [])
        ]
        out.append(dict(doc) | {"components": components, "outside_plan": outside})
    return out
