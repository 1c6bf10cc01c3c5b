"""Free appointment slots from working hours, overrides and existing bookings (pure).

The selector loads hours, overrides, bookings and chair occupancy in a fixed number of
queries and hands them here as the frozen specs below; nothing in this module touches the
ORM or the clock (`now` is an argument), so the calendar arithmetic is tested with literals.

Time rules, in one place:
- Working hours and overrides are wall-clock times in the provider's zone (a part-day
  closure: the clinic's zone). Each bound is made aware with zoneinfo and converted to UTC
  before any set arithmetic, so a DST day is just an interval of 23 or 25 real hours.
- A wall time that does not exist (spring-forward gap, 02:00-03:00 in New York) is read
  as zoneinfo reads it with fold=0, i.e. with the offset in force before the jump: 02:30
  means 03:30 EDT. A repeated wall time (fall-back) means its first occurrence.
- Candidate starts step in real time from each interval's start. A slot whose start and
  end have different UTC offsets straddles a transition and is never offered: its
  wall-clock length would not match the booked duration.
- All intervals are half-open [start, end): back-to-back bookings that touch are fine.

Infusions (types that use a chair) hold one individual chair from their start to the end
of their recovery. That whole chair window must lie inside the opening hours of the
chair's location (clinic wall time, clinic closures applied) and inside the time a
supervising clinician is on duty. The booked provider's own block follows the ordinary
rules (their hours, buffers); supervision is the union of the working time (time off and
closures applied) of every active provider marked `supervises_infusions`, the booked one
included if marked. Why any supervisor and not only the booked one: the booked clinician
starts the infusion, but recovery is watched by whoever supervises the chairs, and clinics
hand that over between clinicians during the day. Being busy with another patient does not
take a supervisor off duty; time off and closures do.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = dt.UTC
TIME_OFF = "time_off"
EXTRA_HOURS = "extra_hours"
CLOSURE = "closure"
OVERRIDE_KINDS = (TIME_OFF, EXTRA_HOURS, CLOSURE)

Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class AppointmentTypeSpec:
    id: int
    duration: dt.timedelta
    buffer_before: dt.timedelta = dt.timedelta(0)
    buffer_after: dt.timedelta = dt.timedelta(0)
    min_notice: dt.timedelta = dt.timedelta(0)
    horizon: dt.timedelta = dt.timedelta(days=60)
    uses_chair: bool = False
    # Recovery: the chair stays occupied after the appointment ends.
    chair_time_after: dt.timedelta = dt.timedelta(0)


@dataclass(frozen=True)
class ProviderSpec:
    id: int
    time_zone: str  # IANA, e.g. "America/New_York"


@dataclass(frozen=True)
class WorkingHoursSpec:
    provider_id: int
    weekday: int  # 0 = Monday ... 6 = Sunday
    start: dt.time  # local wall time in the provider's zone
    end: dt.time
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None  # inclusive


@dataclass(frozen=True)
class OverrideSpec:
    """Time off, extra hours or a closure on every local date from start_date to end_date."""

    kind: str  # "time_off" | "extra_hours" | "closure"
    start_date: dt.date  # local date (provider's zone; closure: compared with the provider's date)
    provider_id: int | None = None  # None only for "closure" (clinic-wide)
    start: dt.time | None = None  # None + None = the whole day; else these times each date
    end: dt.time | None = None
    end_date: dt.date | None = None  # the last date included; None means start_date only

    @property
    def last_date(self) -> dt.date:
        return self.start_date if self.end_date is None else self.end_date

    def covers(self, date: dt.date) -> bool:
        return self.start_date <= date <= self.last_date


@dataclass(frozen=True)
class BusySpec:
    provider_id: int | None  # None for chair-only occupancy rows
    start: dt.datetime  # aware; the appointment's block INCLUDING its own buffers
    end: dt.datetime
    uses_chair: bool = False
    chair_start: dt.datetime | None = None  # aware; appointment start .. end + recovery
    chair_end: dt.datetime | None = None
    # The chair held; None on an old row never given one (it then fills "some" chair).
    chair_id: int | None = None


@dataclass(frozen=True)
class ChairSpec:
    """One active infusion chair; chairs are tried in the order given."""

    id: int
    location_id: int


@dataclass(frozen=True)
class OpeningHoursSpec:
    location_id: int
    weekday: int  # 0 = Monday ... 6 = Sunday
    start: dt.time  # clinic wall time
    end: dt.time


# Why an infusion cannot go at a time (place_infusion); "" when a chair was found.
CLOSED = "closed"
UNSUPERVISED = "unsupervised"
NO_CHAIR = "no_chair"


@dataclass(frozen=True)
class Placement:
    chair_id: int | None
    refusal: str = ""


@dataclass(frozen=True)
class Slot:
    provider_id: int
    start: dt.datetime  # aware, UTC
    end: dt.datetime  # aware, UTC (start + duration)


# --------------------------------------------------------------------------- intervals


def _at(date: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    # fold=0 pins the documented reading of gap and repeated wall times.
    local = dt.datetime.combine(date, time.replace(tzinfo=None, fold=0), tzinfo=zone)
    return local.astimezone(UTC)


def _wall_interval(
    date: dt.date, start: dt.time | None, end: dt.time | None, zone: ZoneInfo
) -> Interval:
    if start is None and end is None:
        return _at(date, dt.time(0), zone), _at(date + dt.timedelta(days=1), dt.time(0), zone)
    if start is None or end is None:
        raise ValueError(f"{date}: give both start and end, or neither for the whole day")
    # Models enforce start < end; a reversed row is a data bug, and guessing "overnight"
    # could offer (or hide) hours nobody intended.
    if end <= start:
        raise ValueError(f"{date}: end {end} is not after start {start}")
    return _at(date, start, zone), _at(date, end, zone)


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted union; touching intervals join so a slot may span 12:00 in 9-12 + 12-13."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract(intervals: list[Interval], cuts: Iterable[Interval]) -> list[Interval]:
    """What is left of the intervals once every cut is taken out (the planner uses it too)."""
    for cut_start, cut_end in cuts:
        remaining: list[Interval] = []
        for start, end in intervals:
            if cut_end <= start or end <= cut_start:
                remaining.append((start, end))
                continue
            if start < cut_start:
                remaining.append((start, cut_start))
            if cut_end < end:
                remaining.append((cut_end, end))
        intervals = remaining
    return intervals


def _dates(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    for offset in range((last - first).days + 1):
        yield first + dt.timedelta(days=offset)


class _Schedule:
    """Hours and overrides indexed once, so each (provider, day) looks at its own rows."""

    def __init__(self, working_hours, overrides, clinic_time_zone: str):
        self.clinic_zone = ZoneInfo(clinic_time_zone)
        self.hours: dict[tuple[int, int], list[WorkingHoursSpec]] = defaultdict(list)
        for hours in working_hours:
            self.hours[(hours.provider_id, hours.weekday)].append(hours)
        self._overrides: list[OverrideSpec] = []
        for override in overrides:
            if override.kind not in OVERRIDE_KINDS:
                # Fail loudly: an unknown kind silently ignored might be a time off.
                raise ValueError(f"unknown override kind {override.kind!r}")
            if override.last_date < override.start_date:
                raise ValueError(f"{override}: the range ends before it starts")
            self._overrides.append(override)
        self._on: dict[dt.date, list[OverrideSpec]] = {}

    def overrides_on(self, date: dt.date) -> list[OverrideSpec]:
        """The entries whose range includes `date` (a range is one row, however long)."""
        if date not in self._on:
            self._on[date] = [o for o in self._overrides if o.covers(date)]
        return self._on[date]

    def intervals(self, provider: ProviderSpec, date: dt.date) -> list[Interval]:
        zone = ZoneInfo(provider.time_zone)
        opening: list[Interval] = [
            _wall_interval(date, hours.start, hours.end, zone)
            for hours in self.hours.get((provider.id, date.weekday()), ())
            if (hours.valid_from is None or hours.valid_from <= date)
            and (hours.valid_to is None or date <= hours.valid_to)
        ]
        cuts: list[Interval] = []
        for override in self.overrides_on(date):
            whole_day = override.start is None and override.end is None
            if override.kind == CLOSURE:
                if whole_day:
                    return []
                continue  # part-day closures are handled below, in the clinic's zone
            # A time off without a provider is read as clinic-wide (fail closed); extra
            # hours must name who works them.
            if override.provider_id != provider.id and not (
                override.kind == TIME_OFF and override.provider_id is None
            ):
                continue
            if override.kind == TIME_OFF and whole_day:
                return []
            interval = _wall_interval(date, override.start, override.end, zone)
            (opening if override.kind == EXTRA_HOURS else cuts).append(interval)
        # A part-day closure is a clinic-zone interval; for a provider in another zone it
        # may fall on the neighbouring local date, so look one day either side.
        for near in (date - dt.timedelta(days=1), date, date + dt.timedelta(days=1)):
            for override in self.overrides_on(near):
                if override.kind == CLOSURE and override.start is not None:
                    cuts.append(
                        _wall_interval(near, override.start, override.end, self.clinic_zone)
                    )
        return _merge(subtract(_merge(opening), cuts))


def day_intervals(
    provider: ProviderSpec,
    date: dt.date,
    working_hours: Iterable[WorkingHoursSpec],
    overrides: Iterable[OverrideSpec],
    clinic_time_zone: str,
) -> list[Interval]:
    """The provider's working intervals on their local `date`, merged, as aware UTC."""
    return _Schedule(working_hours, overrides, clinic_time_zone).intervals(provider, date)


