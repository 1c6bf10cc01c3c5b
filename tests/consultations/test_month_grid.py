"""The booking month grid and "Suggested for you" (consultations/month_grid.py, pure)."""

import datetime as dt
from zoneinfo import ZoneInfo

from consultations.month_grid import Preferences, month_grid, suggested_starts

NY = ZoneInfo("America/New_York")
TUE, THU = 1, 3


def test_a_month_is_weeks_from_sunday_with_blanks_around_it():
    (january,) = month_grid(
        counts={}, first=dt.date(2027, 1, 1), last=dt.date(2027, 1, 31), closed={}
    )
    first_week = january.weeks[0]
    # January 1, 2027 is a Friday: five blanks (Sunday to Thursday) before it.
    assert [c.date for c in first_week[:5]] == [None] * 5
    assert first_week[5].date == dt.date(2027, 1, 1)
    assert all(len(week) == 7 for week in january.weeks)
    assert january.weeks[-1][0].date == dt.date(2027, 1, 31)  # a Sunday
    assert [c.date for c in january.weeks[-1][1:]] == [None] * 6


def test_the_window_spans_months_and_only_its_days_are_bookable():
    months = month_grid(
        counts={dt.date(2026, 12, 8): 3, dt.date(2027, 1, 12): 2},
        first=dt.date(2026, 12, 3),
        last=dt.date(2027, 1, 31),
        closed={},
    )
    assert [m.first for m in months] == [dt.date(2026, 12, 1), dt.date(2027, 1, 1)]
    cells = {c.date: c for m in months for w in m.weeks for c in w if c.date}
    assert not cells[dt.date(2026, 12, 2)].in_window
    assert cells[dt.date(2026, 12, 3)].in_window
    assert cells[dt.date(2026, 12, 8)].times == 3
    assert cells[dt.date(2027, 1, 12)].times == 2


def test_a_closed_day_says_why_and_a_chosen_day_is_marked():
    (december,) = month_grid(
        counts={dt.date(2026, 12, 24): 4},
        first=dt.date(2026, 12, 1),
        last=dt.date(2026, 12, 31),
        closed={dt.date(2026, 12, 25): "Christmas Day"},
        selected=dt.date(2026, 12, 24),
    )
    cells = {c.date: c for w in december.weeks for c in w if c.date}
    assert cells[dt.date(2026, 12, 25)].closed == "Christmas Day"
    assert cells[dt.date(2026, 12, 24)].selected
    assert not cells[dt.date(2026, 12, 23)].selected


def test_preferred_days_with_times_are_suggested_days():
    prefs = Preferences.from_answers({"preferred_days": ["tue", "thu"]})
    (december,) = month_grid(
        counts={dt.date(2026, 12, 8): 2, dt.date(2026, 12, 9): 2},
        first=dt.date(2026, 12, 1),
        last=dt.date(2026, 12, 31),
        closed={},
        preferences=prefs,
    )
    cells = {c.date: c for w in december.weeks for c in w if c.date}
    assert cells[dt.date(2026, 12, 8)].suggested  # a Tuesday with times
    assert not cells[dt.date(2026, 12, 9)].suggested  # a Wednesday
    assert not cells[dt.date(2026, 12, 10)].suggested  # a Thursday without times


def test_answers_are_read_leniently():
    assert not Preferences.from_answers({})
    assert not Preferences.from_answers({"preferred_days": "tue", "preferred_times": None})
    prefs = Preferences.from_answers(
        {"preferred_days": ["tue", "xyz"], "preferred_times": ["noon"]}
    )
    assert prefs.weekdays == {TUE} and prefs.times == frozenset()


def _at(day, hour, minute=0):
    return dt.datetime(2027, 1, day, hour, minute, tzinfo=NY)


def test_suggestions_are_the_first_suitable_time_on_each_of_the_first_days():
    prefs = Preferences.from_answers(
        {"preferred_days": ["tue", "thu"], "preferred_times": ["morning"]}
    )
    starts = [
        _at(11, 9),  # Monday: not a preferred day
        _at(12, 13),  # Tuesday afternoon: not a preferred time
        _at(12, 10),  # Tuesday morning
        _at(12, 9, 30),  # Tuesday morning, earlier
        _at(14, 9),  # Thursday morning
        _at(19, 10, 45),  # Tuesday, the last morning quarter hour
        _at(19, 11),  # Tuesday 11:00 is midday
        _at(21, 9),
    ]
    assert suggested_starts(starts, prefs, limit=3) == [_at(12, 9, 30), _at(14, 9), _at(19, 10, 45)]


def test_no_preferences_suggest_nothing_and_one_kind_alone_is_enough():
    starts = [_at(11, 9), _at(12, 15)]
    assert suggested_starts(starts, Preferences(), limit=4) == []
    afternoons = Preferences.from_answers({"preferred_times": ["afternoon"]})
    assert suggested_starts(starts, afternoons, limit=4) == [_at(12, 15)]
    mondays = Preferences.from_answers({"preferred_days": ["mon"]})
    assert suggested_starts(starts, mondays, limit=4) == [_at(11, 9)]
