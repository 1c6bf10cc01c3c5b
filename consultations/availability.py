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
supervising clinician is on duty. The booked provider must be working for the infusion
itself, but an infusion takes no time from them: it holds a chair, not a clinician, so
one clinician may have infusions on several chairs at once and consultations meanwhile
(on PostgreSQL the provider exclusion constraint leaves rows with a chair out). Supervision
is the union of the working time (time off and closures applied) of every active provider
marked `supervises_infusions`, the booked one included if marked. Why any supervisor and
not only the booked one: recovery is watched by whoever supervises the chairs, and clinics
hand that over between clinicians during the day. Being busy with another patient does not
take a supervisor off duty; time off and closures do.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
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


class WorkingHoursSpec(NamedTuple):
    """A weekly working-hours row. A tuple, not a frozen dataclass (as BusySpec): the
    calendar and the picker make one a row, a hundred a request, and a frozen dataclass
    sets each of its six fields by a call of its own."""

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
    # What staff wrote ("Staff training"): the booking page names a closed day with it; no
    # rule here reads it.
    note: str = field(default="", compare=False)

    @property
    def last_date(self) -> dt.date:
        return self.start_date if self.end_date is None else self.end_date

    def covers(self, date: dt.date) -> bool:
        return self.start_date <= date <= self.last_date


class BusySpec(NamedTuple):
    """A booking's time. A tuple, not a frozen dataclass: the picker makes hundreds a
    request, and a frozen dataclass sets each of its seven fields by a call of its own."""

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


_DAY = dt.timedelta(days=1)


