"""The T5 records as the rule library reads them: attendance with whole minutes and day numbers, payslips with
their month's number, the consented months, the §5 I grounds of an ad's text, and the §24 amount of every
person-month at once (exact integers). Each is parsed once per :class:`Records`, so :func:`detect_all` reads the
attendance once for all its rules."""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import pandas as pd

from casekit.cases.t1_recruitment.fairness import check_question
from casekit.cases.t5_compliance import pay
from casekit.errors import UsageError
from casekit.i18n import t

__all__ = ["Records", "bools", "ground_flags", "month_text", "rows_of", "text"]


def text(values: pd.Series) -> pd.Series:
    """A column as strings, missing values as ``""``."""
    return values.fillna("").astype(str)


def bools(values: pd.Series) -> pd.Series:
    """A column of booleans (``True``/``False``, or their text as a CSV gives them back)."""
    if values.dtype == bool:
        return values
    return text(values).str.strip().str.lower().isin({"true", "1", "yes"})


def _strings(values: pd.Series) -> np.ndarray[Any, np.dtype[np.object_]]:
    """A column of a record's required text (ids, dates, times: never missing) as an object array of str."""
    if pd.api.types.is_string_dtype(values.dtype):
        strings: np.ndarray[Any, np.dtype[np.object_]] = values.to_numpy(dtype=object)
        return strings
    return values.astype(str).to_numpy(dtype=object)


def _codes(values: pd.Series, width: int) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Each fixed-width ASCII value as a row of its characters' digit values (``"2026-01-31"`` -> 2, 0, 2, 6, ...)."""
    raw = np.asarray(_strings(values), dtype=f"S{width}")
    return raw.view(np.uint8).reshape(-1, width).astype(np.int64) - 48


def _number(codes: np.ndarray[Any, np.dtype[np.int64]], lo: int, hi: int) -> np.ndarray[Any, np.dtype[np.int64]]:
    out = np.zeros(len(codes), dtype=np.int64)
    for i in range(lo, hi):
        out = out * 10 + codes[:, i]
    return out


def _day_number(y: Any, m: Any, d: Any) -> Any:
    """Days since 1970-01-01 of a proleptic Gregorian date (vectorised)."""
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def month_text(index: pd.Series | list[int]) -> list[str]:
    """Month numbers (year x 12 + month - 1) as ``YYYY-MM``."""
    return [f"{int(i) // 12:04d}-{int(i) % 12 + 1:02d}" for i in index]


def _month_number(months: pd.Series) -> np.ndarray[Any, np.dtype[np.int64]]:
    codes = _codes(months, 7)
    return _number(codes, 0, 4) * 12 + _number(codes, 5, 7) - 1


def _minutes(hours: pd.Series) -> np.ndarray[Any, np.dtype[np.int64]]:
    minutes: np.ndarray[Any, np.dtype[np.int64]] = np.rint(pd.to_numeric(hours).to_numpy(dtype=float) * 60).astype(
        np.int64
    )
    return minutes


@lru_cache(maxsize=4096)
def ground_flags(ad_text: str) -> tuple[str, ...]:
    """The 就業服務法 §5 I grounds the T1 fairness lexicon finds in an ad's text, in the order they occur."""
    return tuple(f.ground for f in check_question(ad_text) if f.kind == "ground")


def rows_of(frame: pd.DataFrame, keys: list[str], chosen: pd.DataFrame) -> list[str]:
    """For each row of ``chosen``, the ``;``-joined ``row_id`` of ``frame``'s rows with the same ``keys`` (in
    ``frame``'s order; the rows of one key are contiguous in it, as in :attr:`Records.attendance`)."""
    if chosen.empty:
        return []
    sub = frame.merge(chosen[keys].drop_duplicates(), on=keys, how="inner")  # keeps frame's order
    ids = sub["row_id"].to_numpy(dtype=object).tolist()
    parts = [sub[k].to_numpy(dtype=object) for k in keys]
    changed = np.zeros(len(sub), dtype=bool)
    for part in parts:
        changed[1:] |= part[1:] != part[:-1]
    starts = [0, *np.flatnonzero(changed).tolist()]
    ends = [*starts[1:], len(sub)]
    joined = {tuple(p[a] for p in parts): ";".join(ids[a:b]) for a, b in zip(starts, ends, strict=True) if b > a}
    wanted = zip(*(chosen[k].to_numpy(dtype=object) for k in keys), strict=True)
    return [joined.get(tuple(k), "") for k in wanted]