# --------------------------------------------------------------------------- bookings


class _Timeline:
    """Busy blocks sorted by start with a running max of ends: overlap test in O(log n)."""

    def __init__(self, blocks: Iterable[Interval]):
        ordered = sorted((s.astimezone(UTC), e.astimezone(UTC)) for s, e in blocks if s < e)
        self._starts = [start for start, _ in ordered]
        self._reach = list(itertools.accumulate((end for _, end in ordered), max))

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        begun = bisect.bisect_left(self._starts, end)  # blocks starting before `end`
        return begun > 0 and self._reach[begun - 1] > start


class _ChairLedger:
    """Counts chair windows overlapping [start, end) with two sorted lists."""

    def __init__(self, windows: Iterable[Interval]):
        windows = [(s.astimezone(UTC), e.astimezone(UTC)) for s, e in windows if s < e]
        self._starts = sorted(start for start, _ in windows)
        self._ends = sorted(end for _, end in windows)

    def count(self, start: dt.datetime, end: dt.datetime) -> int:
        # Windows that begin before `end`, less those already over by `start` (a subset).
        return bisect.bisect_left(self._starts, end) - bisect.bisect_right(self._ends, start)


def conflicts(
    block_start: dt.datetime, block_end: dt.datetime, busy: Iterable[BusySpec], provider_id: int
) -> bool:
    """Whether [block_start, block_end) overlaps any busy block of this provider."""
    return any(
        row.provider_id == provider_id and row.start < block_end and block_start < row.end
        for row in busy
    )


