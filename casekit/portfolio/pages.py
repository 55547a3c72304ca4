"""Evidence portfolio pages: an executed grading notebook becomes one self-contained HTML page; plus a cohort index.

Why the pages look the way they do:

- An assessor (or an auditor, years later) opens them offline, so a page makes no network request: no require.js,
  no MathJax, no widget renderer, CSS inline, images as ``data:`` URIs. A Content-Security-Policy in the page
  forbids scripts and fetches even if a notebook output carried a reference.
- Widgets do not survive a static page (their state needs a renderer), so ``metadata.widgets`` and widget views
  are stripped; grading notebooks show evidence as HTML tables and PNG/SVG charts instead.
- The portfolio is evidence, not code: input cells are hidden unless asked for.
- Candidate text is hostile until escaped. A grading notebook must put any candidate free text into HTML
  output only through :func:`escape_text`; the page escapes every metadata value it shows, and the index escapes
  everything.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from casekit.atomic import write_atomic
from casekit.errors import UsageError
from casekit.html import esc
from casekit.i18n import normalise_lang, t

__all__ = [
    "CRITERION_STATES",
    "DECISION_STATES",
    "STATIC_MIME_TYPES",
    "IndexEntry",
    "escape_text",
    "render_index",
    "render_portfolio",
    "safe_filename",
    "strip_dynamic_outputs",
]

# Output types that render without a script; everything else (widgets, JavaScript, Plotly, ...) is dropped.
STATIC_MIME_TYPES: tuple[str, ...] = (
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/plain",
)
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
CRITERION_STATES: tuple[str, ...] = ("met", "not_yet_met", "awaiting_assessor", "in_moderation", "error")
DECISION_STATES: tuple[str, ...] = (
    "competent",
    "not_yet_competent",
    "awaiting_assessor",
    "awaiting_moderation",
    "awaiting_signoff",
    "failed",
)
PORTFOLIO_TEMPLATE = "casekit_portfolio"


def escape_text(text: object) -> str:
    """Candidate free text made safe to place in HTML (``<``, ``>``, ``&`` and both quotes escaped).

    Grading notebooks must route every piece of candidate text through this before it becomes part of an HTML
    output (``display(HTML(f"<td>{escape_text(answer)}</td>"))``); the portfolio keeps ``text/html`` outputs as
    they are, so anything not escaped here reaches the assessor's browser as markup.
    """
    return esc(text)


def safe_filename(candidate_id: str) -> str:
    """A file name stem for a candidate's page: readable, portable, and distinct for distinct ids.

    Ids are free text (``../<b>x</b>`` must not escape the output folder), so unsafe characters become ``_`` and
    a short digest of the full id keeps two ids that differ only in such characters apart.
    """
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", candidate_id).strip("_")[:40] or "candidate"
    return f"{slug}-{hashlib.sha256(candidate_id.encode('utf-8')).hexdigest()[:8]}"


def _templates() -> Path:
    return Path(str(resources.files("casekit") / "templates"))


def strip_dynamic_outputs(nb: Any) -> Any:
    """Remove what needs a script to render: widget state, widget views, non-static MIME types. In place.

    An output whose only content was dynamic disappears; a widget output goes entirely (its ``text/plain`` is a
    repr like ``IntSlider(value=3)``, noise to an assessor).
    """
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("widgets", None)
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                kept.append(output)  # streams and errors are plain text
                continue
            data = output.get("data", {})
            if WIDGET_VIEW_MIME in data:
                continue
            dynamic = [m for m in data if m not in STATIC_MIME_TYPES]
            for mime in dynamic:
                del data[mime]
            if dynamic and set(data) <= {"text/plain"}:
                continue  # only a repr like <IPython.core.display.Javascript object> was left
            if data:
                kept.append(output)
        cell.outputs = kept
    return nb


@functools.lru_cache(maxsize=2)
def _exporter(show_input: bool) -> Any:
    """One exporter per setting, reused: building its template environment costs more than a page."""
    # lazy: nbconvert costs over a second to import, which the CLI's start-up should not pay
    from nbconvert import HTMLExporter

    return HTMLExporter(  # type: ignore[no-untyped-call]
        template_name=PORTFOLIO_TEMPLATE,
        extra_template_basedirs=[str(_templates())],
        exclude_input=not show_input,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


def render_portfolio(
    executed_notebook_path: str | Path,
    out_html_path: str | Path,
    lang: str | None = None,
    *,
    show_input: bool = False,
    candidate_id: str | None = None,
    facts: Sequence[tuple[str, str]] = (),
) -> Path:
    """Export an executed notebook to one self-contained HTML page at ``out_html_path`` (written atomically).

    The page title and labels come from the catalog in ``lang``; the candidate id is read from the notebook's
    ``metadata.casekit.candidate_id`` and a subtitle from ``metadata.title``, both shown escaped. ``facts`` adds
    (catalog key ``portfolio.<name>``, value) lines to the page's header, such as the SHA-256 of its result.
    """
    # lazy: nbformat costs over a second to import, which the CLI's start-up should not pay
    import nbformat

    code = normalise_lang(lang)
    source = Path(executed_notebook_path)
    nb = strip_dynamic_outputs(nbformat.read(source, as_version=4))  # type: ignore[no-untyped-call]
    meta = nb.metadata.get("casekit", {})
    candidate = str(meta.get("candidate_id", "")) if isinstance(meta, Mapping) else ""
    if candidate_id is not None:  # the grader knows it from the answer document; the notebook cannot set it
        candidate = candidate_id
    shown: list[tuple[str, str]] = []
    if candidate:
        shown.append((t("portfolio.candidate", code), candidate))
    if nb.metadata.get("title"):
        shown.append((t("portfolio.notebook_title", code), str(nb.metadata["title"])))
    shown += [(t(f"portfolio.{name}", code), value) for name, value in facts]
    casekit_resources = {
        "lang": code,
        "title": t("portfolio.title", code, candidate=candidate) if candidate else t("portfolio.title_anonymous", code),
        "heading": t("portfolio.heading", code),
        "facts": shown,
        "note": t("portfolio.note_static", code),
    }
    body, _ = _exporter(show_input).from_notebook_node(
        nb, resources={"casekit": casekit_resources, "metadata": {"name": source.stem}}
    )
    out = Path(out_html_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, body.encode("utf-8"))
    return out


@dataclass(frozen=True)
class IndexEntry:
    """One candidate's row in the cohort index.

    ``decision_state`` is one of :data:`DECISION_STATES`; ``criteria`` pairs a criterion id with one of
    :data:`CRITERION_STATES`; ``portfolio_href`` is the candidate's page as a plain relative file path (not a
    URL: it is percent-encoded here), relative to the index page. An empty ``decision_label`` is taken from
    the catalog.
    """

    candidate_id: str
    decision_state: str
    decision_label: str = ""
    case: str = ""
    criteria: tuple[tuple[str, str], ...] = ()
    portfolio_href: str = ""

    @classmethod
    def coerce(cls, entry: IndexEntry | Mapping[str, Any]) -> IndexEntry:
        if isinstance(entry, IndexEntry):
            return entry
        return cls(
            candidate_id=str(entry["candidate_id"]),
            decision_state=str(entry["decision_state"]),
            decision_label=str(entry.get("decision_label", "")),
            case=str(entry.get("case", "")),
            criteria=tuple((str(c), str(s)) for c, s in entry.get("criteria", ())),
            portfolio_href=str(entry.get("portfolio_href", "")),
        )


def _check_entries(entries: list[IndexEntry], lang: str) -> None:
    """Collect every problem with the entries, then report them together."""
    problems = []
    for n, entry in enumerate(entries, start=1):
        where = {"n": n, "candidate": entry.candidate_id}
        if entry.decision_state not in DECISION_STATES:
            got, allowed = entry.decision_state, ", ".join(DECISION_STATES)
            problems.append(t("portfolio.bad_state", lang, field="decision_state", allowed=allowed, got=got, **where))
        for criterion_id, state in entry.criteria:
            if state not in CRITERION_STATES:
                problems.append(
                    t(
                        "portfolio.bad_state",
                        lang,
                        field=criterion_id,
                        allowed=", ".join(CRITERION_STATES),
                        got=state,
                        **where,
                    )
                )
        href = entry.portfolio_href
        parts = urlsplit(href)
        if href and (parts.scheme or parts.netloc or href.startswith(("/", "\\"))):
            problems.append(t("portfolio.bad_href", lang, got=href, **where))
    if problems:
        raise UsageError("\n".join(problems))


def render_index(
    entries: Iterable[IndexEntry | Mapping[str, Any]],
    out_html_path: str | Path,
    lang: str | None = None,
    *,
    title: str | None = None,
    seal: str = "",
) -> Path:
    """Write the cohort index: one row per candidate with decision, criterion badges and a link to the page, and
    the ``seal`` of what the folder publishes (:mod:`casekit.execution.manifest`), so a printed index pins it.

    Every value is escaped (Jinja autoescape); the page has no script and links only relatively.
    """
    # lazy: keep jinja2 off the CLI's start-up path
    import jinja2
    from markupsafe import Markup

    code = normalise_lang(lang)
    rows = [IndexEntry.coerce(e) for e in entries]
    _check_entries(rows, code)
    view = [
        {
            "candidate_id": r.candidate_id,
            "case": r.case,
            "decision_state": r.decision_state,
            "decision_label": r.decision_label or t(f"portfolio.decision_{r.decision_state}", code),
            "criteria": [(c, s, t(f"portfolio.state_{s}", code)) for c, s in r.criteria],
            "href": quote(r.portfolio_href.replace("\\", "/"), safe="/"),
        }
        for r in rows
    ]
    templates = _templates()
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates / "casekit_index")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    css = (templates / PORTFOLIO_TEMPLATE / "static" / "casekit.css").read_text(encoding="utf-8")
    competent = sum(1 for r in rows if r.decision_state == "competent")
    page = env.get_template("index.html.j2").render(
        lang=code,
        title=title or t("portfolio.index_title", code),
        count=t("portfolio.index_count", code, n=len(rows), competent=competent),
        css=Markup(css),  # packaged with casekit, not candidate data
        rows=view,
        seal=seal,
        seal_label=t("portfolio.seal", code),
        labels={
            key: t(f"portfolio.col_{key}", code) for key in ("candidate", "case", "decision", "criteria", "portfolio")
        }
        | {"open": t("portfolio.open", code), "empty": t("portfolio.index_empty", code)},
    )
    out = Path(out_html_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, page.encode("utf-8"))
    return out
