"""Erlang C against FACTS' published vectors and exact arithmetic, the staffing need of a world, and the service
level a number of staff reaches."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casekit.errors import UsageError
from casekit.i18n import set_lang
from casekit.scenario import World, world_for
from casekit.staffing import (
    EMAIL_OCCUPANCY,
    StaffingNeed,
    agents_for,
    current_fte,
    erlang_c,
    service_level_with,
    staffing_need,
    with_shrinkage,
)

ORGS = ("bank-cards", "telecom-support", "ecommerce-cs")


def _exact_erlang_c(a: Fraction, n: int) -> Fraction:
    """P_wait by the textbook formula in exact rational arithmetic: the factorials cannot overflow."""
    term, total = Fraction(1), Fraction(0)
    for k in range(n):
        total += term
        term = term * a / (k + 1)  # a^(k+1) / (k+1)!
    top = term * n / (n - a)
    return top / (total + top)


# ------------------------------------------------------------------------------------------- FACTS vectors
def test_first_published_vector() -> None:
    # 100 calls / 30 min, AHT 180 s, T 20 s, N 14
    r = erlang_c(100, 180, 1800, 14, 20)
    assert r.a == pytest.approx(10.0)
    assert r.agents == 14
    assert r.p_wait == pytest.approx(0.17413, abs=5e-6)
    assert r.service_level == pytest.approx(0.88835, abs=5e-6)
    assert r.asa_s == pytest.approx(7.84, abs=0.005)
    assert r.occupancy == pytest.approx(0.7143, abs=5e-5)
    assert with_shrinkage(14, 0.30) == 20


def test_second_published_vector() -> None:
    # 1000 calls / h, AHT 120 s, T 20 s, N 40
    r = erlang_c(1000, 120, 3600, 40, 20)
    assert r.a == pytest.approx(33.333, abs=5e-4)
    assert r.p_wait == pytest.approx(0.1907, abs=5e-5)
    assert r.service_level == pytest.approx(0.9372, abs=5e-5)
    assert r.asa_s == pytest.approx(3.43, abs=0.005)
    assert with_shrinkage(40, 0.30) == 58


def test_the_recursion_matches_exact_arithmetic_for_hundreds_of_agents() -> None:
    # A^N / N! overflows a float from about N = 170; the recursion must stay exact well beyond
    for calls, n in ((100, 14), (4500, 470), (9000, 925)):
        a = Fraction(calls * 180, 1800)
        r = erlang_c(calls, 180, 1800, n, 20)
        assert r.p_wait == pytest.approx(float(_exact_erlang_c(a, n)), rel=1e-9)
        assert 0 < r.service_level < 1


def test_no_room_means_everybody_waits_forever() -> None:
    r = erlang_c(100, 180, 1800, 10, 20)  # A = 10 = N
    assert (r.p_wait, r.service_level, r.asa_s, r.occupancy) == (1.0, 0.0, math.inf, 1.0)
    assert erlang_c(100, 180, 1800, 0, 20).service_level == 0.0


def test_no_traffic_means_nobody_waits() -> None:
    r = erlang_c(0, 180, 1800, 3, 20)
    assert (r.p_wait, r.service_level, r.asa_s, r.occupancy) == (0.0, 1.0, 0.0, 0.0)
    assert agents_for(0, 180, 1800, 0.8, 20) == 0


def test_agents_for_is_the_smallest_meeting_the_target() -> None:
    n = agents_for(100, 180, 1800, 0.80, 20)
    assert erlang_c(100, 180, 1800, n, 20).service_level >= 0.80
    assert erlang_c(100, 180, 1800, n - 1, 20).service_level < 0.80
    assert n == 14  # 14 agents give 88.8 %, 13 give 79.6 %


@settings(max_examples=200, deadline=None)
@given(
    calls=st.floats(0.5, 3000),
    aht=st.floats(20, 900),
    target=st.floats(0, 120),
    extra=st.integers(0, 60),
)
def test_service_level_rises_with_agents(calls: float, aht: float, target: float, extra: int) -> None:
    a = calls * aht / 1800
    n = math.floor(a) + 1 + extra
    lower, upper = erlang_c(calls, aht, 1800, n, target), erlang_c(calls, aht, 1800, n + 1, target)
    assert upper.service_level >= lower.service_level - 1e-12
    assert upper.p_wait <= lower.p_wait + 1e-12
    assert upper.asa_s <= lower.asa_s + 1e-9


@settings(max_examples=100, deadline=None)
@given(calls=st.floats(0.5, 2000), aht=st.floats(20, 900), sl=st.floats(0.05, 0.99))
def test_agents_for_property(calls: float, aht: float, sl: float) -> None:
    n = agents_for(calls, aht, 1800, sl, 20)
    assert erlang_c(calls, aht, 1800, n, 20).service_level >= sl
    assert erlang_c(calls, aht, 1800, n - 1, 20).service_level < sl


def test_with_shrinkage_rounds_up() -> None:
    assert with_shrinkage(0, 0.3) == 0
    assert with_shrinkage(10, 0.0) == 10
    assert with_shrinkage(10.2, 0.0) == 11
    assert with_shrinkage(7, 0.5) == 14


# ------------------------------------------------------------------------------------------ the errors
@pytest.fixture
def english() -> Iterator[None]:
    set_lang("en")
    yield
    set_lang(None)


@pytest.mark.usefixtures("english")
def test_every_bad_argument_is_named_at_once() -> None:
    with pytest.raises(UsageError) as caught:
        erlang_c(-1, 0, 1800, 2.5, 20)  # type: ignore[arg-type]
    text = str(caught.value)
    assert "erlang_c: calls: a finite number of at least 0 (got -1)" in text
    assert "erlang_c: aht_s: a finite number greater than 0 (got 0)" in text
    assert "erlang_c: agents: a whole number of at least 0 (got 2.5)" in text
    with pytest.raises(UsageError, match=r"target_sl: a share strictly between 0 and 1 .*\(got 80\)"):
        agents_for(100, 180, 1800, 80, 20)
    with pytest.raises(UsageError, match=r"shrinkage: a share from 0 up to, not including, 0.9 .*\(got 0.95\)"):
        with_shrinkage(10, 0.95)


def _table(rows: list[tuple[str, str, str, int, int, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["date", "interval_start", "channel", "offered", "answered", "aht_s"])
    return frame.assign(abandoned=0, answered_in_sl=0)


@pytest.mark.usefixtures("english")
def test_staffing_need_checks_its_inputs() -> None:
    good = _table([("2026-01-05", "08:00", "voice", 100, 100, 180)])
    with pytest.raises(UsageError) as caught:
        staffing_need(good.drop(columns=["aht_s"]), target_sl=1.0, target_seconds=20, shrinkage=0.9)
    text = str(caught.value)
    assert "staffing_need: intervals: a table with the columns it lacks: aht_s" in text
    assert "staffing_need: target_sl:" in text
    assert "staffing_need: shrinkage:" in text
    with pytest.raises(UsageError, match="at least one row"):
        staffing_need(good.iloc[:0], target_sl=0.8, target_seconds=20, shrinkage=0.3)
    with pytest.raises(UsageError, match=r"intervals.channel: only the channels .*voice, chat, email \(got 'fax'\)"):
        staffing_need(good.assign(channel="fax"), target_sl=0.8, target_seconds=20, shrinkage=0.3)
    with pytest.raises(UsageError, match=r"intervals.offered: .*\(got -3\)"):
        staffing_need(good.assign(offered=-3), target_sl=0.8, target_seconds=20, shrinkage=0.3)
    with pytest.raises(UsageError, match="a pandas DataFrame"):
        staffing_need([], target_sl=0.8, target_seconds=20, shrinkage=0.3)  # type: ignore[arg-type]
    need = staffing_need(good, target_sl=0.8, target_seconds=20, shrinkage=0.3)
    with pytest.raises(UsageError, match="fte"):
        service_level_with(need, -1)
    with pytest.raises(UsageError, match="contract"):
        current_fte(pd.DataFrame({"role": ["agent"]}))


def test_messages_are_in_traditional_chinese_too() -> None:
    set_lang("zh-TW")
    try:
        with pytest.raises(UsageError, match="介於 0 與 1 之間"):
            agents_for(100, 180, 1800, 1.5, 20)
    finally:
        set_lang(None)


# -------------------------------------------------------------------------------- the need, by hand
def test_staffing_need_on_a_hand_computed_table() -> None:
    table = _table(
        [
            ("2026-01-05", "08:00", "voice", 120, 100, 200),
            ("2026-01-06", "08:00", "voice", 80, 50, 140),  # AHT weighted by answered: (100·200 + 50·140) / 150
            ("2026-01-05", "08:00", "email", 20, 20, 300),
            ("2026-01-05", "08:30", "chat", 30, 30, 400),  # no chat row on the 6th: that day counts as 0
        ]
    )
    need = staffing_need(table, target_sl=0.8, target_seconds=20, shrinkage=0.3)
    rows = need.intervals.set_index(["interval_start", "channel"])
    voice = rows.loc[("08:00", "voice")]
    assert voice["calls"] == 100  # (120 + 80) / 2 days
    aht = (100 * 200 + 50 * 140) / 150
    assert voice["aht_s"] == pytest.approx(aht)
    assert voice["traffic"] == pytest.approx(100 * aht / 1800)
    assert voice["agents"] == agents_for(100, aht, 1800, 0.8, 20) == 14
    chat = rows.loc[("08:30", "chat")]
    assert chat["calls"] == 15
    assert chat["agents"] == agents_for(15, 400, 1800, 0.8, 20)
    email = rows.loc[("08:00", "email")]
    assert email["agents"] == pytest.approx(10 * 300 / 1800 / EMAIL_OCCUPANCY)
    hours = (voice["agents"] + chat["agents"] + email["agents"]) * 0.5
    assert need.hours_per_day == pytest.approx(hours)
    assert need.fte == pytest.approx(hours * 7 / (40 * 0.7))
    assert list(need.intervals.columns) == ["interval_start", "channel", "calls", "aht_s", "traffic", "agents"]
    assert (need.shrinkage, need.target_sl, need.target_seconds, need.interval_s, need.week_hours) == (
        0.3,
        0.8,
        20,
        1800,
        40.0,
    )


def _service_level_by_loop(need: StaffingNeed, fte: float) -> float:
    """The reference: scalar Erlang C per queued interval, weighted by contacts."""
    total = weighted = 0.0
    for row in need.intervals.itertuples():
        if row.channel == "email" or row.calls == 0:
            continue
        agents = math.floor(row.agents * fte / need.fte + 1e-9)
        level = erlang_c(row.calls, row.aht_s, need.interval_s, agents, need.target_seconds).service_level
        total, weighted = total + row.calls, weighted + row.calls * level
    return weighted / total


def test_current_fte_counts_part_timers_as_half() -> None:
    staff = pd.DataFrame(
        {
            "role": ["agent", "agent", "senior_agent", "team_leader", "agent"],
            "contract": ["permanent", "part_time", "fixed_term", "permanent", "part_time"],
        }
    )
    assert current_fte(staff) == 3.0
    assert current_fte(staff, roles=("team_leader",)) == 1.0


# ------------------------------------------------------------------------------------------ the worlds
@pytest.fixture(scope="module", params=ORGS)
def world(request: pytest.FixtureRequest) -> World:
    return world_for(str(request.param), 7)


@pytest.fixture(scope="module")
def need(world: World) -> StaffingNeed:
    targets = world.spec.targets
    return staffing_need(
        world.intervals, target_sl=targets.service_level, target_seconds=targets.service_level_seconds, shrinkage=0.3
    )


def test_the_need_meets_its_own_target(need: StaffingNeed) -> None:
    assert service_level_with(need, need.fte) >= need.target_sl
    assert need.fte > 0
    assert need.hours_per_day * 7 / (need.week_hours * 0.7) == pytest.approx(need.fte)


def test_the_service_level_matches_a_plain_loop(need: StaffingNeed, world: World) -> None:
    for fte in (current_fte(world.staff), 0.8 * need.fte, need.fte, 1.3 * need.fte, 6 * need.fte):
        assert service_level_with(need, fte) == pytest.approx(_service_level_by_loop(need, fte), abs=1e-12)


def test_the_service_level_rises_with_staff(need: StaffingNeed) -> None:
    levels = [service_level_with(need, need.fte * s / 20) for s in range(0, 41)]
    assert levels[0] == 0.0
    assert all(b >= a - 1e-12 for a, b in itertools.pairwise(levels))
    assert levels[-1] > 0.99


def test_every_queued_interval_meets_the_target(need: StaffingNeed) -> None:
    for row in need.intervals.itertuples():
        if row.channel != "email":
            level = erlang_c(row.calls, row.aht_s, need.interval_s, int(row.agents), need.target_seconds).service_level
            assert level >= need.target_sl or row.calls == 0