class _Chairs:
    """Individual chairs, their location's opening hours and who supervises, indexed once.

    A chair is free for a window when its location is open for all of it (clinic zone,
    clinic closures applied), no active infusion on that chair overlaps it, and a
    supervisor is on duty for all of it. Old rows without a chair take "some" chair: the
    window needs more free chairs than such rows overlapping it.
    """

    def __init__(
        self,
        *,
        chairs: Iterable[ChairSpec],
        opening_hours: Iterable[OpeningHoursSpec],
        supervisors: Iterable[ProviderSpec],
        busy: Iterable[BusySpec],
        schedule: _Schedule,
    ):
        self.chairs = list(chairs)
        self.schedule = schedule
        self.supervisors = list(supervisors)
        self.hours: dict[tuple[int, int], list[OpeningHoursSpec]] = defaultdict(list)
        for row in opening_hours:
            self.hours[(row.location_id, row.weekday)].append(row)
        held: dict[int, list[Interval]] = defaultdict(list)
        loose: list[Interval] = []
        for row in busy:
            if not row.uses_chair:
                continue
            window = (
                row.chair_start if row.chair_start is not None else row.start,
                row.chair_end if row.chair_end is not None else row.end,
            )
            (held[row.chair_id] if row.chair_id is not None else loose).append(window)
        self.timelines = {chair.id: _Timeline(held.get(chair.id, ())) for chair in self.chairs}
        self.loose = _ChairLedger(loose)
        self._open: dict[tuple[int, dt.date], list[Interval]] = {}
        self._duty: dict[dt.date, list[Interval]] = {}

    def _open_on(self, location_id: int, date: dt.date) -> list[Interval]:
        key = (location_id, date)
        if key not in self._open:
            zone = self.schedule.clinic_zone
            opening = [
                _wall_interval(date, row.start, row.end, zone)
                for row in self.hours.get((location_id, date.weekday()), ())
            ]
            cuts: list[Interval] = []
            for override in self.schedule.overrides_on(date):
                if override.kind != CLOSURE:
                    continue
                if override.start is None and override.end is None:
                    opening = []
                    break
                cuts.append(_wall_interval(date, override.start, override.end, zone))
            self._open[key] = _merge(subtract(_merge(opening), cuts))
        return self._open[key]

    def _local_dates(self, start: dt.datetime, end: dt.datetime) -> Iterator[dt.date]:
        zone = self.schedule.clinic_zone
        return _dates(start.astimezone(zone).date(), end.astimezone(zone).date())

    def is_open(self, location_id: int, start: dt.datetime, end: dt.datetime) -> bool:
        merged = _merge(
            iv for date in self._local_dates(start, end) for iv in self._open_on(location_id, date)
        )
        return any(s <= start and end <= e for s, e in merged)

    def _duty_near(self, date: dt.date) -> list[Interval]:
        # Supervisors may work in other zones: their local dates a day either side.
        if date not in self._duty:
            self._duty[date] = _merge(
                iv
                for supervisor in self.supervisors
                for near in _dates(date - dt.timedelta(days=1), date + dt.timedelta(days=1))
                for iv in self.schedule.intervals(supervisor, near)
            )
        return self._duty[date]

    def is_supervised(self, start: dt.datetime, end: dt.datetime) -> bool:
        merged = _merge(
            iv for date in self._local_dates(start, end) for iv in self._duty_near(date)
        )
        return any(s <= start and end <= e for s, e in merged)

    def place(self, start: dt.datetime, end: dt.datetime) -> Placement:
        """The first chair free for [start, end), or why there is none."""
        locations = {c.location_id for c in self.chairs}
        is_open = {loc: self.is_open(loc, start, end) for loc in locations}
        open_chairs = [c for c in self.chairs if is_open[c.location_id]]
        if not open_chairs:
            return Placement(None, CLOSED)
        if not self.is_supervised(start, end):
            return Placement(None, UNSUPERVISED)
        free = [c for c in open_chairs if not self.timelines[c.id].overlaps(start, end)]
        if len(free) <= self.loose.count(start, end):
            return Placement(None, NO_CHAIR)
        return Placement(free[0].id)