def _parse_attendance(a: pd.DataFrame) -> pd.DataFrame:
    date = _codes(a["date"], 10)
    start, end = _codes(a["start"], 5), _codes(a["end"], 5)
    out = pd.DataFrame(
        {
            "row_id": _strings(a["row_id"]),
            "staff_id": _strings(a["staff_id"]),
            "date": _strings(a["date"]),
            "day_type": _strings(a["day_type"]),
            "day": _day_number(_number(date, 0, 4), _number(date, 5, 7), _number(date, 8, 10)),
            "mi": _number(date, 0, 4) * 12 + _number(date, 5, 7) - 1,
            "span": (_number(end, 0, 2) - _number(start, 0, 2)) * 60 + _number(end, 3, 5) - _number(start, 3, 5),
            "brk": pd.to_numeric(a["break_minutes"]).to_numpy(dtype=np.int64),
            "work": _minutes(a["normal_hours"]) + _minutes(a["overtime_hours"]),
            "ot": _minutes(a["overtime_hours"]),
        }
    )
    person = pd.factorize(out["staff_id"])[0]  # people in order of first appearance, days in order
    order = np.lexsort((out["day"].to_numpy(), person))
    return out.iloc[order].reset_index(drop=True)


def _parse_payslips(s: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "staff_id": text(s["staff_id"]).to_numpy(dtype=object),
            "month": text(s["month"]).to_numpy(dtype=object),
            "mi": _month_number(s["month"]),
            "pay_basis": text(s["pay_basis"]).to_numpy(dtype=object),
            "rate": pd.to_numeric(s["rate"]).to_numpy(),
            "normal_hours": pd.to_numeric(s["normal_hours"]).to_numpy(dtype=float),
        }
    )
    for name in ("days_employed", "unpaid_leave_days", "base_paid", "overtime_paid"):
        out[name] = pd.to_numeric(s[name]).to_numpy(dtype=np.int64)
    return out


def _dates(values: pd.Series) -> np.ndarray[Any, np.dtype[np.int64]]:
    """ISO dates as day numbers; -1 for an empty one."""
    raw = text(values)
    out = np.full(len(raw), -1, dtype=np.int64)
    has = (raw != "").to_numpy()
    if has.any():
        codes = _codes(raw[has], 10)
        out[has] = _day_number(_number(codes, 0, 4), _number(codes, 5, 7), _number(codes, 8, 10))
    return out


def _month_end(day: int) -> int:
    """The day number of the last day of ``day``'s month."""
    date = np.datetime64(int(day), "D")
    nxt = (date.astype("datetime64[M]") + 1).astype("datetime64[D]")
    return int(nxt.astype(np.int64)) - 1


def _parse_complaints(c: pd.DataFrame, law: Mapping[str, Any]) -> pd.DataFrame:
    days = law.get("complaint_reply_days")
    if not isinstance(days, Mapping):
        raise UsageError(t("t5rule.no_law_figure", None, name="complaint_reply_days"))
    regime = text(c["regime"])
    unknown = sorted(set(regime) - set(map(str, days)))
    if unknown:
        raise UsageError(t("t5rule.bad_regime", None, regime=unknown[0], regimes=", ".join(map(str, days))))
    received, replied = _dates(c["received"]), _dates(c["replied"])
    allowed = regime.map({str(k): int(v) for k, v in days.items()}).to_numpy(dtype=np.int64)
    as_of = _month_end(int(received.max())) if len(received) else 0
    off = {int(d) for y in (law.get("holidays") or {}).values() for d in _dates(pd.Series(list(y), dtype=object))}
    last = received + allowed
    for _ in range(31):  # 民法 §122: a last day on a Saturday, Sunday or holiday moves to the next workday
        moved = ((last + 3) % 7 >= 5) | np.isin(last, list(off))
        if not moved.any():
            break
        last = last + moved
    open_ = replied < 0
    end = np.where(open_, as_of, replied)
    late = end - last
    return pd.DataFrame(
        {
            "complaint_id": text(c["complaint_id"]).to_numpy(dtype=object),
            "taken": end - received,
            "allowed": last - received,
            "late": late,
            "note": np.where(open_, "open", "replied"),
        }
    )


#: parsed tables by the identity of the frame they were parsed from (a world's tables never change): a candidate's
#: scans re-read the same attendance with other figures, and parsing it is half a scan's time
_PARSED: OrderedDict[tuple[str, int], tuple[weakref.ref[pd.DataFrame], pd.DataFrame]] = OrderedDict()
_PARSED_SIZE = 8


def _parsed(name: str, frame: pd.DataFrame, parse: Callable[[pd.DataFrame], pd.DataFrame]) -> pd.DataFrame:
    key = (name, id(frame))
    hit = _PARSED.get(key)
    if hit is not None and hit[0]() is frame:
        _PARSED.move_to_end(key)
        return hit[1]
    out = parse(frame)
    _PARSED[key] = (weakref.ref(frame), out)
    while len(_PARSED) > _PARSED_SIZE:
        _PARSED.popitem(last=False)
    return out


