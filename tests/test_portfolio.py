"""Portfolio pages and the cohort index: self-contained (no network, no script), candidate text escaped."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from casekit.errors import UsageError
from casekit.execution.kernels import isolated_kernels
from casekit.i18n import LANGS, catalog
from casekit.portfolio import (
    IndexEntry,
    escape_text,
    render_index,
    render_portfolio,
    safe_filename,
    strip_dynamic_outputs,
)

NOTEBOOKS = Path(__file__).parent / "notebooks"
LOCALES = Path(__file__).resolve().parents[1] / "casekit" / "locales"
HOSTILE = "<script>alert(1)</script>"


class _Links(HTMLParser):
    """Every tag name and every URL-bearing attribute value in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [v or "" for k, v in attrs if k in ("src", "href", "action", "srcset", "poster", "data")]


def parse(page: str) -> _Links:
    links = _Links()
    links.feed(page)
    return links


def assert_self_contained(page: str) -> None:
    links = parse(page)
    assert "script" not in links.tags and "<script" not in page.lower()
    assert not {"iframe", "object", "embed", "link", "base"} & set(links.tags)
    for url in links.urls:
        assert url.startswith(("data:", "#")) or not re.match(r"^([a-z][a-z0-9+.-]*:|//)", url, re.I), url
    without_data = re.sub(r"data:[^\"')\s]+", "", page)
    for marker in ("http://", "https://", "require.js", "mathjax", "cdn", "@import", "url("):
        assert marker not in without_data.lower(), marker
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The portfolio fixture notebook, executed once by a real kernel (widget state, an escaped answer, a PNG)."""
    nb = nbformat.read(NOTEBOOKS / "portfolio.ipynb", as_version=4)
    with isolated_kernels() as km_class:
        NotebookClient(nb, kernel_name="python3", kernel_manager_class=km_class, timeout=600).execute()
    path = tmp_path_factory.mktemp("executed") / "portfolio.ipynb"
    nbformat.write(nb, path)
    return path


def test_executed_fixture_has_what_the_page_must_not_carry(executed: Path) -> None:
    nb = nbformat.read(executed, as_version=4)
    mimes = {m for c in nb.cells for o in c.get("outputs", []) for m in o.get("data", {})}
    assert "widgets" in nb.metadata
    assert {"application/vnd.jupyter.widget-view+json", "application/javascript", "image/png"} <= mimes


def test_portfolio_page_is_self_contained_escaped_and_hides_code(executed: Path, tmp_path: Path) -> None:
    out = render_portfolio(executed, tmp_path / "pages" / "c1.html", "en")
    page = out.read_text(encoding="utf-8")

    assert_self_contained(page)
    assert escape_text(HOSTILE) in page and HOSTILE not in page
    assert re.search(r'<img[^>]+src="data:image/png;base64,[A-Za-z0-9+/=]+"', page)
    assert "plain text evidence" in page
    for gone in ("IntSlider", "widget-view", "widget-state", "document.title", "Javascript object"):
        assert gone not in page
    assert "def tiny_png" not in page and "import ipywidgets" not in page  # inputs hidden by default
    assert '<html lang="en">' in page
    assert "<title>Evidence portfolio — ../&lt;b&gt;x&lt;/b&gt;</title>" in page
    assert "&lt;i&gt;Fixture&lt;/i&gt; portfolio" in page and "<b>x</b>" not in page and "<i>Fixture" not in page
    assert [p.name for p in out.parent.iterdir()] == ["c1.html"]  # written atomically, no temporary left behind
    assert "widgets" in nbformat.read(executed, as_version=4).metadata  # the evidence file itself is untouched


def test_portfolio_page_in_zh_tw_and_with_code_on_request(executed: Path, tmp_path: Path) -> None:
    page = render_portfolio(executed, tmp_path / "c1.html", "zh-TW", show_input=True).read_text(encoding="utf-8")
    assert '<html lang="zh-TW">' in page
    assert "<title>評量證據檔案 — ../&lt;b&gt;x&lt;/b&gt;</title>" in page
    assert "tiny_png" in page
    assert_self_contained(page)


def test_strip_dynamic_outputs_keeps_static_evidence_only() -> None:
    def display(data: dict[str, str]) -> nbformat.NotebookNode:
        return nbformat.v4.new_output("display_data", data=data)

    cell = nbformat.v4.new_code_cell(
        outputs=[
            display({"text/html": "<table></table>", "application/vnd.plotly.v1+json": "{}"}),
            display({"application/vnd.jupyter.widget-view+json": "{}", "text/plain": "IntSlider(value=3)"}),
            display({"application/javascript": "alert(1)", "text/plain": "<Javascript object>"}),
            display({"image/svg+xml": "<svg></svg>"}),
            nbformat.v4.new_output("stream", name="stdout", text="log\n"),
        ]
    )
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={"widgets": {"state": {}}})
    strip_dynamic_outputs(nb)
    assert "widgets" not in nb.metadata
    assert [dict(o.get("data", {})) for o in nb.cells[0].outputs] == [
        {"text/html": "<table></table>"},
        {"image/svg+xml": "<svg></svg>"},
        {},
    ]


def test_index_escapes_everything_and_links_relatively(tmp_path: Path) -> None:
    entries = [
        IndexEntry(
            "../<b>x</b>",
            "not_yet_competent",
            criteria=(("C1", "met"), ("C<2>", "not_yet_met"), ("C3", "awaiting_assessor")),
            portfolio_href="portfolios/../<b>x</b>.html",
        ),
        {"candidate_id": "c002", "decision_state": "competent", "decision_label": 'ok "&" <done>'},
    ]
    out = render_index(entries, tmp_path / "index.html", "en")
    page = out.read_text(encoding="utf-8")

    assert_self_contained(page)
    assert "../&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert "C&lt;2&gt;" in page and "ok &#34;&amp;&#34; &lt;done&gt;" in page
    assert parse(page).urls == ["portfolios/../%3Cb%3Ex%3C/b%3E.html"]
    assert "Not yet competent" in page and "awaiting assessor" in page
    assert "ck-state-not_yet_met" in page and '<html lang="en">' in page
    assert "2 candidates, 1 competent" in page


def test_index_reports_every_bad_entry_together(tmp_path: Path) -> None:
    entries = [
        IndexEntry("a", "great", portfolio_href="https://example.org/a.html"),
        IndexEntry("b", "pending", criteria=(("C1", "done"),), portfolio_href="/abs/b.html"),
    ]
    with pytest.raises(UsageError) as caught:
        render_index(entries, tmp_path / "index.html", "en")
    message = str(caught.value)
    for fragment in ("entry 1 (a): decision_state", "great", "https://example.org", "entry 2 (b): C1", "/abs/b.html"):
        assert fragment in message
    assert not (tmp_path / "index.html").exists()


def test_empty_index_and_helpers(tmp_path: Path) -> None:
    page = render_index([], tmp_path / "index.html", "zh-TW").read_text(encoding="utf-8")
    assert "尚無受評者" in page and '<html lang="zh-TW">' in page
    assert escape_text("<a href='x'>&</a>") == "&lt;a href=&#x27;x&#x27;&gt;&amp;&lt;/a&gt;"
    name = safe_filename("../<b>x</b>")
    assert re.fullmatch(r"[A-Za-z0-9_-]+", name) and name != safe_filename("../<b>x</b> ")
    assert safe_filename("c001").startswith("c001-")


def test_portfolio_catalog_is_complete_in_both_languages() -> None:
    files = {lang: json.loads((LOCALES / lang / "portfolio.json").read_text(encoding="utf-8")) for lang in LANGS}
    assert files["zh-TW"].keys() == files["en"].keys()
    for data in files.values():
        assert list(data) == sorted(data)
    assert all(f"portfolio.{key}" in catalog(lang) for lang in LANGS for key in files["en"])
