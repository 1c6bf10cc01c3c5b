"""free_slots and free_days against a slot-by-slot reading of the same rules (pure).

free_slots works bookings out as ranges of grid starts and tests the DST rule once an
interval; free_days groups the same slots by the patient's day without making them. Both
must give exactly what testing every 15-minute start one by one gives: random weeks of
hours, time off, closures, bookings with buffers, notice and horizon, in several zones,
across both 2026 DST changes.
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from consultations.availability import (
    CLOSURE,
    EXTRA_HOURS,
    TIME_OFF,
    AppointmentTypeSpec,
    BusySpec,
    OverrideSpec,
    ProviderSpec,
    Slot,
    WorkingHoursSpec,
    conflicts,
    day_intervals,
    free_days,
    free_slots,
    group_by_local_day,
)

UTC = dt.UTC
ZONES = ("America/New_York", "America/Los_Angeles", "Europe/London", "Asia/Kolkata")
STEP = dt.timedelta(minutes=15)


def reference_slots(*, appointment_type, providers, working_hours, overrides, busy, **kw):
    """Every grid start tested one by one, with the public pieces of the rules."""
    kind = appointment_type
    busy = [b for b in busy if b.start < b.end]  # an empty block holds no time
    earliest, latest = kw["now"] + kind.min_notice, kw["now"] + kind.horizon
    out = []
    for provider in providers:
        zone = ZoneInfo(provider.time_zone)
        day = kw["start_date"]
        while day <= kw["end_date"]:
            for open_start, open_end in day_intervals(
                provider, day, working_hours, overrides, kw["clinic_time_zone"]
            ):
                start = open_start
                while start + kind.duration <= open_end and start <= latest:
                    end = start + kind.duration
                    same = start.astimezone(zone).utcoffset() == end.astimezone(zone).utcoffset()
                    taken = conflicts(
                        start - kind.buffer_before, end + kind.buffer_after, busy, provider.id
                    )
                    if start >= earliest and same and not taken:
                        out.append(Slot(provider.id, start, end))
                    start += STEP
            day += dt.timedelta(days=1)
    return sorted(out, key=lambda s: (s.start, s.provider_id))


def _clock(rng, low=0, high=23):
    return dt.time(rng.randint(low, high), rng.choice((0, 10, 15, 30, 45)))


def _world(seed: int) -> dict:
    rng = random.Random(seed)
    first = rng.choice(
        [dt.date(2026, 3, 5), dt.date(2026, 6, 15), dt.date(2026, 10, 29), dt.date(2026, 3, 26)]
    )
    last = first + dt.timedelta(days=rng.randint(0, 6))
    providers = [ProviderSpec(i, rng.choice(ZONES)) for i in range(1, rng.randint(2, 4))]
    hours = []
    for p in providers:
        for weekday in range(7):
            for _ in range(rng.randint(0, 2)):
                start = _clock(rng, 0, 21)
                end = (
                    dt.datetime.combine(first, start) + dt.timedelta(minutes=rng.randint(30, 240))
                ).time()
                if end > start:
                    hours.append(WorkingHoursSpec(p.id, weekday, start, end))
        if rng.random() < 0.3:  # the US spring-forward night, worked through
            hours.append(WorkingHoursSpec(p.id, 6, dt.time(0), dt.time(23, 45)))
    overrides = []
    for _ in range(rng.randint(0, 3)):
        day = first + dt.timedelta(days=rng.randint(0, 6))
        kind = rng.choice((TIME_OFF, EXTRA_HOURS, CLOSURE))
        provider = rng.choice(providers).id if kind != CLOSURE else None
        if rng.random() < 0.3 and kind != EXTRA_HOURS:
            overrides.append(OverrideSpec(kind, day, provider))
        else:
            start = _clock(rng, 0, 20)
            end = (
                dt.datetime.combine(day, start) + dt.timedelta(minutes=rng.randint(15, 180))
            ).time()
            if end > start:
                overrides.append(OverrideSpec(kind, day, provider, start, end))
    busy = []
    for _ in range(rng.randint(0, 25)):
        p = rng.choice(providers)
        start = dt.datetime.combine(
            first + dt.timedelta(days=rng.randint(-1, 7)), _clock(rng), ZoneInfo(p.time_zone)
        ).astimezone(UTC) + dt.timedelta(minutes=rng.choice((0, 5, 7)))
        length = dt.timedelta(minutes=rng.choice((0, 15, 20, 45, 60, 90)))
        busy.append(BusySpec(p.id, start, start + length))
    kind = AppointmentTypeSpec(
        id=1,
        duration=dt.timedelta(minutes=rng.choice((15, 20, 45, 60, 100))),
        buffer_before=dt.timedelta(minutes=rng.choice((0, 0, 5, 15))),
        buffer_after=dt.timedelta(minutes=rng.choice((0, 10, 15))),
        min_notice=dt.timedelta(hours=rng.choice((0, 24, 48))),
        horizon=dt.timedelta(days=rng.choice((3, 60))),
    )
    now = dt.datetime.combine(first - dt.timedelta(days=rng.randint(0, 2)), _clock(rng), UTC)
    return {
        "appointment_type": kind,
        "providers": providers,
        "working_hours": hours,
        "overrides": overrides,
        "busy": busy,
        "start_date": first,
        "end_date": last,
        "now": now,
        "clinic_time_zone": "America/New_York",
    }


@pytest.mark.parametrize("seed", range(150))
def test_free_slots_are_the_starts_tested_one_by_one(seed):
    world = _world(seed)
    assert free_slots(**world) == reference_slots(**world)


@pytest.mark.parametrize("seed", range(150))
def test_free_days_count_and_list_each_day_as_the_grouped_slots_do(seed):
    world = _world(seed)
    zone = random.Random(seed).choice(ZONES)
    grouped = group_by_local_day(free_slots(**world), zone)
    days = free_days(time_zone=zone, **world)
    assert days.days == sorted(grouped)
    for day, slots in grouped.items():
        assert day in days
        assert days.slots(day) == slots
        assert days.count(day) == len({s.start for s in slots})
        first: dict = {}
        for slot in slots:  # in (start, provider) order: the first at a time takes it
            first.setdefault(slot.start, slot)
        assert days.first_slots(day) == list(first.values())
    assert days.counts() == {day: len({s.start for s in s_}) for day, s_ in grouped.items()}


def test_a_day_without_slots_counts_none_and_lists_none():
    world = _world(0)
    days = free_days(time_zone="America/New_York", **world)
    assert dt.date(2030, 1, 1) not in days
    assert days.count(dt.date(2030, 1, 1)) == 0
    assert days.slots(dt.date(2030, 1, 1)) == []
