"""consultations.reminders: when each reminder is due, in local time (pure, no database).

US DST 2026: spring forward Sunday 2026-03-08, fall back Sunday 2026-11-01 (New York).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from consultations.reminders import (
    DEFAULT_OFFSETS,
    PlannedReminder,
    ReminderOffset,
    patient_options,
    plan_reminders,
    sms_quiet_hours_shift,
)

UTC = dt.UTC
NY = "America/New_York"
LA = "America/Los_Angeles"
NOW = dt.datetime(2026, 1, 1, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)


def utc(y, m, d, h, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=UTC)


def local(zone, y, m, d, h, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=ZoneInfo(zone))


def plan(start, *, patient=NY, now=NOW, appointment_id=7, **kwargs):
    return plan_reminders(
        appointment_id=appointment_id,
        start=start,
        appointment_time_zone=NY,
        patient_time_zone=patient,
        now=now,
        **kwargs,
    )


def dues(reminders):
    return {(r.kind, r.channel): r.due for r in reminders}


# ------------------------------------------------------------------ ordinary day


def test_default_offsets_for_an_ordinary_appointment():
    start = local(NY, 2026, 6, 18, 10)  # Thursday 10:00 EDT = 14:00Z

    reminders = plan(start)

    assert [(r.kind, r.channel, r.due) for r in reminders] == [
        ("reminder_72h", "email", utc(2026, 6, 15, 14)),
        ("reminder_24h", "email", utc(2026, 6, 17, 14)),
        ("reminder_24h", "sms", utc(2026, 6, 17, 14)),
        # 08:00 local is the first minute after quiet hours: sent as is.
        ("reminder_2h", "sms", utc(2026, 6, 18, 12)),
    ]
    assert all(r.due.tzinfo is UTC for r in reminders)


def test_default_offsets_are_72h_24h_2h():
    assert [(o.kind, o.before, o.channels) for o in DEFAULT_OFFSETS] == [
        ("reminder_72h", 72 * HOUR, ("email",)),
        ("reminder_24h", 24 * HOUR, ("email", "sms")),
        ("reminder_2h", 2 * HOUR, ("sms",)),
    ]


# ------------------------------------------------------------------ DST


def test_spring_forward_whole_day_offsets_keep_the_local_clock_time():
    start = local(NY, 2026, 3, 9, 10)  # Monday 10:00 EDT = 14:00Z

    due = dues(plan(start))

    assert due[("reminder_24h", "email")] == utc(2026, 3, 8, 14)  # Sunday 10:00 EDT
    assert due[("reminder_72h", "email")] == utc(2026, 3, 6, 15)  # Friday 10:00 EST
    assert start - due[("reminder_72h", "email")] == 71 * HOUR  # the lost hour is in between
    assert due[("reminder_2h", "sms")] == utc(2026, 3, 9, 12)  # elapsed: 08:00 EDT


def test_24h_reminder_across_spring_forward_is_23_real_hours():
    start = local(NY, 2026, 3, 8, 10)  # Sunday 10:00 EDT = 14:00Z

    due = dues(plan(start))[("reminder_24h", "email")]

    assert due == utc(2026, 3, 7, 15)  # Saturday 10:00 EST
    assert start - due == 23 * HOUR


def test_fall_back_whole_day_offsets_keep_the_local_clock_time():
    start = local(NY, 2026, 11, 2, 10)  # Monday 10:00 EST = 15:00Z

    due = dues(plan(start))

    assert due[("reminder_24h", "email")] == utc(2026, 11, 1, 15)  # Sunday 10:00 EST
    assert due[("reminder_72h", "email")] == utc(2026, 10, 30, 14)  # Friday 10:00 EDT
    assert start - due[("reminder_72h", "email")] == 73 * HOUR
    assert due[("reminder_2h", "sms")] == utc(2026, 11, 2, 13)  # 08:00 EST


def test_24h_reminder_across_fall_back_is_25_real_hours():
    start = local(NY, 2026, 11, 1, 10)  # Sunday 10:00 EST = 15:00Z

    due = dues(plan(start))[("reminder_24h", "email")]

    assert due == utc(2026, 10, 31, 14)  # Saturday 10:00 EDT
    assert start - due == 25 * HOUR


def test_hour_offsets_are_elapsed_time_across_a_transition():
    start = local(NY, 2026, 3, 8, 12)  # 12:00 EDT = 16:00Z
    offsets = (ReminderOffset("reminder_12h", 12 * HOUR, ("email",)),)

    due = plan(start, offsets=offsets)[0].due

    assert due == utc(2026, 3, 8, 4)  # 23:00 EST the evening before, 12 real hours
    assert start - due == 12 * HOUR


# ------------------------------------------------------------------ quiet hours


def test_2h_sms_at_7am_moves_to_8am_patient_time():
    start = local(NY, 2026, 6, 18, 9)  # 13:00Z; 2 h before is 07:00 local

    due = dues(plan(start))

    assert due[("reminder_2h", "sms")] == utc(2026, 6, 18, 12)  # 08:00 EDT


def test_los_angeles_patient_with_a_new_york_appointment_uses_la_quiet_hours():
    start = local(NY, 2026, 6, 18, 10)  # 14:00Z = 07:00 in Los Angeles

    due = dues(plan(start, patient=LA))

    # Email is not subject to quiet hours.
    assert due[("reminder_24h", "email")] == utc(2026, 6, 17, 14)
    # 07:00 PDT is quiet in Los Angeles: moved to 08:00 PDT.
    assert due[("reminder_24h", "sms")] == utc(2026, 6, 17, 15)
    # 05:00 PDT would move to 08:00 PDT, after the appointment: dropped.
    assert ("reminder_2h", "sms") not in due
    # The same appointment for a New York patient keeps its 2 h SMS at 08:00 EDT.
    assert dues(plan(start, patient=NY))[("reminder_2h", "sms")] == utc(2026, 6, 18, 12)


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (local(NY, 2026, 6, 17, 20, 59), local(NY, 2026, 6, 17, 20, 59)),
        (local(NY, 2026, 6, 17, 21, 0), local(NY, 2026, 6, 18, 8)),  # quiet_start inclusive
        (local(NY, 2026, 6, 17, 23, 30), local(NY, 2026, 6, 18, 8)),  # evening: next morning
        (local(NY, 2026, 6, 18, 0, 0), local(NY, 2026, 6, 18, 8)),
        (local(NY, 2026, 6, 18, 7, 59), local(NY, 2026, 6, 18, 8)),  # morning: same day
        (local(NY, 2026, 6, 18, 8, 0), local(NY, 2026, 6, 18, 8)),  # quiet_end exclusive
        (local(NY, 2026, 3, 8, 1, 0), local(NY, 2026, 3, 8, 8)),  # DST night: 08:00 EDT
        (local(NY, 2026, 10, 31, 22, 0), local(NY, 2026, 11, 1, 8)),  # 08:00 EST
    ],
)
def test_sms_quiet_hours_shift(due, expected):
    shifted = sms_quiet_hours_shift(due, NY, dt.time(21), dt.time(8))

    assert shifted == expected
    assert shifted.tzinfo is UTC


def test_sms_quiet_hours_in_the_patients_zone():
    due = utc(2026, 6, 18, 12)  # 08:00 New York, 05:00 Los Angeles

    assert sms_quiet_hours_shift(due, NY, dt.time(21), dt.time(8)) == due
    assert sms_quiet_hours_shift(due, LA, dt.time(21), dt.time(8)) == utc(2026, 6, 18, 15)


def test_quiet_hours_that_do_not_wrap_midnight_and_empty_quiet_hours():
    lunch = local(NY, 2026, 6, 18, 12, 30)

    assert sms_quiet_hours_shift(lunch, NY, dt.time(12), dt.time(13)) == local(NY, 2026, 6, 18, 13)
    assert sms_quiet_hours_shift(lunch, NY, dt.time(13), dt.time(14)) == lunch
    assert sms_quiet_hours_shift(lunch, NY, dt.time(8), dt.time(8)) == lunch


def test_custom_quiet_hours_are_passed_through():
    start = local(NY, 2026, 6, 18, 10)  # 2 h SMS nominally 08:00

    due = dues(plan(start, quiet_start=dt.time(22), quiet_end=dt.time(9)))

    assert due[("reminder_2h", "sms")] == local(NY, 2026, 6, 18, 9)


def test_custom_quiet_end_moves_the_2h_sms_to_that_time():
    start = local(NY, 2026, 6, 18, 11)  # 2 h SMS nominally 09:00

    due = dues(plan(start, quiet_start=dt.time(22), quiet_end=dt.time(9, 30)))

    assert due[("reminder_2h", "sms")] == local(NY, 2026, 6, 18, 9, 30)


# ------------------------------------------------------------------ past and channels


def test_reminders_already_due_are_dropped():
    start = local(NY, 2026, 6, 18, 10)

    due = dues(plan(start, now=start - 30 * HOUR))

    assert set(due) == {("reminder_24h", "email"), ("reminder_24h", "sms"), ("reminder_2h", "sms")}


def test_a_reminder_due_exactly_now_is_dropped():
    start = local(NY, 2026, 6, 18, 10)

    due = dues(plan(start, now=utc(2026, 6, 17, 14)))

    assert set(due) == {("reminder_2h", "sms")}


def test_booking_three_hours_ahead_gets_only_the_2h_reminder():
    start = local(NY, 2026, 6, 18, 15)

    reminders = plan(start, now=start - 3 * HOUR)

    assert [(r.kind, r.channel, r.due) for r in reminders] == [
        ("reminder_2h", "sms", utc(2026, 6, 18, 17))
    ]


def test_reminders_at_or_after_the_start_are_dropped():
    start = local(NY, 2026, 6, 18, 10)
    offsets = (ReminderOffset("at_start", dt.timedelta(0), ("email",)),)

    assert plan(start, offsets=offsets) == []


def test_no_sms_without_consent():
    start = local(NY, 2026, 6, 18, 10)

    reminders = plan(start, channels_allowed={"email"})

    assert [(r.kind, r.channel) for r in reminders] == [
        ("reminder_72h", "email"),
        ("reminder_24h", "email"),
    ]
    assert plan(start, channels_allowed=set()) == []


def test_naive_datetimes_are_rejected():
    with pytest.raises(ValueError):
        plan(dt.datetime(2026, 6, 18, 10))
    with pytest.raises(ValueError):
        plan(local(NY, 2026, 6, 18, 10), now=dt.datetime(2026, 1, 1))


# ------------------------------------------------------------------ idempotency keys


def test_keys_have_the_documented_shape():
    reminder = plan(local(NY, 2026, 6, 18, 10))[0]

    assert reminder == PlannedReminder(
        kind="reminder_72h",
        channel="email",
        due=utc(2026, 6, 15, 14),
        idempotency_key=(
            "appt:7:reminder_72h:email:2026-06-15T14:00:00+00:00:2026-06-18T14:00:00+00:00"
        ),
    )


def test_keys_are_stable_for_an_unchanged_appointment_and_distinct_within_it():
    start = local(NY, 2026, 6, 18, 10)

    first = [r.idempotency_key for r in plan(start)]
    again = [r.idempotency_key for r in plan(start.astimezone(UTC), now=start - 48 * HOUR)]

    assert len(set(first)) == len(first) == 4
    assert set(again) <= set(first)  # same keys for the reminders still ahead


def test_rescheduling_or_another_appointment_gives_new_keys():
    start = local(NY, 2026, 6, 18, 10)
    keys = {r.idempotency_key for r in plan(start)}

    assert keys.isdisjoint(r.idempotency_key for r in plan(start + dt.timedelta(minutes=30)))
    assert keys.isdisjoint(r.idempotency_key for r in plan(start, appointment_id=8))


def test_reschedule_to_the_same_quiet_hours_due_still_changes_the_key():
    # 09:00 and 09:30 both get their 2 h SMS moved to 08:00: same due, different keys.
    nine = dues(plan(local(NY, 2026, 6, 18, 9)))
    half_past = dues(plan(local(NY, 2026, 6, 18, 9, 30)))
    assert nine[("reminder_2h", "sms")] == half_past[("reminder_2h", "sms")]

    key_nine = next(
        r.idempotency_key for r in plan(local(NY, 2026, 6, 18, 9)) if r.kind == "reminder_2h"
    )
    key_half = next(
        r.idempotency_key for r in plan(local(NY, 2026, 6, 18, 9, 30)) if r.kind == "reminder_2h"
    )
    assert key_nine != key_half


# ------------------------------------------- what the reminder offers (offset vs window)


@pytest.mark.parametrize(
    ("offset_hours", "window_hours", "online"),
    [
        (72, 24, True),  # three days ahead: move or cancel online
        (24, 24, True),  # exactly at the window's edge: still online
        (2, 24, False),  # two hours ahead: call the clinic
        (24, 48, False),  # a longer window: the day-before reminder is inside it
        (72, 48, True),
        (2, 0, True),  # no window: online until the start
    ],
)
def test_a_reminder_offers_online_changes_only_before_the_window(
    offset_hours, window_hours, online
):
    start = local(NY, 2026, 6, 10, 10)
    at = start - dt.timedelta(hours=offset_hours)
    options = patient_options(start=start, at=at, window=dt.timedelta(hours=window_hours))
    assert options.change_online is online
    assert options.change_until == (start - dt.timedelta(hours=window_hours)).astimezone(UTC)


def test_an_sms_held_back_by_quiet_hours_is_worded_for_when_it_is_sent():
    start = local(NY, 2026, 6, 10, 8, 30)
    sms = next(
        r
        for r in plan(start, now=utc(2026, 6, 1, 0))
        if r.kind == "reminder_24h" and r.channel == "sms"
    )
    # Due 08:30 the day before, 24 h ahead: exactly at the window, still online.
    assert patient_options(start=start, at=sms.due, window=24 * HOUR).change_online
    # The 2 h SMS (06:30) waits for 08:00: by then online changes are long closed.
    two_hours = next(r for r in plan(start, now=utc(2026, 6, 1, 0)) if r.kind == "reminder_2h")
    assert two_hours.due == local(NY, 2026, 6, 10, 8).astimezone(UTC)
    assert not patient_options(start=start, at=two_hours.due, window=24 * HOUR).change_online


def test_patient_options_need_aware_times():
    with pytest.raises(ValueError):
        patient_options(start=dt.datetime(2026, 6, 10, 10), at=NOW, window=HOUR)
