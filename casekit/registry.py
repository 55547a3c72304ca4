"""The case registry: every case kind casekit can offer, grade and show, in one holder.

Built in the style of papermill's engine registry: the holder (:class:`CaseRegistry`), the built-in kinds
registered explicitly below, and plug-ins published by other packages under the entry-point group
``casekit.cases`` (the entry point's object is a :class:`~casekit.cases.kind.CaseKind`), read with
:mod:`importlib.metadata` the first time a kind is looked up. A plug-in that fails to load is skipped with a
warning naming it, so it cannot break grading of the other kinds.

This is the one place that imports concrete case kinds; generic modules (grading, execution, storage, portfolio,
widgets) reach a kind only through it.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from importlib import metadata
from typing import Any, Final

from casekit.answers import AnswerDocument, AnswerSchema, load_answer, parse_answer
from casekit.cases.kind import CaseKind
from casekit.cases.t1_recruitment.kind import KIND as T1
from casekit.cases.t2_training.kind import KIND as T2
from casekit.cases.t3_performance.kind import KIND as T3
from casekit.cases.t4_incentives.kind import KIND as T4
from casekit.cases.t5_compliance.kind import KIND as T5
from casekit.errors import NotFoundError, UsageError
from casekit.i18n import t
from casekit.limits import MAX_ANSWER_BYTES

__all__ = ["ENTRY_POINT_GROUP", "CaseRegistry", "registry"]

ENTRY_POINT_GROUP: Final = "casekit.cases"


class CaseRegistry:
    """Case kinds by id. ``entry_points=True`` adds the ``casekit.cases`` plug-ins on first lookup."""

    def __init__(self, *, entry_points: bool = False) -> None:
        self._kinds: dict[str, CaseKind] = {}
        self._plugins_pending = entry_points

    def register(self, kind: CaseKind, *, replace: bool = False) -> CaseKind:
        """Add ``kind``; a second kind with the same id is refused unless ``replace``."""
        if not isinstance(kind, CaseKind):
            raise UsageError(t("cases.not_a_kind", None, got=type(kind).__name__))
        if kind.id in self._kinds and not replace:
            raise UsageError(t("cases.duplicate_kind", None, kind=kind.id))
        self._kinds[kind.id] = kind
        return kind

    def get(self, kind_id: str) -> CaseKind:
        """The kind ``kind_id``; :class:`~casekit.errors.NotFoundError` naming the known kinds if there is none."""
        self._load_pending_plugins()
        try:
            return self._kinds[kind_id]
        except KeyError:
            raise NotFoundError(t("cases.unknown_kind", None, kind=kind_id, kinds=", ".join(self.ids()))) from None

    def ids(self) -> tuple[str, ...]:
        """Every kind's id, sorted."""
        self._load_pending_plugins()
        return tuple(sorted(self._kinds))

    def __contains__(self, kind_id: object) -> bool:
        self._load_pending_plugins()
        return kind_id in self._kinds

    def __iter__(self) -> Iterator[CaseKind]:
        self._load_pending_plugins()
        return iter([self._kinds[k] for k in sorted(self._kinds)])

    def copy(self) -> CaseRegistry:
        """An independent registry with the same kinds (tests extend a copy, not the shared one)."""
        self._load_pending_plugins()
        other = CaseRegistry()
        other._kinds = dict(self._kinds)
        return other

    # --- answers ---------------------------------------------------------------------------------------------

    def answer_schemas(self) -> dict[str, AnswerSchema]:
        """Every kind's answer schema, by kind id (what :mod:`casekit.answers` reads documents with)."""
        return {kind.id: kind.answers for kind in self}

    def parse_answer(self, data: Any, source: str) -> AnswerDocument:
        """Validate a decoded answer document of any registered kind."""
        return parse_answer(data, source, self.answer_schemas())

    def load_answer(self, path: str | os.PathLike[str], *, max_bytes: int = MAX_ANSWER_BYTES) -> AnswerDocument:
        """Read and validate the answer file at ``path`` (at most ``max_bytes``), of any registered kind."""
        return load_answer(path, self.answer_schemas(), max_bytes=max_bytes)

    # --- plug-ins --------------------------------------------------------------------------------------------

    def register_entry_points(self, group: str = ENTRY_POINT_GROUP) -> None:
        """Register every kind published under the entry-point ``group``; built-in ids keep their kind."""
        self._plugins_pending = False
        for entry in metadata.entry_points(group=group):
            try:
                kind = entry.load()
                if isinstance(kind, CaseKind) and kind.id in self._kinds:
                    warnings.warn(t("cases.plugin_shadowed", None, kind=kind.id, value=entry.value), stacklevel=2)
                    continue
                self.register(kind)
            except Exception as exc:  # a broken plug-in must not stop grading of the other kinds
                error = f"{type(exc).__name__}: {exc}"
                warnings.warn(
                    t("cases.plugin_failed", None, name=entry.name, value=entry.value, error=error), stacklevel=2
                )

    def _load_pending_plugins(self) -> None:
        if self._plugins_pending:
            self.register_entry_points()


#: The shared registry: the built-in kinds, and the plug-ins installed beside casekit.
registry: Final = CaseRegistry(entry_points=True)
registry.register(T1)
registry.register(T2)
registry.register(T3)
registry.register(T4)
registry.register(T5)