class Records:
    """One reading of ``tables``: each table parsed on first use (the same frame once, whatever the figures)."""

    def __init__(self, tables: Mapping[str, pd.DataFrame], law: Mapping[str, Any]) -> None:
        self.tables = tables
        self.law = law

    @cached_property
    def attendance(self) -> pd.DataFrame:
        """``row_id, staff_id, date, day_type`` and ``day`` (day number), ``mi`` (month number), ``span`` (end -
        start), ``brk``, ``work`` (normal + overtime) and ``ot`` in whole minutes; sorted by person, day, row."""
        return _parsed("attendance", self.tables["attendance"], _parse_attendance)

    @cached_property
    def payslips(self) -> pd.DataFrame:
        """The payslips with ``staff_id``, ``month`` and ``pay_basis`` as text, ``mi`` the month's number and the
        counts and amounts as numbers."""
        return _parsed("payslips", self.tables["payslips"], _parse_payslips)

    @cached_property
    def complaints(self) -> pd.DataFrame:
        """``complaint_id``, ``taken`` (days from received to the reply, or to the records' end while open),
        ``allowed`` (days from received to the last day, 民法 §120 II and §122), ``late`` (days past the last day;
        0 or less in time) and ``note`` (``replied`` / ``open``)."""
        return _parse_complaints(self.tables["complaints"], self.law)

    @cached_property
    def consented(self) -> set[int]:
        """The month numbers with overtime consent."""
        c = self.tables["overtime_consent"]
        agreed = c[bools(c["consented"]).to_numpy()]
        return set(_month_number(agreed["month"]).tolist())

    @cached_property
    def overtime_owed(self) -> pd.Series:
        """The §24 / §39 / §40 amount of every payslip (index of :attr:`payslips`), exact, rounded half up."""
        law, s = self.law, self.payslips
        scale = pay.common_denominator(law)
        tier = pay.tier_hours(law) * 60
        if tier.denominator != 1:
            raise UsageError(t("t5rule.no_law_figure", None, name="overtime_pay.tier_hours"))
        table = pay.multipliers(law)
        a = self.attendance
        has = a["ot"].to_numpy() > 0
        kinds = a["day_type"].to_numpy(dtype=object)[has]
        kind = pd.Index(pay.DAY_TYPES).get_indexer(pd.Index(kinds))
        if (kind < 0).any():
            bad = str(kinds[kind < 0][0])
            raise UsageError(t("t5rule.bad_day_type", None, day_type=bad, day_types=", ".join(pay.DAY_TYPES)))
        ot = a["ot"].to_numpy(dtype=np.int64)[has]
        first = np.minimum(ot, int(tier))
        weighted = {"staff_id": a["staff_id"].to_numpy(dtype=object)[has], "mi": a["mi"].to_numpy()[has]}
        for b in pay.BASES:  # the day's multiplied minutes (x scale) on either basis; the payslip says which
            first_m = np.array([int(table[d, b][0] * scale) for d in pay.DAY_TYPES], dtype=np.int64)[kind]
            after_m = np.array([int(table[d, b][1] * scale) for d in pay.DAY_TYPES], dtype=np.int64)[kind]
            weighted[b] = first * first_m + (ot - first) * after_m
        total = pd.DataFrame(weighted).groupby(["staff_id", "mi"], sort=False)[list(pay.BASES)].sum()
        got = total.reindex(pd.MultiIndex.from_arrays([s["staff_id"], s["mi"]])).fillna(0)
        basis = s["pay_basis"].to_numpy(dtype=object)
        unknown = sorted(set(basis.tolist()) - set(pay.BASES))
        if unknown:
            raise UsageError(t("t5rule.bad_basis", None, basis=unknown[0], bases=", ".join(pay.BASES)))
        units = np.where(basis == "monthly", got["monthly"].to_numpy(), got["hourly"].to_numpy()).astype(np.int64)
        rate = s["rate"].to_numpy()
        hours_basis = pay.exact(pay.figure(law, "overtime.monthly_hours_basis"))
        if hours_basis.denominator == 1 and np.all(rate == np.round(rate)):
            # rate x units / (60 x scale x basis), rounded half up, in integers
            den = 60 * scale * np.where(basis == "monthly", hours_basis.numerator, 1).astype(np.int64)
            num = rate.astype(np.int64) * units
            return pd.Series((2 * num + den) // (2 * den), index=s.index, dtype="int64")
        minute = Fraction(1, 60 * scale)
        owed = [
            pay.round_half_up(pay.hourly_rate(b, r, law) * minute * int(w)) if w else 0
            for b, r, w in zip(basis, rate, units, strict=True)
        ]
        return pd.Series(owed, index=s.index, dtype="int64")
