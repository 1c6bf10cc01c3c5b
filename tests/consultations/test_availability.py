"""consultations.availability: free slots from hours, overrides and bookings (pure, no database).

Dates used: 2026-06-15 is a Monday (New York on EDT, UTC-4). US DST 2026: spring forward
Sunday 2026-03-08 (02:00 EST -> 03:00 EDT), fall back Sunday 2026-11-01 (02:00 EDT -> 01:00 EST).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from consultations.availability import (
    CLOSED,
    CLOSURE,
    NO_CHAIR,
    TIME_OFF,
    UNSUPERVISED,
    AppointmentTypeSpec,
    BusySpec,
    ChairSpec,
    OpeningHoursSpec,
    OverrideSpec,
    Placement,
    ProviderSpec,
    Slot,
    WorkingHoursSpec,
    appointments_in_override,
    appointments_outside_hours,
    conflicts,
    day_intervals,
    free_slots,
    group_by_local_day,
    place_infusion,
    working_intervals,
)

UTC = dt.UTC
NY = "America/New_York"
LA = "America/Los_Angeles"
MON, SAT, SUN = 0, 5, 6
MONDAY = dt.date(2026, 6, 15)
NOW = dt.datetime(2026, 1, 1, tzinfo=UTC)

DR_LEE = ProviderSpec(id=1, time_zone=NY)
DR_PATEL = ProviderSpec(id=2, time_zone=NY)
DR_WEST = ProviderSpec(id=3, time_zone=LA)

CONSULT = AppointmentTypeSpec(
    id=1, duration=dt.timedelta(minutes=45), horizon=dt.timedelta(days=400)
)


def minutes(n):
    return dt.timedelta(minutes=n)


def t(text):
    return dt.time.fromisoformat(text)


def ny(date, clock):
    """Aware New York datetime for a local date and "HH:MM"."""
    return dt.datetime.combine(date, t(clock), tzinfo=ZoneInfo(NY))


def utc(y, m, d, h, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=UTC)


def hours(weekday, start, end, provider=DR_LEE, **kwargs):
    return WorkingHoursSpec(provider.id, weekday, t(start), t(end), **kwargs)


def slots(
    working_hours,
    *,
    first=MONDAY,
    last=None,
    kind=CONSULT,
    providers=(DR_LEE,),
    overrides=(),
    busy=(),
    now=NOW,
    **kwargs,
):
    return free_slots(
        appointment_type=kind,
        providers=list(providers),
        working_hours=list(working_hours),
        overrides=list(overrides),
        busy=list(busy),
        start_date=first,
        end_date=last or first,
        now=now,
        **kwargs,
    )


def local_starts(result, zone=NY):
    return [slot.start.astimezone(ZoneInfo(zone)).strftime("%H:%M") for slot in result]


def clock_range(first, last, step=15):
    """["09:00", "09:15", ...] from first to last inclusive."""
    start = dt.datetime.combine(MONDAY, t(first))
    stop = dt.datetime.combine(MONDAY, t(last))
    out = []
    while start <= stop:
        out.append(start.strftime("%H:%M"))
        start += minutes(step)
    return out


# ------------------------------------------------------------------ ordinary days


def test_normal_weekday_exact_starts_in_utc():
    result = slots([hours(MON, "09:00", "12:00")])

    assert [slot.start for slot in result] == [
        utc(2026, 6, 15, 13, 0),
        utc(2026, 6, 15, 13, 15),
        utc(2026, 6, 15, 13, 30),
        utc(2026, 6, 15, 13, 45),
        utc(2026, 6, 15, 14, 0),
        utc(2026, 6, 15, 14, 15),
        utc(2026, 6, 15, 14, 30),
        utc(2026, 6, 15, 14, 45),
        utc(2026, 6, 15, 15, 0),
        utc(2026, 6, 15, 15, 15),  # 11:15 local: last start that ends by 12:00
    ]
    assert all(slot.end - slot.start == minutes(45) for slot in result)
    assert all(slot.start.tzinfo is UTC and slot.end.tzinfo is UTC for slot in result)
    assert {slot.provider_id for slot in result} == {DR_LEE.id}


def test_other_weekdays_without_hours_have_no_slots():
    assert slots([hours(MON, "09:00", "12:00")], first=dt.date(2026, 6, 16)) == []


def test_two_intervals_per_day_leave_the_lunch_hour_free():
    result = slots([hours(MON, "08:00", "12:00"), hours(MON, "13:00", "17:00")])

    assert local_starts(result) == clock_range("08:00", "11:15") + clock_range("13:00", "16:15")


def test_touching_intervals_merge_so_a_slot_can_span_the_seam():
    result = slots([hours(MON, "09:00", "12:00"), hours(MON, "12:00", "13:00")])

    assert local_starts(result) == clock_range("09:00", "12:15")


def test_custom_step():
    result = slots([hours(MON, "09:00", "12:00")], step=minutes(30))

    assert local_starts(result) == ["09:00", "09:30", "10:00", "10:30", "11:00"]


# ------------------------------------------------------------------ bookings and buffers


def test_touching_an_existing_booking_is_allowed():
    booked = BusySpec(DR_LEE.id, ny(MONDAY, "10:00"), ny(MONDAY, "11:00"))

    result = slots([hours(MON, "09:00", "13:00")], busy=[booked])

    assert local_starts(result) == ["09:00", "09:15"] + clock_range("11:00", "12:15")


def test_buffers_before_and_after_keep_clear_of_a_booking():
    kind = AppointmentTypeSpec(
        id=2,
        duration=minutes(45),
        buffer_before=minutes(15),
        buffer_after=minutes(15),
        horizon=dt.timedelta(days=400),
    )
    booked = BusySpec(DR_LEE.id, ny(MONDAY, "10:00"), ny(MONDAY, "11:00"))

    result = slots([hours(MON, "09:00", "13:00")], kind=kind, busy=[booked])

    # 09:00 + 45 min + 15 min after-buffer ends at 10:00 exactly; the first start after the
    # booking needs 15 min of before-buffer from 11:00.
    assert local_starts(result) == ["09:00"] + clock_range("11:15", "12:15")


def test_bookings_of_other_providers_and_chair_only_rows_do_not_block():
    busy = [
        BusySpec(DR_PATEL.id, ny(MONDAY, "09:00"), ny(MONDAY, "12:00")),
        BusySpec(None, ny(MONDAY, "09:00"), ny(MONDAY, "12:00"), uses_chair=True),
    ]

    result = slots([hours(MON, "09:00", "12:00")], busy=busy)

    assert local_starts(result) == clock_range("09:00", "11:15")


def test_busy_rows_in_any_zone_and_order_are_compared_as_instants():
    busy = [
        BusySpec(DR_LEE.id, utc(2026, 6, 15, 15, 15), utc(2026, 6, 15, 16, 0)),  # 11:15-12:00
        BusySpec(
            DR_LEE.id,
            dt.datetime(2026, 6, 15, 6, 0, tzinfo=ZoneInfo(LA)),  # 09:00-09:30 New York
            dt.datetime(2026, 6, 15, 6, 30, tzinfo=ZoneInfo(LA)),
        ),
        BusySpec(DR_LEE.id, ny(MONDAY, "09:00"), ny(MONDAY, "10:30")),  # long, overlapping
    ]

    result = slots([hours(MON, "09:00", "12:00")], busy=busy)

    assert local_starts(result) == ["10:30"]


def test_conflicts_helper_is_half_open_and_per_provider():
    busy = [BusySpec(DR_LEE.id, ny(MONDAY, "10:00"), ny(MONDAY, "11:00"))]

    assert conflicts(ny(MONDAY, "10:30"), ny(MONDAY, "11:30"), busy, DR_LEE.id)
    assert conflicts(ny(MONDAY, "09:00"), ny(MONDAY, "12:00"), busy, DR_LEE.id)
    assert not conflicts(ny(MONDAY, "09:00"), ny(MONDAY, "10:00"), busy, DR_LEE.id)
    assert not conflicts(ny(MONDAY, "11:00"), ny(MONDAY, "12:00"), busy, DR_LEE.id)
    assert not conflicts(ny(MONDAY, "10:30"), ny(MONDAY, "11:30"), busy, DR_PATEL.id)


# ------------------------------------------------------------------ notice and horizon


def test_min_notice_of_24_hours():
    kind = AppointmentTypeSpec(
        id=3, duration=minutes(45), min_notice=dt.timedelta(hours=24), horizon=dt.timedelta(days=60)
    )
    now = utc(2026, 6, 14, 13, 30)  # Sunday 09:30 New York

    result = slots([hours(MON, "09:00", "12:00")], kind=kind, now=now)

    assert local_starts(result) == clock_range("09:30", "11:15")


def test_min_notice_off_the_grid_rounds_up_to_the_next_step():
    kind = AppointmentTypeSpec(
        id=3, duration=minutes(45), min_notice=dt.timedelta(hours=24), horizon=dt.timedelta(days=60)
    )

    result = slots([hours(MON, "09:00", "12:00")], kind=kind, now=utc(2026, 6, 14, 13, 40))

    assert local_starts(result) == clock_range("09:45", "11:15")


def test_past_slots_are_not_offered_even_without_notice():
    now = ny(MONDAY, "10:05")

    assert local_starts(slots([hours(MON, "09:00", "12:00")], now=now)) == clock_range(
        "10:15", "11:15"
    )


def test_horizon_is_inclusive_and_cuts_later_starts():
    kind = AppointmentTypeSpec(id=4, duration=minutes(45), horizon=dt.timedelta(hours=25))
    now = utc(2026, 6, 14, 13, 0)  # horizon ends 2026-06-15 14:00Z = 10:00 New York

    result = slots([hours(MON, "09:00", "12:00")], kind=kind, now=now)

    assert local_starts(result) == ["09:00", "09:15", "09:30", "09:45", "10:00"]


def test_default_horizon_is_60_days():
    kind = AppointmentTypeSpec(id=5, duration=minutes(45))
    now = utc(2026, 4, 16, 12, 0)  # 60 days later is 2026-06-15 12:00Z = 08:00 New York

    assert slots([hours(MON, "09:00", "12:00")], kind=kind, now=now) == []
    assert slots([hours(MON, "09:00", "12:00")], kind=kind, now=now + dt.timedelta(hours=2))


# ------------------------------------------------------------------ hours and overrides


def test_valid_from_and_valid_to_are_inclusive():
    weekly = [
        hours(MON, "09:00", "10:00", valid_to=dt.date(2026, 6, 15)),
        hours(MON, "14:00", "15:00", valid_from=dt.date(2026, 6, 22)),
    ]

    result = slots(weekly, first=dt.date(2026, 6, 8), last=dt.date(2026, 6, 29))
    by_day = {
        day: local_starts(day_slots) for day, day_slots in group_by_local_day(result, NY).items()
    }

    assert by_day == {
        dt.date(2026, 6, 8): ["09:00", "09:15"],
        dt.date(2026, 6, 15): ["09:00", "09:15"],
        dt.date(2026, 6, 22): ["14:00", "14:15"],
        dt.date(2026, 6, 29): ["14:00", "14:15"],
    }


def test_whole_day_time_off_removes_the_day_including_extra_hours():
    overrides = [
        OverrideSpec("time_off", MONDAY, DR_LEE.id),
        OverrideSpec("extra_hours", MONDAY, DR_LEE.id, t("13:00"), t("14:00")),
    ]

    result = slots(
        [hours(MON, "09:00", "12:00")],
        overrides=overrides,
        first=MONDAY,
        last=dt.date(2026, 6, 22),
    )

    assert {slot.start.date() for slot in result} == {dt.date(2026, 6, 22)}


def test_part_day_time_off_removes_that_interval():
    overrides = [OverrideSpec("time_off", MONDAY, DR_LEE.id, t("10:00"), t("11:00"))]

    result = slots([hours(MON, "09:00", "12:00")], overrides=overrides)

    assert local_starts(result) == ["09:00", "09:15", "11:00", "11:15"]


def test_time_off_of_another_provider_does_not_apply():
    overrides = [OverrideSpec("time_off", MONDAY, DR_PATEL.id)]

    assert local_starts(slots([hours(MON, "09:00", "10:00")], overrides=overrides)) == [
        "09:00",
        "09:15",
    ]


def test_time_off_without_a_provider_fails_closed_for_everyone():
    overrides = [OverrideSpec("time_off", MONDAY, None, t("09:00"), t("09:30"))]

    assert local_starts(slots([hours(MON, "09:00", "10:30")], overrides=overrides)) == [
        "09:30",
        "09:45",
    ]


def test_extra_hours_on_a_day_off_and_next_to_weekly_hours():
    saturday = dt.date(2026, 6, 20)
    overrides = [
        OverrideSpec("extra_hours", saturday, DR_LEE.id, t("10:00"), t("11:00")),
        OverrideSpec("extra_hours", MONDAY, DR_LEE.id, t("12:00"), t("13:00")),
        OverrideSpec("extra_hours", MONDAY, DR_PATEL.id, t("16:00"), t("17:00")),
    ]

    result = slots([hours(MON, "09:00", "12:00")], overrides=overrides, last=saturday)
    by_day = {day: local_starts(s) for day, s in group_by_local_day(result, NY).items()}

    assert by_day == {MONDAY: clock_range("09:00", "12:15"), saturday: ["10:00", "10:15"]}


def test_clinic_closure_removes_the_day_for_every_provider_and_zone():
    weekly = [hours(MON, "09:00", "12:00"), hours(MON, "09:00", "12:00", provider=DR_WEST)]
    closure = [OverrideSpec("closure", MONDAY)]

    result = slots(
        weekly,
        providers=[DR_LEE, DR_WEST],
        overrides=closure,
        first=MONDAY,
        last=dt.date(2026, 6, 22),
    )

    assert {slot.start.date() for slot in result} == {dt.date(2026, 6, 22)}
    assert {slot.provider_id for slot in result} == {DR_LEE.id, DR_WEST.id}


def test_part_day_closure_is_read_in_the_clinic_zone():
    # 09:00-10:00 New York is 06:00-07:00 Los Angeles.
    closure = [OverrideSpec("closure", MONDAY, None, t("09:00"), t("10:00"))]

    result = slots(
        [hours(MON, "06:00", "08:00", provider=DR_WEST)], providers=[DR_WEST], overrides=closure
    )

    assert local_starts(result, LA) == ["07:00", "07:15"]


def test_day_intervals_are_merged_and_in_utc():
    weekly = [
        hours(MON, "09:00", "11:00"),
        hours(MON, "10:00", "12:00"),
        hours(MON, "14:00", "15:00"),
    ]
    overrides = [OverrideSpec("time_off", MONDAY, DR_LEE.id, t("14:30"), t("16:00"))]

    assert day_intervals(DR_LEE, MONDAY, weekly, overrides, NY) == [
        (utc(2026, 6, 15, 13), utc(2026, 6, 15, 16)),
        (utc(2026, 6, 15, 18), utc(2026, 6, 15, 18, 30)),
    ]


@pytest.mark.parametrize(
    ("weekly", "overrides"),
    [
        ([hours(MON, "12:00", "09:00")], []),
        ([hours(MON, "09:00", "12:00")], [OverrideSpec("vacation", MONDAY, DR_LEE.id)]),
        ([hours(MON, "09:00", "12:00")], [OverrideSpec("time_off", MONDAY, DR_LEE.id, t("10:00"))]),
    ],
)
def test_malformed_rows_raise_instead_of_guessing(weekly, overrides):
    with pytest.raises(ValueError):
        slots(weekly, overrides=overrides)


def test_naive_now_is_rejected():
    with pytest.raises(ValueError):
        slots([hours(MON, "09:00", "12:00")], now=dt.datetime(2026, 1, 1))


# ------------------------------------------------------------------ chairs

# Two chairs at the main clinic (location 1) and one at an annex (location 2).
CHAIR_1, CHAIR_2 = ChairSpec(11, 1), ChairSpec(12, 1)
ANNEX_CHAIR = ChairSpec(21, 2)
SUN_TO_SAT = range(7)

INFUSION = AppointmentTypeSpec(
    id=6,
    duration=minutes(60),
    horizon=dt.timedelta(days=400),
    uses_chair=True,
    chair_time_after=minutes(30),
)


def open_hours(start="07:00", end="20:00", location_id=1, weekdays=SUN_TO_SAT):
    return [OpeningHoursSpec(location_id, day, t(start), t(end)) for day in weekdays]


def infusion_slots(weekly, *, chairs=(CHAIR_1, CHAIR_2), opening=None, supervisors=(DR_LEE,), **kw):
    kw.setdefault("kind", INFUSION)
    return slots(
        weekly,
        chairs=list(chairs),
        opening_hours=open_hours() if opening is None else opening,
        supervisors=list(supervisors),
        **kw,
    )


def chair_row(start, end, chair_id=CHAIR_1.id, provider_id=None, date=MONDAY):
    return BusySpec(
        provider_id,
        ny(date, start),
        ny(date, end),
        uses_chair=True,
        chair_start=ny(date, start),
        chair_end=ny(date, end),
        chair_id=chair_id,
    )


def test_two_chairs_both_taken_means_no_slot_until_one_frees():
    busy = [chair_row("09:00", "10:30"), chair_row("09:00", "10:30", chair_id=CHAIR_2.id)]

    result = infusion_slots([hours(MON, "09:00", "12:00")], busy=busy)

    assert local_starts(result) == ["10:30"]  # 60 min + 30 recovery by Dr. Lee's noon


def test_two_chairs_one_taken_leaves_a_slot():
    busy = [chair_row("09:00", "10:30")]

    result = infusion_slots([hours(MON, "09:00", "12:00")], busy=busy)

    assert local_starts(result) == clock_range("09:00", "10:30")


def test_recovery_time_keeps_the_chair_occupied():
    busy = [chair_row("11:30", "12:30")]
    no_recovery = AppointmentTypeSpec(
        id=7, duration=minutes(60), horizon=dt.timedelta(days=400), uses_chair=True
    )
    weekly = [hours(MON, "09:00", "14:00")]

    with_recovery = infusion_slots(weekly, chairs=[CHAIR_1], busy=busy)
    without = infusion_slots(weekly, chairs=[CHAIR_1], busy=busy, kind=no_recovery)

    # Before 11:30: 60 min + 30 min recovery must be over by then; after 12:30 the same.
    assert local_starts(with_recovery) == clock_range("09:00", "10:00") + clock_range(
        "12:30", "12:30"
    )
    assert local_starts(without) == clock_range("09:00", "10:30") + clock_range("12:30", "13:00")


def test_an_old_chair_row_without_a_chair_takes_one_of_the_chairs():
    busy = [BusySpec(None, ny(MONDAY, "09:00"), ny(MONDAY, "10:30"), uses_chair=True)]
    weekly = [hours(MON, "09:00", "12:00")]

    assert local_starts(infusion_slots(weekly, chairs=[CHAIR_1], busy=busy)) == ["10:30"]
    assert local_starts(infusion_slots(weekly, busy=busy)) == clock_range("09:00", "10:30")


def test_no_chairs_means_no_chair_slots_but_other_types_are_unaffected():
    weekly = [hours(MON, "09:00", "12:00")]

    assert infusion_slots(weekly, chairs=[]) == []
    assert local_starts(infusion_slots(weekly, chairs=[], kind=CONSULT)) == clock_range(
        "09:00", "11:15"
    )


def test_an_infusion_at_four_with_an_hours_recovery_is_not_offered_when_the_day_ends_at_five():
    # The complaint: 16:00 + 60 min + 60 min recovery runs to 18:00.
    long_recovery = AppointmentTypeSpec(
        id=8,
        duration=minutes(60),
        horizon=dt.timedelta(days=400),
        uses_chair=True,
        chair_time_after=minutes(60),
    )
    weekly = [hours(MON, "13:00", "17:00")]

    result = infusion_slots(weekly, kind=long_recovery)

    assert "16:00" not in local_starts(result)
    assert local_starts(result) == clock_range("13:00", "15:00")


def test_the_whole_recovery_must_lie_inside_the_opening_hours():
    weekly = [hours(MON, "09:00", "19:00")]

    result = infusion_slots(weekly, opening=open_hours("08:00", "17:00"))

    assert local_starts(result)[-1] == "15:30"  # 15:30 + 60 + 30 = 17:00


def test_a_chair_at_a_location_without_opening_hours_is_never_offered():
    weekly = [hours(MON, "09:00", "12:00")]

    assert infusion_slots(weekly, chairs=[ANNEX_CHAIR]) == []
    annex_open = open_hours(location_id=2)
    assert infusion_slots(weekly, chairs=[ANNEX_CHAIR], opening=annex_open) != []


def test_an_infusion_needs_a_supervisor_on_duty_not_only_the_booked_provider():
    # Dr. Patel (no supervisor) works all day; Dr. Lee supervises in the morning only.
    weekly = [hours(MON, "09:00", "17:00", provider=DR_PATEL), hours(MON, "09:00", "12:00")]

    result = infusion_slots(weekly, providers=(DR_PATEL,), supervisors=(DR_LEE,))
    nobody = infusion_slots(weekly, providers=(DR_PATEL,), supervisors=())

    assert local_starts(result) == clock_range("09:00", "10:30")
    assert nobody == []


def test_two_supervisors_back_to_back_hand_the_chairs_over():
    weekly = [
        hours(MON, "09:00", "17:00", provider=DR_PATEL),
        hours(MON, "09:00", "12:00"),
        hours(MON, "12:00", "17:00", provider=DR_PATEL),
    ]

    result = infusion_slots(weekly, providers=(DR_PATEL,), supervisors=(DR_LEE, DR_PATEL))

    assert "11:30" in local_starts(result)  # 11:30-13:00 spans the handover at noon


def test_a_supervisors_time_off_leaves_the_chairs_unsupervised():
    weekly = [hours(MON, "09:00", "17:00", provider=DR_PATEL), hours(MON, "09:00", "17:00")]
    off = [OverrideSpec(TIME_OFF, MONDAY, DR_LEE.id, t("12:00"), t("17:00"))]

    result = infusion_slots(weekly, providers=(DR_PATEL,), overrides=off)

    assert local_starts(result) == clock_range("09:00", "10:30")


def test_a_clinic_closure_closes_the_chairs():
    weekly = [hours(MON, "09:00", "17:00")]
    part = [OverrideSpec(CLOSURE, MONDAY, None, t("07:00"), t("13:00"))]
    whole = [OverrideSpec(CLOSURE, MONDAY)]

    assert local_starts(infusion_slots(weekly, overrides=part))[0] == "13:00"
    assert infusion_slots(weekly, overrides=whole) == []


def test_fall_back_no_infusion_recovers_across_the_repeated_hour():
    fall = dt.date(2026, 11, 1)
    weekly = [hours(SUN, "00:00", "06:00")]

    result = infusion_slots(weekly, first=fall, opening=open_hours("00:00", "06:00"))
    starts = {slot.start for slot in result}

    # 00:30 EDT: the infusion ends 01:30 EDT but its recovery ends 01:00 EST.
    assert utc(2026, 11, 1, 4, 30) not in starts
    assert utc(2026, 11, 1, 4, 0) in starts  # recovery over by 01:30 EDT
    assert utc(2026, 11, 1, 6, 0) in starts  # 01:00 EST onwards
    zone = ZoneInfo(NY)
    for slot in result:
        chair_end = slot.end + INFUSION.chair_time_after
        assert slot.start.astimezone(zone).utcoffset() == chair_end.astimezone(zone).utcoffset()


def test_place_infusion_takes_the_first_free_chair_or_says_why_not():
    weekly = [hours(MON, "09:00", "12:00")]
    start, end = ny(MONDAY, "09:00"), ny(MONDAY, "10:30")

    def place(busy=(), opening=None, supervisors=(DR_LEE,), window=(start, end)):
        return place_infusion(
            *window,
            chairs=[CHAIR_1, CHAIR_2],
            opening_hours=open_hours() if opening is None else opening,
            supervisors=list(supervisors),
            working_hours=weekly,
            overrides=[],
            busy=list(busy),
            clinic_time_zone=NY,
        )

    assert place() == Placement(CHAIR_1.id)
    assert place([chair_row("10:00", "11:00")]) == Placement(CHAIR_2.id)
    both = [chair_row("10:00", "11:00"), chair_row("08:00", "09:30", chair_id=CHAIR_2.id)]
    assert place(both) == Placement(None, NO_CHAIR)
    assert place(opening=[]) == Placement(None, CLOSED)
    assert place(supervisors=()) == Placement(None, UNSUPERVISED)
    # Back to back with the chair's last infusion is fine (half-open windows).
    assert place([chair_row("07:30", "09:00")]) == Placement(CHAIR_1.id)


# ------------------------------------------------------------------ providers and zones


def test_any_provider_is_the_union_sorted_by_start_then_provider():
    weekly = [hours(MON, "09:00", "11:00"), hours(MON, "09:00", "10:00", provider=DR_PATEL)]

    result = slots(weekly, providers=[DR_PATEL, DR_LEE])

    assert list(zip(local_starts(result), [slot.provider_id for slot in result], strict=True)) == [
        ("09:00", 1),
        ("09:00", 2),
        ("09:15", 1),
        ("09:15", 2),
        ("09:30", 1),
        ("09:45", 1),
        ("10:00", 1),
        ("10:15", 1),
    ]


def test_los_angeles_provider_is_three_hours_later_in_utc():
    weekly = [hours(MON, "09:00", "10:00"), hours(MON, "09:00", "10:00", provider=DR_WEST)]

    result = slots(weekly, providers=[DR_LEE, DR_WEST])
    first = {slot.provider_id: slot.start for slot in reversed(result)}

    assert first == {DR_LEE.id: utc(2026, 6, 15, 13), DR_WEST.id: utc(2026, 6, 15, 16)}
    assert first[DR_WEST.id] - first[DR_LEE.id] == dt.timedelta(hours=3)


def test_group_by_local_day_uses_the_patients_zone():
    # 18:00-21:00 New York is 23:00-02:00 in London: one provider day, two patient days.
    result = slots([hours(MON, "18:00", "21:00")])

    in_new_york = group_by_local_day(result, NY)
    in_london = group_by_local_day(result, "Europe/London")

    assert list(in_new_york) == [MONDAY]
    assert list(in_london) == [MONDAY, dt.date(2026, 6, 16)]
    assert local_starts(in_london[MONDAY], "Europe/London") == clock_range("23:00", "23:45")
    assert local_starts(in_london[dt.date(2026, 6, 16)], "Europe/London") == [
        "00:00",
        "00:15",
        "00:30",
        "00:45",
        "01:00",
        "01:15",
    ]
    assert all(slot.start.tzinfo is UTC for day in in_london.values() for slot in day)


# ------------------------------------------------------------------ DST


def first_start(weekly, date):
    return slots(weekly, first=date)[0].start


def test_spring_forward_nine_oclock_is_an_hour_earlier_in_utc():
    weekly = [hours(SAT, "09:00", "10:00"), hours(SUN, "09:00", "10:00")]

    assert first_start(weekly, dt.date(2026, 3, 7)) == utc(2026, 3, 7, 14)  # EST, UTC-5
    assert first_start(weekly, dt.date(2026, 3, 8)) == utc(2026, 3, 8, 13)  # EDT, UTC-4


def test_fall_back_nine_oclock_is_an_hour_later_in_utc():
    weekly = [hours(SAT, "09:00", "10:00"), hours(SUN, "09:00", "10:00")]

    assert first_start(weekly, dt.date(2026, 10, 31)) == utc(2026, 10, 31, 13)  # EDT
    assert first_start(weekly, dt.date(2026, 11, 1)) == utc(2026, 11, 1, 14)  # EST


def test_spring_forward_no_slot_crosses_the_missing_hour():
    spring = dt.date(2026, 3, 8)

    result = slots([hours(SUN, "01:00", "04:00")], first=spring)

    # 01:00 EST (06:00Z) ends 01:45 EST: offered. 01:15-01:45 EST would end at or after the
    # jump to EDT: not offered. After the gap the wall clock resumes at 03:00 EDT (07:00Z).
    assert [slot.start for slot in result] == [
        utc(2026, 3, 8, 6, 0),
        utc(2026, 3, 8, 7, 0),
        utc(2026, 3, 8, 7, 15),
    ]
    assert ny(spring, "01:30").astimezone(UTC) not in {slot.start for slot in result}
    assert local_starts(result) == ["01:00", "03:00", "03:15"]


def test_fall_back_no_slot_straddles_the_repeated_hour():
    fall = dt.date(2026, 11, 1)
    zone = ZoneInfo(NY)

    result = slots([hours(SUN, "00:30", "03:00")], first=fall)

    assert [slot.start for slot in result] == [
        utc(2026, 11, 1, 4, 30),  # 00:30 EDT
        utc(2026, 11, 1, 4, 45),
        utc(2026, 11, 1, 5, 0),  # 01:00 EDT, ends 01:45 EDT
        utc(2026, 11, 1, 6, 0),  # 01:00 EST, the repeated hour
        utc(2026, 11, 1, 6, 15),
        utc(2026, 11, 1, 6, 30),
        utc(2026, 11, 1, 6, 45),
        utc(2026, 11, 1, 7, 0),
        utc(2026, 11, 1, 7, 15),  # 02:15 EST, ends 03:00 EST
    ]
    assert all(
        slot.start.astimezone(zone).utcoffset() == slot.end.astimezone(zone).utcoffset()
        for slot in result
    )


def test_a_bound_in_the_spring_gap_is_read_with_fold_0():
    # 02:30 does not exist on 2026-03-08; fold=0 reads it with EST, i.e. 03:30 EDT.
    result = slots([hours(SUN, "02:30", "05:00")], first=dt.date(2026, 3, 8))

    assert result[0].start == utc(2026, 3, 8, 7, 30)
    assert local_starts(result) == ["03:30", "03:45", "04:00", "04:15"]


# ------------------------------------------------------------------ changed hours


def test_appointments_outside_hours_after_hours_shrink():
    new_hours = [hours(MON, "09:00", "12:00"), hours(MON, "09:00", "17:00", provider=DR_PATEL)]
    next_monday = dt.date(2026, 6, 22)
    overrides = [OverrideSpec("time_off", next_monday, DR_LEE.id, t("10:00"), t("11:00"))]
    appointments = [
        (101, DR_LEE.id, ny(MONDAY, "09:00"), ny(MONDAY, "09:45")),  # inside
        (102, DR_LEE.id, ny(MONDAY, "11:30"), ny(MONDAY, "12:15")),  # runs past 12:00
        (103, DR_LEE.id, ny(MONDAY, "14:00"), ny(MONDAY, "14:45")),  # afternoon is gone
        (104, 99, ny(MONDAY, "09:00"), ny(MONDAY, "09:45")),  # unknown provider
        (105, DR_LEE.id, ny(MONDAY, "11:15"), ny(MONDAY, "12:00")),  # ends exactly at 12:00
        (106, DR_PATEL.id, ny(MONDAY, "14:00"), ny(MONDAY, "14:45")),  # other provider, fine
        (107, DR_LEE.id, ny(next_monday, "10:15"), ny(next_monday, "11:00")),  # time off
        (108, DR_LEE.id, ny(next_monday, "09:00"), ny(next_monday, "09:45")),  # fine
        (109, DR_LEE.id, ny(dt.date(2026, 6, 16), "09:00"), ny(dt.date(2026, 6, 16), "09:45")),
    ]

    outside = appointments_outside_hours(appointments, [DR_LEE, DR_PATEL], new_hours, overrides, NY)

    assert outside == [102, 103, 104, 107, 109]


def test_appointments_outside_hours_on_a_closure_day():
    closure = [OverrideSpec("closure", MONDAY)]
    appointments = [(201, DR_LEE.id, ny(MONDAY, "09:00"), ny(MONDAY, "09:45"))]

    assert appointments_outside_hours(
        appointments, [DR_LEE], [hours(MON, "09:00", "12:00")], closure, NY
    ) == [201]


def test_slots_are_plain_frozen_values():
    slot = Slot(1, utc(2026, 6, 15, 13), utc(2026, 6, 15, 13, 45))

    assert slot == Slot(1, utc(2026, 6, 15, 13), utc(2026, 6, 15, 13, 45))
    with pytest.raises(AttributeError):
        slot.start = utc(2026, 6, 15, 14)  # type: ignore[misc]


# ------------------------------------------------------------------ date ranges


def test_a_range_of_time_off_closes_every_date_in_it_and_no_other():
    weekdays = [hours(day, "09:00", "10:00") for day in range(5)]
    vacation = [OverrideSpec("time_off", MONDAY, DR_LEE.id, end_date=MONDAY + dt.timedelta(11))]
    result = slots(
        weekdays, first=MONDAY - dt.timedelta(3), last=MONDAY + dt.timedelta(14), overrides=vacation
    )
    days = sorted({s.start.astimezone(ZoneInfo(NY)).date() for s in result})
    assert days == [dt.date(2026, 6, 12), dt.date(2026, 6, 29)]  # the Friday before, after


def test_a_range_with_times_applies_them_on_each_date():
    afternoons_off = [
        OverrideSpec(
            "time_off", MONDAY, DR_LEE.id, t("09:45"), t("12:00"), MONDAY + dt.timedelta(1)
        )
    ]
    weekdays = [
        hours(MON, "09:00", "12:00"),
        hours(1, "09:00", "12:00"),
        hours(2, "09:00", "10:00"),
    ]
    result = slots(weekdays, last=MONDAY + dt.timedelta(2), overrides=afternoons_off)
    by_day = group_by_local_day(result, NY)
    assert [local_starts(by_day[MONDAY + dt.timedelta(d)]) for d in range(3)] == [
        ["09:00"],
        ["09:00"],
        ["09:00", "09:15"],
    ]


def test_a_clinic_closure_range_closes_everyone():
    closure = [OverrideSpec("closure", MONDAY, end_date=MONDAY + dt.timedelta(2))]
    weekly = [hours(d, "09:00", "10:00", provider=p) for d in range(4) for p in (DR_LEE, DR_WEST)]
    result = slots(
        weekly, providers=[DR_LEE, DR_WEST], last=MONDAY + dt.timedelta(3), overrides=closure
    )
    assert {s.start.astimezone(ZoneInfo(NY)).date() for s in result} == {dt.date(2026, 6, 18)}


def test_a_range_ending_before_it_starts_is_refused():
    backwards = [OverrideSpec("time_off", MONDAY, DR_LEE.id, end_date=MONDAY - dt.timedelta(1))]
    with pytest.raises(ValueError, match="ends before it starts"):
        slots([hours(MON, "09:00", "12:00")], overrides=backwards)


def test_appointments_in_a_new_time_off_or_closure():
    tuesday, friday = MONDAY + dt.timedelta(1), MONDAY + dt.timedelta(4)
    appointments = [
        (1, DR_LEE.id, ny(MONDAY, "09:00"), ny(MONDAY, "09:45")),  # before the range
        (2, DR_LEE.id, ny(tuesday, "09:00"), ny(tuesday, "09:45")),  # in it
        (3, DR_PATEL.id, ny(tuesday, "09:00"), ny(tuesday, "09:45")),  # someone else
        (4, DR_LEE.id, ny(friday, "11:30"), ny(friday, "12:15")),  # overlaps the last morning
        (5, DR_LEE.id, ny(friday, "12:00"), ny(friday, "12:45")),  # starts as it ends
    ]
    mornings = OverrideSpec("time_off", tuesday, DR_LEE.id, t("08:00"), t("12:00"), friday)
    providers = [DR_LEE, DR_PATEL]
    assert appointments_in_override(mornings, appointments, providers, NY) == [2, 4]
    closure = OverrideSpec("closure", tuesday, end_date=tuesday)
    assert appointments_in_override(closure, appointments, providers, NY) == [2, 3]
    extra = OverrideSpec("extra_hours", tuesday, DR_LEE.id, t("08:00"), t("12:00"), friday)
    assert appointments_in_override(extra, appointments, providers, NY) == []


# ------------------------------------------------------------------ working_intervals


def _each_alone(providers, first, last, hours, overrides):
    """working_intervals' answer worked out provider by provider, day by day."""
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    out = {}
    for p in providers:
        merged = []
        for start, end in sorted(
            i for day in days for i in day_intervals(p, day, hours, overrides, NY)
        ):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        out[p.id] = merged
    return out


