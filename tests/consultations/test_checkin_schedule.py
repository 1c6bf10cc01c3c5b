"""When check-ins are due, close and get their nudge: pure rules, tested with literals."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from consultations.checkin_schedule import (
    Infusion,
    add_months,
    course_finished_at,
    follow_ups,
    nudge_at,
    pre_infusion,
)

NY = ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 10, 1, 9, tzinfo=NY)


def _infusion(pk, day, status="booked", hour=10):
    start = dt.datetime(2026, 10, day, hour, tzinfo=NY)
    return Infusion(pk, start, start + dt.timedelta(minutes=40), status)


def test_pre_infusion_opens_two_days_before_and_closes_at_the_start():
    [planned] = pre_infusion([_infusion(1, 5)], now=NOW)
    assert planned.kind == "pre_infusion" and planned.appointment_id == 1
    assert planned.due_at == dt.datetime(2026, 10, 3, 10, tzinfo=NY)
    assert planned.closes_at == dt.datetime(2026, 10, 5, 10, tzinfo=NY)


def test_pre_infusion_only_for_booked_infusions_still_to_come():
    infusions = [
        _infusion(1, 5, "cancelled_clinic"),
        _infusion(2, 6, "completed"),
        Infusion(3, NOW - dt.timedelta(hours=1), NOW, "booked"),
        _infusion(4, 7),
    ]
    assert [p.appointment_id for p in pre_infusion(infusions, now=NOW)] == [4]


def test_pre_infusion_needs_an_aware_now():
    with pytest.raises(ValueError):
        pre_infusion([], now=dt.datetime(2026, 10, 1))


def test_course_is_finished_when_no_infusion_is_still_to_come():
    assert course_finished_at([_infusion(1, 5, "completed"), _infusion(2, 7)]) is None
    done = [_infusion(1, 5, "completed"), _infusion(2, 7, "completed"), _infusion(3, 9, "no_show")]
    assert course_finished_at(done) == done[1].end
    assert course_finished_at([_infusion(1, 5, "cancelled_patient")]) is None
    assert course_finished_at([]) is None


def test_follow_ups_at_1_4_and_12_weeks_then_monthly():
    last = _infusion(2, 7, "completed")
    planned = follow_ups([_infusion(1, 5, "completed"), last], zone="America/New_York")
    kinds = [p.kind for p in planned]
    assert kinds[:3] == ["week_1", "week_4", "week_12"] and kinds[3:] == ["monthly"] * 12
    assert planned[0].due_at == last.end + dt.timedelta(weeks=1)
    assert planned[1].due_at == last.end + dt.timedelta(weeks=4)
    assert planned[0].closes_at == planned[0].due_at + dt.timedelta(days=14)
    # 12 weeks after Oct 7 is Dec 30; monthly from there (Jan 30, Feb 28 ...)
    assert planned[2].due_at.date() == dt.date(2026, 12, 30)
    assert [p.due_at.date() for p in planned[3:5]] == [dt.date(2027, 1, 30), dt.date(2027, 2, 28)]


def test_follow_ups_keep_the_wall_clock_time_across_the_dst_change():
    # Oct 28 10:40 EDT; a week later is Nov 4, after the Nov 1 change: still 10:40, now EST.
    last = Infusion(
        1,
        dt.datetime(2026, 10, 28, 10, tzinfo=NY),
        dt.datetime(2026, 10, 28, 10, 40, tzinfo=NY),
        "completed",
    )
    week_1 = follow_ups([last], zone="America/New_York")[0].due_at.astimezone(NY)
    assert (week_1.date(), week_1.hour, week_1.minute) == (dt.date(2026, 11, 4), 10, 40)
    assert week_1.utcoffset() == dt.timedelta(hours=-5)


def test_follow_ups_are_none_until_the_course_is_over():
    assert follow_ups([_infusion(1, 5, "completed"), _infusion(2, 7)], zone="UTC") == []


def test_a_later_course_takes_over_the_clock():
    last = _infusion(1, 7, "completed")
    booster_start = last.end + dt.timedelta(weeks=6)
    planned = follow_ups([last], zone="America/New_York", superseded_at=booster_start)
    assert [p.kind for p in planned] == ["week_1", "week_4"]


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.datetime(2027, 1, 31, 10, tzinfo=NY), 1, dt.datetime(2027, 2, 28, 10, tzinfo=NY)),
        (dt.datetime(2027, 12, 15, 10, tzinfo=NY), 1, dt.datetime(2028, 1, 15, 10, tzinfo=NY)),
        (dt.datetime(2027, 11, 30, 10, tzinfo=NY), 3, dt.datetime(2028, 2, 29, 10, tzinfo=NY)),
    ],
)
def test_add_months_clamps_to_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_nudge_halfway_to_the_infusion_or_three_days_after_a_follow_up_opens():
    due = dt.datetime(2026, 10, 3, 10, tzinfo=NY)
    assert nudge_at(
        kind="pre_infusion", due_at=due, closes_at=due + dt.timedelta(days=2)
    ) == due + dt.timedelta(days=1)
    assert nudge_at(
        kind="week_1", due_at=due, closes_at=due + dt.timedelta(days=14)
    ) == due + dt.timedelta(days=3)
