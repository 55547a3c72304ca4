"""Automatic checks: the registry that rubrics name in ``judged_by: {check: NAME, params: {...}}``.

A check is a plain function ``(context, params) -> CheckOutcome``. It reads the candidate's answer document (and,
when it needs the truth, the world regenerated from the seed) and says whether the criterion is met, with the
figures that justify it and a catalog key that explains the result in either language.

Checks are namespaced by case kind: each kind holds a :class:`CheckRegistry` of its own, made by
:func:`builtin_checks` (the generic checks here, which every kind has) and extended with the kind's checks, and
its rubrics name checks in that registry. So two kinds may each have a ``within_budget``, a kind's checks are there
whenever its declaration is (no import-order effects), and a rubric is validated against its kind's registry when
it is loaded: a misspelt check name is reported then, not as an error in every candidate's result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, TypeVar

from casekit.errors import NotFoundError, UsageError
from casekit.i18n import t

__all__ = [
    "Check",
    "CheckContext",
    "CheckOutcome",
    "CheckRegistry",
    "builtin_checks",
    "cached",
    "field_present",
    "lookup",
    "min_count",
]


@dataclass(frozen=True, eq=False)
class CheckContext:
    """What a check may look at: the answer document, the regenerated world (or ``None``) and named extras.

    ``eq=False``: the world is usually a bundle of DataFrames, whose ``==`` is element-wise, not a truth value.
    """

    answer: Mapping[str, Any]
    world: Any = None
    extras: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckOutcome:
    """A check's verdict: met or not, the figures behind it, and a catalog key (``rubric.*``) to explain it."""

    met: bool
    evidence: Mapping[str, Any] = field(default_factory=dict, hash=False)
    message_key: str = ""
    message_params: Mapping[str, Any] = field(default_factory=dict, hash=False)


T = TypeVar("T")


def cached(context: CheckContext, key: str, compute: Callable[[], T]) -> T:
    """``compute()``, once per grading: kept in the context's ``extras["cache"]`` (a kind's grading context
    makes one), so the checks that need the same figure and the evidence that shows it compute it once."""
    cache: dict[str, Any] = context.extras.setdefault("cache", {}) if isinstance(context.extras, dict) else {}
    if key not in cache:
        cache[key] = compute()
    value: T = cache[key]
    return value


class Check(Protocol):
    """The signature every check has."""

    def __call__(self, context: CheckContext, params: Mapping[str, Any], /) -> CheckOutcome: ...


@dataclass(frozen=True)
class _Entry:
    check: Check
    required_params: tuple[str, ...]


class CheckRegistry:
    """Holds checks by name (one registry per case kind).

    ``required_params`` of a check lets the rubric loader report a missing parameter when the rubric is read.
    """

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def register(
        self, name: str, *, required_params: Iterable[str] = (), replace: bool = False
    ) -> Callable[[Check], Check]:
        """A decorator that registers a check under ``name``; a second registration of a name is refused."""

        def decorate(check: Check) -> Check:
            self.add(name, check, required_params=required_params, replace=replace)
            return check

        return decorate

    def add(self, name: str, check: Check, *, required_params: Iterable[str] = (), replace: bool = False) -> None:
        """Register ``check`` under ``name`` (the non-decorator form of :meth:`register`)."""
        if not name or not name.strip():
            raise UsageError(t("rubric.check_name_empty"))
        if name in self._entries and not replace:
            raise UsageError(t("rubric.check_duplicate", name=name))
        if not callable(check):
            raise UsageError(t("rubric.check_not_callable", name=name))
        self._entries[name] = _Entry(check, tuple(required_params))

    def get(self, name: str) -> Check:
        """The check registered as ``name``; :class:`~casekit.errors.NotFoundError` if there is none."""
        return self._entry(name).check

    def required_params(self, name: str) -> tuple[str, ...]:
        """The parameters the check ``name`` needs in a rubric."""
        return self._entry(name).required_params

    def names(self) -> tuple[str, ...]:
        """Every registered check name, sorted."""
        return tuple(sorted(self._entries))

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def copy(self) -> CheckRegistry:
        """An independent registry with the same checks (tests and tools extend a copy, not the original)."""
        other = CheckRegistry()
        other._entries = dict(self._entries)
        return other

    def _entry(self, name: str) -> _Entry:
        try:
            return self._entries[name]
        except KeyError:
            raise NotFoundError(t("rubric.check_unknown", check=name, allowed=", ".join(self.names()))) from None


_MISSING: Final = object()


def lookup(document: Mapping[str, Any], path: str) -> Any:
    """The value at the dotted ``path`` in ``document`` (``kpis.team.0.name``), or a sentinel when absent.

    A numeric part indexes a list. Use :func:`_is_present` to test the result.
    """
    value: Any = document
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list | tuple) and part.lstrip("-").isdigit() and -len(value) <= int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def _is_present(value: Any) -> bool:
    if value is _MISSING or value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        return len(value) > 0
    return True


def _path_param(params: Mapping[str, Any]) -> str:
    path = params.get("path")
    if not isinstance(path, str) or not path.strip():
        raise ValueError(t("rubric.param_path", got=repr(path)))
    return path


def field_present(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Met when the answer has a non-empty value at ``params['path']``.

    Empty means missing, ``null``, a blank string or an empty list or mapping: a form left blank is not evidence.
    """
    path = _path_param(params)
    present = _is_present(lookup(context.answer, path))
    return CheckOutcome(
        met=present,
        evidence={"path": path, "present": present},
        message_key="rubric.check_field_present_met" if present else "rubric.check_field_present_missing",
        message_params={"path": path},
    )


def min_count(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Met when the list (or mapping) at ``params['path']`` has at least ``params['min']`` items.

    A missing value counts as zero items; a value that is not a collection counts as zero too, since it cannot be
    the list the rubric asks for.
    """
    path = _path_param(params)
    minimum = params.get("min")
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 0:
        raise ValueError(t("rubric.param_min", got=repr(minimum)))
    value = lookup(context.answer, path)
    count = len(value) if isinstance(value, Mapping | list | tuple) else 0
    met = count >= minimum
    return CheckOutcome(
        met=met,
        evidence={"path": path, "count": count, "min": minimum},
        message_key="rubric.check_min_count_met" if met else "rubric.check_min_count_short",
        message_params={"path": path, "count": count, "min": minimum},
    )


def builtin_checks() -> CheckRegistry:
    """A new registry holding the generic checks every case kind has; a kind adds its own to it."""
    checks = CheckRegistry()
    checks.add("field_present", field_present, required_params=("path",))
    checks.add("min_count", min_count, required_params=("path", "min"))
    return checks
