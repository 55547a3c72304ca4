"""The manifest of a graded folder: the SHA-256 of every file it publishes, and what ``casekit verify`` checks.

``OUT/manifest.json`` lists every result, portfolio page and executed notebook with its SHA-256, the head of each
of the gradebook's hash chains when they were published, and the *seal*: the SHA-256 of all of that, which the
cohort index prints (so a printed or archived index pins the whole folder). The index's own SHA-256 is recorded
last. :func:`verify_folder` checks every file against the manifest, that no published file was added or removed,
that the index carries the seal, and that the gradebook's chains still contain the published heads (a gradebook
only grows: marks added since are fine, a rewritten history is not).

What this cannot catch: someone who rewrites a file *and* the manifest *and* the index consistently. Keep a copy
of the seal (the printed index, or the line ``casekit verify`` prints) somewhere else to catch that too.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from casekit.atomic import write_atomic
from casekit.errors import GradebookError
from casekit.jsonio import dumps_strict
from casekit.store.verify import Discrepancy

__all__ = [
    "MANIFEST",
    "PUBLISHED",
    "file_sha256",
    "load_manifest",
    "published_files",
    "seal_of",
    "verify_folder",
    "write_manifest",
]

MANIFEST: Final = "manifest.json"
#: The folders whose files a graded folder publishes, and the pattern of each.
PUBLISHED: Final = (
    ("results", "*.json"),
    ("portfolios", "*.html"),
    ("executed", "*.ipynb"),
    ("units", "*.json"),
    ("units", "*.html"),
)
SEAL_IN_INDEX: Final = re.compile(r'data-seal="([0-9a-f]{64})"')


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published_files(root: Path) -> dict[str, str]:
    """Every published file under ``root`` (relative path -> SHA-256)."""
    return {
        f"{folder}/{p.name}": file_sha256(p)
        for folder, pattern in PUBLISHED
        for p in sorted((root / folder).glob(pattern))
        if p.is_file()
    }


def seal_of(files: Mapping[str, str], heads: Mapping[str, str]) -> str:
    """The SHA-256 of the published files and the gradebook heads: what the index prints."""
    basis = json.dumps({"files": dict(files), "gradebook": dict(heads)}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def write_manifest(root: Path, files: Mapping[str, str], heads: Mapping[str, str]) -> Path:
    """Write ``OUT/manifest.json`` for ``files`` (as :func:`published_files` gave them before the index was
    written) and the index now on disk."""
    doc = {
        "schema": "casekit-manifest",
        "schema_version": 1,
        "files": dict(files),
        "gradebook": dict(heads),
        "seal": seal_of(files, heads),
        "index": file_sha256(root / "index.html") if (root / "index.html").is_file() else "",
    }
    path = root / MANIFEST
    write_atomic(path, dumps_strict(doc).encode("utf-8"))
    return path


def load_manifest(root: Path) -> dict[str, Any] | None:
    """The manifest of ``root``, or None when there is none or it cannot be read as one."""
    try:
        doc = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(doc, dict) and isinstance(doc.get("files"), dict) and isinstance(doc.get("gradebook"), dict)):
        return None
    return doc


def verify_folder(root: Path) -> list[Discrepancy]:
    """Everything in the graded folder ``root`` that does not match what casekit published, gradebook included."""
    from casekit.store import Gradebook
    from casekit.store.verify import verify_gradebook

    manifest = load_manifest(root)
    if manifest is None:
        return [Discrepancy(str(root / MANIFEST), "verify.no_manifest")]
    out: list[Discrepancy] = []
    listed: dict[str, str] = manifest["files"]
    present = published_files(root)
    for name, sha in sorted(listed.items()):
        if name not in present:
            out.append(Discrepancy(name, "verify.file_missing"))
        elif present[name] != sha:
            out.append(Discrepancy(name, "verify.file_changed"))
    out += [Discrepancy(name, "verify.file_unlisted") for name in sorted(set(present) - set(listed))]
    heads: dict[str, str] = manifest["gradebook"]
    if seal_of(listed, heads) != manifest.get("seal"):
        out.append(Discrepancy(MANIFEST, "verify.seal_changed"))
    index = root / "index.html"
    if not index.is_file():
        out.append(Discrepancy("index.html", "verify.file_missing"))
    else:
        if file_sha256(index) != manifest.get("index"):
            out.append(Discrepancy("index.html", "verify.file_changed"))
        printed = SEAL_IN_INDEX.search(index.read_text(encoding="utf-8", errors="replace"))
        if printed is None or printed.group(1) != manifest.get("seal"):
            out.append(Discrepancy("index.html", "verify.seal_not_printed"))
    book_path = root / "gradebook.sqlite"
    if not book_path.is_file():
        return [*out, Discrepancy("gradebook.sqlite", "verify.file_missing")]
    try:
        with Gradebook(book_path) as book:
            out += verify_gradebook(book)
            for table in ("marks", "gradings"):
                if table in heads and not book.chain_contains(table, str(heads[table])):
                    out.append(Discrepancy(f"gradebook {table}", "verify.history_rewritten", {"table": table}))
    except GradebookError as exc:
        out.append(Discrepancy("gradebook.sqlite", "verify.gradebook_unusable", {"error": str(exc)}))
    return out