@pytest.mark.parametrize(
    "first", [dt.date(2026, 3, 5), dt.date(2026, 10, 29), dt.date(2026, 6, 12)]
)
def test_working_intervals_of_providers_with_the_same_hours_are_each_their_own(first):
    """Providers with the same weekly hours share one answer only where it is the same:
    not across zones, validity ranges or a nearby time off or closure (DST weeks too:
    2026-03-08 and 2026-11-01 fall in the first two windows)."""
    last = first + dt.timedelta(days=8)
    same = [ProviderSpec(id=n, time_zone=NY) for n in (1, 2, 3)]
    west, ranged, off = ProviderSpec(4, LA), ProviderSpec(5, NY), ProviderSpec(6, NY)
    providers = [*same, west, ranged, off]
    hours = [
        WorkingHoursSpec(p.id, day, t(start), t(end))
        for p in [*same, west, off]
        for day in range(7)
        for start, end in (("01:30", "02:30"), ("09:00", "12:00"), ("12:00", "17:00"))
    ]
    # Dr 5's hours change halfway through the window.
    hours += [
        WorkingHoursSpec(5, day, t("09:00"), t("17:00"), valid_to=first + dt.timedelta(days=3))
        for day in range(7)
    ] + [
        WorkingHoursSpec(5, day, t("22:00"), t("23:30"), valid_from=first + dt.timedelta(days=4))
        for day in range(7)
    ]
    overrides = [
        # Across the provider's midnight, in another zone than the clinic's.
        OverrideSpec(TIME_OFF, first + dt.timedelta(days=2), 6, t("00:00"), t("10:00")),
        OverrideSpec(CLOSURE, first + dt.timedelta(days=6), None, t("23:00"), t("23:59")),
    ]
    got = working_intervals(providers, first, last, hours, overrides, NY)
    assert got == _each_alone(providers, first, last, hours, overrides)
    assert list(got) == [p.id for p in providers]
    # Each provider's list is its own: changing one leaves the others as they were.
    got[1].clear()
    assert got[2] == _each_alone([same[1]], first, last, hours, overrides)[2] != []


def test_working_intervals_without_overrides_are_the_same_for_the_same_hours():
    first, last = dt.date(2026, 10, 31), dt.date(2026, 11, 2)  # fall back on the 1st
    providers = [ProviderSpec(1, NY), ProviderSpec(2, NY), ProviderSpec(3, LA)]
    hours = [
        WorkingHoursSpec(p.id, day, t("00:30"), t("03:00")) for p in providers for day in range(7)
    ]
    got = working_intervals(providers, first, last, hours, [], NY)
    assert got == _each_alone(providers, first, last, hours, [])
    assert got[1] == got[2] != got[3]
    # 00:30-03:00 on the fall-back Sunday is 3.5 real hours.
    sunday = [i for i in got[1] if i[0] == ny(dt.date(2026, 11, 1), "00:30")]
    assert [end - start for start, end in sunday] == [dt.timedelta(hours=3, minutes=30)]