def _dates(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    for offset in range((last - first).days + 1):
        yield first + dt.timedelta(days=offset)


class _Schedule:
    """Hours and overrides indexed once, so each (provider, day) looks at its own rows."""

    def __init__(self, working_hours, overrides, clinic_time_zone: str):
        self.clinic_zone = ZoneInfo(clinic_time_zone)
        self.hours: dict[tuple[int, int], list[WorkingHoursSpec]] = defaultdict(list)
        # (provider, weekday) -> its hours as (start, end), when none has a validity range
        self._always: dict[tuple[int, int], tuple] = {}
        ranged = set()
        for hours in working_hours:
            key = (hours.provider_id, hours.weekday)
            self.hours[key].append(hours)
            if hours.valid_from is not None or hours.valid_to is not None:
                ranged.add(key)
            elif key not in ranged:
                self._always[key] = (*self._always.get(key, ()), (hours.start, hours.end))
        for key in ranged:
            self._always.pop(key, None)
        self._overrides: list[OverrideSpec] = []
        for override in overrides:
            if override.kind not in OVERRIDE_KINDS:
                # Fail loudly: an unknown kind silently ignored might be a time off.
                raise ValueError(f"unknown override kind {override.kind!r}")
            if override.last_date < override.start_date:
                raise ValueError(f"{override}: the range ends before it starts")
            self._overrides.append(override)
        self._on: dict[dt.date, list[OverrideSpec]] = {}
        self._walls: dict[tuple, Interval] = {}
        self._plain: dict[tuple, list[Interval]] = {}
        self._quiet: dict[dt.date, bool] = {}  # no override on the date or a day either side
        self._quiet_spans: dict[tuple | None, bool] = {}  # every date of a span (first, last)

    def _wall(self, date: dt.date, start, end, zone: ZoneInfo) -> Interval:
        # Providers mostly keep the same hours: each (date, hours, zone) is converted once.
        key = (date, start, end, zone)
        if key not in self._walls:
            self._walls[key] = _wall_interval(date, start, end, zone)
        return self._walls[key]

    def overrides_on(self, date: dt.date) -> list[OverrideSpec]:
        """The entries whose range includes `date` (a range is one row, however long)."""
        if date not in self._on:
            self._on[date] = [o for o in self._overrides if o.covers(date)]
        return self._on[date]

    def _is_quiet(self, date: dt.date) -> bool:
        """No override on the date or a day either side."""
        quiet = self._quiet.get(date)
        if quiet is None:
            quiet = self._quiet[date] = not (
                self.overrides_on(date - _DAY)
                or self.overrides_on(date)
                or self.overrides_on(date + _DAY)
            )
        return quiet

    def weekly(self, provider: ProviderSpec, dates: list[dt.date]) -> tuple | None:
        """What the provider's intervals on `dates` depend on, when that is only their zone
        and weekly hours (no validity range, no override near any of the dates): providers
        with the same answer have the same intervals. None otherwise."""
        span = (dates[0], dates[-1]) if dates else None
        if span not in self._quiet_spans:
            self._quiet_spans[span] = all(self._is_quiet(date) for date in dates)
        if not self._quiet_spans[span]:
            return None
        week = []
        for weekday in range(7):
            key = (provider.id, weekday)
            if key in self.hours and key not in self._always:
                return None
            week.append(self._always.get(key, ()))
        return (provider.time_zone, *week)

    def intervals(self, provider: ProviderSpec, date: dt.date) -> list[Interval]:
        # Called for every provider and day of a picker's window: the common case (hours
        # without a validity range, no override near) is dictionary look-ups.
        week_key = (provider.id, date.weekday())
        rows = self._always.get(week_key)
        if rows is None:
            rows = tuple(
                (hours.start, hours.end)
                for hours in self.hours.get(week_key, ())
                if (hours.valid_from is None or hours.valid_from <= date)
                and (hours.valid_to is None or date <= hours.valid_to)
            )
        if self._is_quiet(date):
            # Nothing overrides the hours near this date: providers keeping the same hours
            # in the same zone share one answer, worked out once.
            key = (date, provider.time_zone, rows)
            plain = self._plain.get(key)
            if plain is None:
                zone = ZoneInfo(provider.time_zone)
                plain = self._plain[key] = _merge(_wall_interval(date, s, e, zone) for s, e in rows)
            return plain
        zone = ZoneInfo(provider.time_zone)
        opening: list[Interval] = [self._wall(date, s, e, zone) for s, e in rows]
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


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
_US = dt.timedelta(microseconds=1)


def _us(moment: dt.datetime) -> int:
    """Microseconds since the epoch: the slot arithmetic below is on integers."""
    return (moment - _EPOCH) // _US


def _moment(us: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=us)


def _same_offset(start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> bool:
    # Different offsets mean the slot straddles a DST change: its wall-clock length
    # would not be its duration, so it is not offered.
    return start.astimezone(zone).utcoffset() == end.astimezone(zone).utcoffset()


def _forbidden(blocks: Iterable[Interval], kind: AppointmentTypeSpec) -> list[tuple[int, int]]:
    """The starts a provider's bookings rule out, as sorted, merged open intervals (µs).

    A start s is taken when its own block [s - buffer_before, s + duration + buffer_after)
    overlaps a booking [b0, b1), i.e. when b0 - duration - buffer_after < s < b1 +
    buffer_before. Open at both ends: a block that only touches a booking is free."""
    before = kind.buffer_before // _US
    after = (kind.duration + kind.buffer_after) // _US
    # As _us(), inline: a picker's bookings are hundreds of these a request.
    spans = sorted(
        ((s - _EPOCH) // _US - after, (e - _EPOCH) // _US + before) for s, e in blocks if s < e
    )
    merged: list[tuple[int, int]] = []
    for low, high in spans:
        if merged and low < merged[-1][1]:  # an end point itself is free: only overlap joins
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _free_indexes(
    base: int, step: int, first: int, last: int, forbidden: list[tuple[int, int]], highs
) -> Iterator[tuple[int, int]]:
    """Runs [i, j] (inclusive) of grid indexes first..last whose start base + k * step
    lies in no forbidden open interval (`highs`: the intervals' upper ends, for bisect)."""
    k = first
    at = bisect.bisect_right(highs, base + k * step)  # intervals wholly before the first start
    while k <= last and at < len(forbidden):
        low, high = forbidden[at]
        blocked_from = (low - base) // step + 1  # first k with start > low
        if blocked_from > last:
            break
        if blocked_from > k:
            yield k, blocked_from - 1
        k = max(k, -((base - high) // step))  # first k with start >= high
        at += 1
    if k <= last:
        yield k, last


_UNSEEN = object()  # an interval whose grid is not worked out yet


class _Run(NamedTuple):
    """Free starts first, first + step, ... (count of them, µs) of one provider."""

    provider_id: int
    first: int
    count: int


def _free_runs(
    *,
    appointment_type: AppointmentTypeSpec,
    providers: Iterable[ProviderSpec],
    working_hours: Iterable[WorkingHoursSpec],
    overrides: Iterable[OverrideSpec],
    busy: Sequence[BusySpec],
    start_date: dt.date,
    end_date: dt.date,
    now: dt.datetime,
    clinic_time_zone: str,
    chairs: Iterable[ChairSpec],
    opening_hours: Iterable[OpeningHoursSpec],
    supervisors: Iterable[ProviderSpec],
    step: dt.timedelta,
    day_zone: ZoneInfo | None = None,
) -> Iterator[tuple[dt.date | None, dt.datetime, dt.datetime, list[_Run]]]:
    """Every bookable start as runs on the step grid, by the working interval they lie in
    (unordered), with the interval's one local date in `day_zone` (None: the interval
    spans two, or no zone given). The rules are free_slots'; this is how they are worked
    out.

    Starts step in real time from each interval's start, from the notice on, to the
    horizon. Bookings are cut out as ranges of grid points rather than tested start by
    start, and the DST rule (start and end at the same UTC offset) is tested once for a
    whole interval: when its first start and last end (recovery included) have the same
    offset, so has every slot in it, as a zone does not change its offset twice inside one
    working interval (under a day). Only an interval with a change in it, and infusions
    (a chair to place), are tested start by start.
    """
    kind = appointment_type
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if step <= dt.timedelta(0) or kind.duration <= dt.timedelta(0):
        raise ValueError("step and duration must be positive")
    chairs = list(chairs)
    if kind.uses_chair and not chairs:
        return
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
    step_us, duration = step // _US, kind.duration
    grids: dict[tuple, tuple | None] = {}  # (open_start, open_end, zone) -> its grid
    dates = list(_dates(start_date, end_date))

    def grid(open_start, open_end, zone) -> tuple | None:
        """An interval's grid: base, first, last, one offset, its first and last start (µs);
        None without a bookable start. Providers with the same hours share it."""
        key = (open_start, open_end, zone)
        if key not in grids:
            last_start = min(open_end - duration, latest)
            if last_start < open_start or last_start < earliest:
                grids[key] = None
            else:
                base = _us(open_start)
                first = max(0, -(-(earliest - open_start) // step))
                last = (last_start - open_start) // step
                uniform = _same_offset(open_start, open_end, zone)
                lowest, highest = base + first * step_us, base + last * step_us
                grids[key] = (base, first, last, uniform, lowest, highest)
        return grids[key]

    days: dict[tuple, dt.date | None] = {}  # an interval's one date in day_zone, if one

    def day_of(open_start, open_end) -> dt.date | None:
        if day_zone is None:
            return None
        key = (open_start, open_end)
        if key not in days:
            day = open_start.astimezone(day_zone).date()
            days[key] = day if day == open_end.astimezone(day_zone).date() else None
        return days[key]

    # A provider's working intervals over the window, each with its grid and local date:
    # the same for every provider with the same weekly hours in the same zone, when no
    # override is near.
    windows: dict[tuple, list] = {}
    bisect_right = bisect.bisect_right
    for provider in providers:
        zone, provider_id = ZoneInfo(provider.time_zone), provider.id
        shared = schedule.weekly(provider, dates)
        found = windows.get(shared) if shared is not None else None
        if found is None:
            found = [
                (open_start, open_end, interval_grid, day_of(open_start, open_end))
                for date in dates
                for open_start, open_end in schedule.intervals(provider, date)
                if (interval_grid := grid(open_start, open_end, zone)) is not None
            ]
            if shared is not None:
                windows[shared] = found
        # An infusion holds a chair, not the clinician (the module docstring).
        forbidden = _forbidden(() if kind.uses_chair else blocks.get(provider_id, ()), kind)
        highs = [high for _, high in forbidden]
        booked = len(forbidden)
        for open_start, open_end, interval_grid, day in found:
            base, first, last, uniform, lowest, highest = interval_grid
            # Most intervals have no booking near: then every start in them is free (what
            # _free_indexes finds too, one bisect sooner).
            if booked:
                at = bisect_right(highs, lowest)
                near = at < booked and forbidden[at][0] < highest
            else:
                near = False
            if ledger is None and uniform and not near:
                if first <= last:
                    yield day, open_start, open_end, [_Run(provider_id, lowest, last - first + 1)]
                continue
            if near:
                indexes = _free_indexes(base, step_us, first, last, forbidden, highs)
            else:
                indexes = ((first, last),) if first <= last else ()
            if ledger is None and uniform:
                runs = [_Run(provider_id, base + i * step_us, j - i + 1) for i, j in indexes]
                if runs:
                    yield day, open_start, open_end, runs
                continue
            runs = []
            for i, j in indexes:
                for k in range(i, j + 1):
                    start = open_start + k * step
                    end = start + duration
                    if not _same_offset(start, end, zone):
                        continue
                    if ledger is not None:
                        chair_end = end + kind.chair_time_after
                        # Recovery across a DST change: the same rule as the slot itself.
                        if not _same_offset(start, chair_end, zone):
                            continue
                        if ledger.place(start, chair_end).chair_id is None:
                            continue
                    runs.append(_Run(provider_id, base + k * step_us, 1))
            if runs:
                yield day, open_start, open_end, runs


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
    runs = _free_runs(
        appointment_type=appointment_type,
        providers=providers,
        working_hours=working_hours,
        overrides=overrides,
        busy=busy,
        start_date=start_date,
        end_date=end_date,
        now=now,
        clinic_time_zone=clinic_time_zone,
        chairs=chairs,
        opening_hours=opening_hours,
        supervisors=supervisors,
        step=step,
    )
    step_us, duration = step // _US, appointment_type.duration
    slots = []
    for run in (run for _, _, _, interval_runs in runs for run in interval_runs):
        for k in range(run.count):
            start = _moment(run.first + k * step_us)
            slots.append(Slot(run.provider_id, start, start + duration))
    slots.sort(key=lambda slot: (slot.start, slot.provider_id))
    return slots


class FreeDays:
    """Free slots by the patient's local day, worked out only as far as a page asks.

    What the booking picker shows is a count of free times on each day and the times of
    one day (and the first suitable time of a few): `count` answers from the runs of
    starts without making a slot, `slots` makes one day's. Same rules, same slots, as
    free_slots grouped with group_by_local_day.
    """

    def __init__(self, runs: dict[dt.date, list[_Run]], step: dt.timedelta, duration, overrides=()):
        self._runs = runs
        self._step = step // _US
        self._duration = duration
        self.days = sorted(runs)  # only days with a free slot
        # The overrides the slots were worked out from (the page names the closed days).
        self.overrides: tuple[OverrideSpec, ...] = tuple(overrides)

    def __contains__(self, day: dt.date) -> bool:
        return day in self._runs

    def count(self, day: dt.date) -> int:
        """How many different start times are free that day (any provider)."""
        runs = self._runs.get(day, ())
        if len(runs) == 1:
            return runs[0].count
        step = self._step
        # Starts of runs on one grid (the same remainder by the step) coincide where the
        # runs overlap, on different grids never: per grid, merge the runs' spans (each
        # span once: clinicians keeping the same hours give the same runs).
        total, grid, low, high = 0, None, 0, 0
        for on, first, end in sorted(
            {(r.first % step, r.first, r.first + r.count * step) for r in runs}
        ):
            if on == grid and first < high:
                high = max(high, end)
                continue
            total += (high - low) // step
            grid, low, high = on, first, end
        return total + (high - low) // step

    def counts(self) -> dict[dt.date, int]:
        return {day: self.count(day) for day in self.days}

    def first_slots(self, day: dt.date) -> list[Slot]:
        """That day's free start times, each once, with the lowest provider id free then
        (the first of slots(day) at that time), in time order."""
        step = self._step
        by_start: dict[int, int] = {}
        # Highest provider id first, so a lower one free at the same time writes over it.
        for run in sorted(self._runs.get(day, ()), key=lambda run: -run.provider_id):
            starts = range(run.first, run.first + run.count * step, step)
            by_start.update(dict.fromkeys(starts, run.provider_id))
        duration = self._duration
        out = []
        for us in sorted(by_start):
            start = _moment(us)
            out.append(Slot(by_start[us], start, start + duration))
        return out

    def slots(self, day: dt.date) -> list[Slot]:
        """That day's free slots, sorted by (start, provider_id)."""
        step = self._step
        pairs = sorted(
            (run.first + k * step, run.provider_id)
            for run in self._runs.get(day, ())
            for k in range(run.count)
        )
        duration = self._duration
        out = []
        for us, provider_id in pairs:
            start = _moment(us)
            out.append(Slot(provider_id, start, start + duration))
        return out


def free_days(*, time_zone: str, **arguments) -> FreeDays:
    """free_slots' slots (same arguments) by their local date in `time_zone`, lazily."""
    step = arguments.setdefault("step", dt.timedelta(minutes=15))
    arguments.setdefault("clinic_time_zone", "America/New_York")
    for name in ("chairs", "opening_hours", "supervisors"):
        arguments.setdefault(name, ())
    arguments["overrides"] = overrides = tuple(arguments["overrides"])
    zone = ZoneInfo(time_zone)
    step_us = step // _US
    by_day: dict[dt.date, list[_Run]] = defaultdict(list)
    for day, _, _, runs in _free_runs(**arguments, day_zone=zone):
        # A whole working interval on one local date (the usual case) puts its runs there
        # unseen; one across the patient's midnight is split start by start.
        if day is not None:
            by_day[day].extend(runs)
            continue
        for run in runs:
            for k in range(run.count):
                us = run.first + k * step_us
                by_day[_moment(us).astimezone(zone).date()].append(_Run(run.provider_id, us, 1))
    return FreeDays(dict(by_day), step, arguments["appointment_type"].duration, overrides)


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
    dates = list(_dates(first, last))
    # Providers keeping the same weekly hours in the same zone, with no override near,
    # have the same working time (_Schedule.weekly): worked out once, each given a copy.
    shared: dict[tuple, list[Interval]] = {}
    out: dict[int, list[Interval]] = {}
    for provider in providers:
        key = schedule.weekly(provider, dates)
        found = shared.get(key) if key is not None else None
        if found is None:
            found = _merge(iv for date in dates for iv in schedule.intervals(provider, date))
            if key is not None:
                shared[key] = found
        out[provider.id] = list(found)
    return out


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