def place_infusion(
    window_start: dt.datetime,
    window_end: dt.datetime,
    *,
    chairs: Iterable[ChairSpec],
    opening_hours: Iterable[OpeningHoursSpec],
    supervisors: Iterable[ProviderSpec],
    working_hours: Iterable[WorkingHoursSpec],
    overrides: Iterable[OverrideSpec],
    busy: Iterable[BusySpec],
    clinic_time_zone: str,
) -> Placement:
    """Which chair an infusion holding [window_start, window_end) (recovery included) gets:
    the first free one at an open location while a supervisor is on duty, else the reason."""
    if window_start.utcoffset() is None or window_end <= window_start:
        raise ValueError("give an aware, non-empty chair window")
    schedule = _Schedule(working_hours, overrides, clinic_time_zone)
    ledger = _Chairs(
        chairs=chairs,
        opening_hours=opening_hours,
        supervisors=supervisors,
        busy=busy,
        schedule=schedule,
    )
    return ledger.place(window_start.astimezone(UTC), window_end.astimezone(UTC))


# --------------------------------------------------------------------------- slots


def _grid(
    first: dt.datetime, last: dt.datetime, earliest: dt.datetime, latest: dt.datetime, step
) -> Iterator[dt.datetime]:
    """Starts first, first + step, ... (real time) within [earliest, latest] and <= last."""
    start = first
    if earliest > start:  # jump to the first grid point on or after the notice
        start += -(-(earliest - start) // step) * step
    while start <= last and start <= latest:
        yield start
        start += step


def _same_offset(start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> bool:
    # Different offsets mean the slot straddles a DST change: its wall-clock length
    # would not be its duration, so it is not offered.
    return start.astimezone(zone).utcoffset() == end.astimezone(zone).utcoffset()


def free_slots(
    *,
    appointment_type: AppointmentTypeSpec,
    providers: Iterable[ProviderSpec],
    working_hours: Iterable[WorkingHoursSpec],
    overrides: Iterable[OverrideSpec],
    busy: Sequence[BusySpec],
    start_date: dt.date,
    end_date: dt.date,
    now: dt.datetime,
    clinic_time_zone: str = "America/New_York",
    chairs: Iterable[ChairSpec] = (),
    opening_hours: Iterable[OpeningHoursSpec] = (),
    supervisors: Iterable[ProviderSpec] = (),
    step: dt.timedelta = dt.timedelta(minutes=15),
) -> list[Slot]:
    """Bookable slots for local dates start_date..end_date, sorted by (start, provider_id).

    For a type that uses a chair, `working_hours` also holds the supervisors' hours."""
    kind = appointment_type
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if step <= dt.timedelta(0) or kind.duration <= dt.timedelta(0):
        raise ValueError("step and duration must be positive")
    chairs = list(chairs)
    if kind.uses_chair and not chairs:
        return []
    earliest = (now + kind.min_notice).astimezone(UTC)
    latest = (now + kind.horizon).astimezone(UTC)
    schedule = _Schedule(working_hours, overrides, clinic_time_zone)

    blocks: dict[int, list[Interval]] = defaultdict(list)
    for row in busy:
        if row.provider_id is not None:
            blocks[row.provider_id].append((row.start, row.end))
    ledger = (
        _Chairs(
            chairs=chairs,
            opening_hours=opening_hours,
            supervisors=supervisors,
            busy=busy,
            schedule=schedule,
        )
        if kind.uses_chair
        else None
    )

    slots: list[Slot] = []
    for provider in providers:
        zone = ZoneInfo(provider.time_zone)
        timeline = _Timeline(blocks.get(provider.id, ()))
        for date in _dates(start_date, end_date):
            for open_start, open_end in schedule.intervals(provider, date):
                for start in _grid(open_start, open_end - kind.duration, earliest, latest, step):
                    end = start + kind.duration
                    if not _same_offset(start, end, zone) or timeline.overlaps(
                        start - kind.buffer_before, end + kind.buffer_after
                    ):
                        continue
                    if ledger is not None:
                        chair_end = end + kind.chair_time_after
                        # Recovery across a DST change: the same rule as the slot itself.
                        if not _same_offset(start, chair_end, zone):
                            continue
                        if ledger.place(start, chair_end).chair_id is None:
                            continue
                    slots.append(Slot(provider.id, start, end))
    slots.sort(key=lambda slot: (slot.start, slot.provider_id))
    return slots


def group_by_local_day(slots: Iterable[Slot], time_zone: str) -> dict[dt.date, list[Slot]]:
    """Slots keyed by their local date in `time_zone` (the patient's), in time order."""
    zone = ZoneInfo(time_zone)
    days: dict[dt.date, list[Slot]] = {}
    for slot in sorted(slots, key=lambda slot: (slot.start, slot.provider_id)):
        days.setdefault(slot.start.astimezone(zone).date(), []).append(slot)
    return days


def appointments_outside_hours(
    appointments: Iterable[tuple[int, int, dt.datetime, dt.datetime]],
    providers: Iterable[ProviderSpec],
    working_hours: Iterable[WorkingHoursSpec],
    overrides: Iterable[OverrideSpec],
    clinic_time_zone: str,
) -> list[int]:
    """Ids (in input order) of (id, provider_id, start, end) bookings no longer inside hours.

    Used when an admin changes hours so existing bookings are surfaced, never silently
    dropped. A booking whose provider is unknown is reported too.
    """
    by_id = {provider.id: provider for provider in providers}
    schedule = _Schedule(working_hours, overrides, clinic_time_zone)
    outside: list[int] = []
    for appointment_id, provider_id, start, end in appointments:
        provider = by_id.get(provider_id)
        if provider is None:
            outside.append(appointment_id)
            continue
        zone = ZoneInfo(provider.time_zone)
        dates = _dates(start.astimezone(zone).date(), end.astimezone(zone).date())
        # Merge across days so a booking over midnight inside back-to-back hours fits.
        intervals = _merge(iv for date in dates for iv in schedule.intervals(provider, date))
        if not any(open_start <= start and end <= open_end for open_start, open_end in intervals):
            outside.append(appointment_id)
    return outside


def working_intervals(
    providers: Iterable[ProviderSpec],
    first: dt.date,
    last: dt.date,
    working_hours: Iterable[WorkingHoursSpec],
    overrides: Iterable[OverrideSpec],
    clinic_time_zone: str,
) -> dict[int, list[Interval]]:
    """Each provider's working time (overrides applied) over their local dates first..last,
    merged, as aware UTC: what a calendar shades as free before bookings are drawn on it."""
    schedule = _Schedule(working_hours, overrides, clinic_time_zone)
    return {
        p.id: _merge(iv for date in _dates(first, last) for iv in schedule.intervals(p, date))
        for p in providers
    }


def override_cuts(
    override: OverrideSpec,
    provider: ProviderSpec,
    clinic_time_zone: str,
    first: dt.date | None = None,
    last: dt.date | None = None,
):
    """The real-time intervals a time off or closure takes from this provider (may be empty),
    on the entry's dates (clipped to first..last when given).

    Read as `_Schedule` reads them: a whole-day entry covers the provider's local dates, a
    part-day time off the provider's wall times, a part-day closure the clinic's.
    """
    if override.kind == EXTRA_HOURS:
        return []
    if override.kind == TIME_OFF and override.provider_id not in (None, provider.id):
        return []
    whole_day = override.start is None and override.end is None
    zone = ZoneInfo(
        clinic_time_zone if override.kind == CLOSURE and not whole_day else provider.time_zone
    )
    start_date = override.start_date if first is None else max(first, override.start_date)
    last_date = override.last_date if last is None else min(last, override.last_date)
    return _merge(
        _wall_interval(date, override.start, override.end, zone)
        for date in _dates(start_date, last_date)
    )


def appointments_in_override(
    override: OverrideSpec,
    appointments: Iterable[tuple[int, int, dt.datetime, dt.datetime]],
    providers: Iterable[ProviderSpec],
    clinic_time_zone: str,
) -> list[int]:
    """Ids (in input order) of (id, provider_id, start, end) bookings a new time off or
    closure would fall on, so staff are warned before the booked patients are stranded."""
    by_id = {provider.id: provider for provider in providers}
    cuts = {
        provider_id: override_cuts(override, provider, clinic_time_zone)
        for provider_id, provider in by_id.items()
    }
    return [
        appointment_id
        for appointment_id, provider_id, start, end in appointments
        if any(s < end and start < e for s, e in cuts.get(provider_id, ()))
    ]


def infusions_outside_opening(
    infusions: Iterable[tuple[int, int, dt.datetime, dt.datetime]],
    opening_hours: Iterable[OpeningHoursSpec],
    overrides: Iterable[OverrideSpec],
    clinic_time_zone: str,
) -> list[int]:
    """Ids (in input order) of (id, location_id, start, chair_end) infusions whose chair
    time no longer lies inside their location's opening hours (closures applied)."""
    ledger = _Chairs(
        chairs=(),
        opening_hours=opening_hours,
        supervisors=(),
        busy=(),
        schedule=_Schedule((), overrides, clinic_time_zone),
    )
    return [
        infusion_id
        for infusion_id, location_id, start, end in infusions
        if not ledger.is_open(location_id, start.astimezone(UTC), end.astimezone(UTC))
    ]
