"""Answer documents inside notebooks: embed one in a notebook's metadata, or take it back out.

A running kernel cannot safely rewrite the notebook file that JupyterLab has open, so the candidate's save writes
the answer file and also displays it as an ``application/vnd.casekit.answer+json`` output, which the notebook keeps
when it is saved. ``casekit answer embed`` then puts the validated document into ``metadata.casekit.answer`` (for
a submission packaged as a notebook), and :func:`extract_answer` reads it back from the metadata or, failing that,
from the latest such output.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from casekit.answers import ANSWER_MIME, AnswerDocument, dumps_answer
from casekit.atomic import write_atomic
from casekit.errors import AnswerError, Problem
from casekit.jsonio import loads_strict, read_capped
from casekit.registry import CaseRegistry, registry

__all__ = ["ANSWER_MIME", "embed_answer", "extract_answer"]


#: The largest notebook read (a candidate's notebook with every output kept is a few MB).
MAX_NOTEBOOK_BYTES = 50_000_000


def _read(path: Path) -> Any:
    """The notebook at ``path``: a regular file of at most :data:`MAX_NOTEBOOK_BYTES`, strict JSON (no key twice,
    finite numbers, bounded nesting), then a valid notebook."""
    import nbformat  # lazy: about a second to import

    data = loads_strict(read_capped(path, MAX_NOTEBOOK_BYTES, AnswerError), str(path), AnswerError)
    try:
        return nbformat.reads(json.dumps(data), as_version=4)  # type: ignore[no-untyped-call]
    except Exception as exc:  # nbformat raises several kinds for a file that is not a notebook
        raise AnswerError([Problem(str(path), "", "expect.notebook", f"{type(exc).__name__}: {exc}")]) from None


def embed_answer(
    notebook: str | os.PathLike[str], answer: str | os.PathLike[str], *, cases: CaseRegistry | None = None
) -> AnswerDocument:
    """Validate the answer file (of any registered kind) and write it into the notebook's ``metadata.casekit``
    (atomically)."""
    import nbformat

    doc = (cases or registry).load_answer(answer)
    path = Path(notebook)
    nb = _read(path)
    nb.metadata["casekit"] = {
        "answer": json.loads(dumps_answer(doc)),
        "candidate_id": doc.candidate_id,
        "case": doc.case,
    }
    write_atomic(path, nbformat.writes(nb).encode("utf-8"))  # type: ignore[no-untyped-call]
    return doc


def extract_answer(notebook: str | os.PathLike[str], *, cases: CaseRegistry | None = None) -> AnswerDocument:
    """The answer embedded in the notebook: its metadata first, else the latest answer output of a save."""
    kinds = cases or registry
    path = Path(notebook)
    nb = _read(path)
    meta = nb.metadata.get("casekit", {})
    if isinstance(meta, dict) and "answer" in meta:
        return kinds.parse_answer(meta["answer"], f"{path}: metadata.casekit.answer")
    found = None
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if ANSWER_MIME in data:
                found = data[ANSWER_MIME]
    if found is None:
        raise AnswerError([Problem(str(path), "metadata.casekit.answer", "expect.embedded_answer")])
    return kinds.parse_answer(found, f"{path}: {ANSWER_MIME}")
