"""The infusion-series planner (pure): plain values in, the earliest series that fits out.

A course is 4-6 infusions over about two weeks. Each infusion holds one chair from its
start to the end of recovery (`chair_end`); that whole chair time lies inside the
location's opening hours (closures cut out) and inside the on-duty time of one supervising
clinician (their working hours, time off and closures cut out), who is recorded as the
infusion's provider. Supervising takes no time of its own: one supervisor watches every
chair at once and may see patients meanwhile, so the chairs are the only limit on how many
infusions run together (on PostgreSQL the chair exclusion constraint is the last word; the
provider constraint leaves rows with a chair out). The patient is not busy, one infusion a
day, and the dates respect the series' constraints.

The selector (`course_selectors.py`) loads everything in a fixed number of queries and
hands it here as the frozen specs below; nothing in this module touches the ORM or the
clock (`not_before` is an argument), so the calendar arithmetic is tested with literals.

How the series is chosen: the dates are picked greedily, each infusion on the earliest date
that is allowed and has a free chair time. With only a minimum gap (no maximum) the greedy
choice leaves the most room for the infusions after it, so if it does not fit every
infusion into the window, nothing does, and the reason names the dates that failed and why.
Preferred times of day (from the intake) are a preference: on each date the earliest time in
a preferred period is taken, else the earliest time at all. The two alternatives are the
other times of day, and a start one date later.

Times are aware datetimes compared in UTC; candidate starts step in real time from each
opening interval's start, and a chair time that straddles a DST change is never offered
(its wall-clock length would not match), as in `availability.py`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from consultations.availability import subtract

UTC = dt.UTC
Interval = tuple[dt.datetime, dt.datetime]

MORNING, MIDDAY, AFTERNOON = "morning", "midday", "afternoon"
# The intake's "Which times of day suit you?" choices, by the local start time.
PERIODS = {MORNING: (dt.time(0), dt.time(11)), MIDDAY: (dt.time(11), dt.time(14))}
PERIOD_LABELS = {MORNING: "mornings", MIDDAY: "around midday", AFTERNOON: "afternoons"}
MIN_COUNT, MAX_COUNT = 1, 12  # a booster is one infusion; a series 4-6 (the form says so)

# Why a date could not take an infusion, from the least to the most specific.
CLOSED = "closed"
TOO_SHORT = "too_short"
PATIENT_BUSY = "patient_busy"
NO_SUPERVISOR = "no_supervisor"
CHAIRS_FULL = "chairs_full"
TOO_SOON = "too_soon"
REASON_ORDER = (
    CLOSED,
    TOO_SOON,
    TOO_SHORT,
    PATIENT_BUSY,
    NO_SUPERVISOR,
    CHAIRS_FULL,
)
REASON_WORDS = {
    CLOSED: "the clinic is closed",
    TOO_SOON: "it is too soon to book",
    TOO_SHORT: "the opening hours are too short for an infusion and its recovery",
    PATIENT_BUSY: "the patient has other appointments",
    NO_SUPERVISOR: "no supervising clinician is on duty long enough",
    CHAIRS_FULL: "the chairs are full",
}


@dataclass(frozen=True)
class SeriesRules:
    """What the clinician chose: how many, within which dates, and how spaced."""

    count: int
    first_date: dt.date  # the earliest local date allowed
    window_days: int = 14  # the series lies within first_date .. first_date + window - 1
    weekdays_only: bool = True
    # Whole free days between two infusions: 0 allows consecutive days, 1 Mon/Wed/Fri.
    min_gap_days: int = 1
    preferred_times: frozenset[str] = frozenset()  # MORNING / MIDDAY / AFTERNOON

    @property
    def last_date(self) -> dt.date:
        return self.first_date + dt.timedelta(days=self.window_days - 1)

    def problem(self) -> str:
        if not MIN_COUNT <= self.count <= MAX_COUNT:
            return f"The number of infusions must be between {MIN_COUNT} and {MAX_COUNT}."
        if self.window_days < 1:
            return "The window must be at least one day."
        if self.min_gap_days < 0:
            return "The gap between infusions cannot be negative."
        unknown = set(self.preferred_times) - {MORNING, MIDDAY, AFTERNOON}
        if unknown:
            return f"Unknown time of day: {', '.join(sorted(unknown))}."
        return ""


@dataclass(frozen=True)
class InfusionSpec:
    duration: dt.timedelta
    recovery: dt.timedelta = dt.timedelta(0)
    # The block stored around it (block_start/end); it holds no one's time (module doc).
    buffer_before: dt.timedelta = dt.timedelta(0)
    buffer_after: dt.timedelta = dt.timedelta(0)
    step: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class ClinicDay:
    """A local date's opening intervals (aware), closures already cut out or passed apart."""

    date: dt.date
    opening: tuple[Interval, ...]


@dataclass(frozen=True)
class PlanInputs:
    time_zone: str  # the location's IANA zone: local dates, weekdays, times of day
    infusion: InfusionSpec
    chair_ids: tuple[int, ...]  # in the order they are preferred
    days: Mapping[dt.date, tuple[Interval, ...]]  # opening per local date; missing = closed
    # provider id -> on-duty intervals (working hours less time off and closures)
    supervisors: Mapping[int, Sequence[Interval]]
    chair_busy: Mapping[int, Sequence[Interval]] = field(default_factory=dict)  # chair windows
    patient_busy: Sequence[Interval] = ()
    closures: Sequence[Interval] = ()
    not_before: dt.datetime | None = None  # the minimum notice, as an aware datetime


@dataclass(frozen=True)
class PlannedInfusion:
    start: dt.datetime  # aware, UTC
    end: dt.datetime
    chair_end: dt.datetime  # end of recovery: the chair is free again
    chair_id: int
    provider_id: int


@dataclass(frozen=True)
class Series:
    infusions: tuple[PlannedInfusion, ...]
    label: str  # "Earliest", "Afternoons", "Starting Dec 3"

    @property
    def first(self) -> dt.datetime:
        return self.infusions[0].start

    @property
    def last(self) -> dt.datetime:
        return self.infusions[-1].start

    def key(self) -> tuple:
        return tuple((i.start, i.chair_id, i.provider_id) for i in self.infusions)


@dataclass(frozen=True)
class Plan:
    """The proposal and up to two alternatives, or the reason nothing fits."""

    options: tuple[Series, ...]
    reason: str = ""
    fitted: int = 0  # how many infusions the earliest attempt fitted

    @property
    def ok(self) -> bool:
        return bool(self.options)

    @property
    def proposal(self) -> Series | None:
        return self.options[0] if self.options else None


# --------------------------------------------------------------------------- intervals


class _Timeline:
    """Busy intervals sorted by start with a running max of ends: overlap test in O(log n)."""

    def __init__(self, blocks: Iterable[Interval]):
        ordered = sorted((s.astimezone(UTC), e.astimezone(UTC)) for s, e in blocks if s < e)
        self._starts = [start for start, _ in ordered]
        self._reach = list(itertools.accumulate((end for _, end in ordered), max))

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        begun = bisect.bisect_left(self._starts, end)  # intervals starting before `end`
        return begun > 0 and self._reach[begun - 1] > start


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted((s.astimezone(UTC), e.astimezone(UTC)) for s, e in intervals):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _covers(intervals: Sequence[Interval], start: dt.datetime, end: dt.datetime) -> bool:
    """Whether one of the merged, sorted intervals holds [start, end) whole."""
    i = bisect.bisect_right(intervals, (start, dt.datetime.max.replace(tzinfo=UTC))) - 1
    return i >= 0 and intervals[i][0] <= start and end <= intervals[i][1]


def period_of(start: dt.datetime, zone: ZoneInfo) -> str:
    local = start.astimezone(zone).time()
    for name, (begin, end) in PERIODS.items():
        if begin <= local < end:
            return name
    return AFTERNOON


# --------------------------------------------------------------------------- one date


@dataclass(frozen=True)
class _Option:
    infusion: PlannedInfusion
    period: str


class _Clinic:
    """Every input indexed once; each date's options (and its failure) computed once."""

    def __init__(self, inputs: PlanInputs):
        self.inputs = inputs
        self.zone = ZoneInfo(inputs.time_zone)
        self.spec = inputs.infusion
        closures = _merge(inputs.closures)
        self.opening = {
            date: subtract(_merge(intervals), closures) for date, intervals in inputs.days.items()
        }
        self.on_duty = {pid: _merge(iv) for pid, iv in inputs.supervisors.items()}
        self.chair_busy = {
            cid: _Timeline(inputs.chair_busy.get(cid, ())) for cid in inputs.chair_ids
        }
        self.patient = _Timeline(inputs.patient_busy)
        self._options: dict[dt.date, tuple[list[_Option], str]] = {}

    def _starts(self, date: dt.date):
        length = self.spec.duration + self.spec.recovery
        for open_start, open_end in self.opening.get(date, ()):
            start = open_start
            while start + length <= open_end:
                yield start
                start += self.spec.step

    def _check(self, start: dt.datetime) -> tuple[str, PlannedInfusion | None]:
        spec = self.spec
        end = start + spec.duration
        chair_end = end + spec.recovery
        if self.inputs.not_before is not None and start < self.inputs.not_before:
            return TOO_SOON, None
        if start.astimezone(self.zone).utcoffset() != chair_end.astimezone(self.zone).utcoffset():
            return TOO_SHORT, None
        if self.patient.overlaps(start, chair_end):
            return PATIENT_BUSY, None
        on_duty = [pid for pid, iv in self.on_duty.items() if _covers(iv, start, chair_end)]
        if not on_duty:
            return NO_SUPERVISOR, None
        for chair_id in self.inputs.chair_ids:
            if not self.chair_busy[chair_id].overlaps(start, chair_end):
                return "", PlannedInfusion(start, end, chair_end, chair_id, min(on_duty))
        return CHAIRS_FULL, None

    def options(self, date: dt.date) -> tuple[list[_Option], str]:
        """The free chair times on `date` (earliest first), or why there are none."""
        if date in self._options:
            return self._options[date]
        found: list[_Option] = []
        worst = CLOSED if not self.opening.get(date) else TOO_SHORT
        for start in self._starts(date):
            problem, infusion = self._check(start)
            if infusion is not None:
                found.append(_Option(infusion, period_of(start, self.zone)))
            elif REASON_ORDER.index(problem) > REASON_ORDER.index(worst):
                worst = problem
        self._options[date] = (found, "" if found else worst)
        return self._options[date]


def _pick(options: list[_Option], preferred: frozenset[str]) -> PlannedInfusion:
    for option in options:
        if option.period in preferred:
            return option.infusion
    return options[0].infusion


# --------------------------------------------------------------------------- the series


@dataclass
class _Attempt:
    infusions: list[PlannedInfusion]
    failures: dict[str, list[dt.date]]  # reason -> dates, for the dates that could not take one


def _allowed(rules: SeriesRules, date: dt.date) -> bool:
    return not (rules.weekdays_only and date.weekday() >= 5)


def _greedy(clinic: _Clinic, rules: SeriesRules, first: dt.date, preferred) -> _Attempt:
    placed: list[PlannedInfusion] = []
    failures: dict[str, list[dt.date]] = {}
    date = first
    while len(placed) < rules.count and date <= rules.last_date:
        if _allowed(rules, date):
            options, problem = clinic.options(date)
            if options:
                placed.append(_pick(options, preferred))
                date += dt.timedelta(days=rules.min_gap_days + 1)
                failures = {}  # only the dates after the last placed infusion explain a miss
                continue
            failures.setdefault(problem, []).append(date)
        date += dt.timedelta(days=1)
    return _Attempt(placed, failures)


def _day(date: dt.date) -> str:
    return f"{date:%b} {date.day}"


def _dates(dates: list[dt.date]) -> str:
    shown = [_day(d) for d in dates[:4]]
    more = len(dates) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def explain(rules: SeriesRules, attempt: _Attempt) -> str:
    """“Only 3 of 6 infusions fit between Dec 2 and Dec 15: the chairs are full on …”."""
    fitted = len(attempt.infusions)
    span = f"between {_day(rules.first_date)} and {_day(rules.last_date)}"
    head = (
        f"No infusion fits {span}"
        if fitted == 0
        else f"Only {fitted} of {rules.count} infusions fit {span}"
    )
    parts = [
        f"{REASON_WORDS[code]} on {_dates(dates)}"
        for code in reversed(REASON_ORDER)
        if (dates := attempt.failures.get(code))
    ]
    if not parts:
        gap = rules.min_gap_days
        spacing = f" with {gap} free day{'s' if gap != 1 else ''} between infusions" if gap else ""
        weekdays = " on weekdays" if rules.weekdays_only else ""
        return f"{head}: the window is too short for {rules.count} infusions{weekdays}{spacing}."
    return f"{head}: " + "; ".join(parts) + ". Try a longer window or fewer infusions."


def _other_times(preferred: frozenset[str]) -> frozenset[str]:
    if not preferred:
        return frozenset({AFTERNOON})
    return frozenset({MORNING, MIDDAY, AFTERNOON}) - preferred


def _times_label(preferred: frozenset[str]) -> str:
    names = [PERIOD_LABELS[p] for p in (MORNING, MIDDAY, AFTERNOON) if p in preferred]
    return (" and ".join(names) or "any time").capitalize()


def plan_series(rules: SeriesRules, inputs: PlanInputs) -> Plan:
    """The earliest series that fits every infusion and two alternatives, or why none fits."""
    if problem := rules.problem():
        return Plan((), problem)
    if not inputs.chair_ids:
        return Plan((), "No infusion chair is set up. Add chairs on the schedule page first.")
    if not inputs.supervisors:
        return Plan((), "No clinician is marked as an infusion supervisor.")
    clinic = _Clinic(inputs)
    preferred = frozenset(rules.preferred_times)
    first = _greedy(clinic, rules, rules.first_date, preferred)
    if len(first.infusions) < rules.count:
        return Plan((), explain(rules, first), fitted=len(first.infusions))
    options = [Series(tuple(first.infusions), "Earliest")]
    seen = {options[0].key()}

    def offer(attempt: _Attempt, label: str) -> None:
        if len(options) < 3 and len(attempt.infusions) == rules.count:
            series = Series(tuple(attempt.infusions), label)
            if series.key() not in seen:
                seen.add(series.key())
                options.append(series)

    other = _other_times(preferred)
    offer(_greedy(clinic, rules, rules.first_date, other), _times_label(other))
    # Later starts: from the day after the earliest series' first date, a date at a time.
    start = first.infusions[0].start.astimezone(clinic.zone).date() + dt.timedelta(days=1)
    while len(options) < 3 and start <= rules.last_date:
        attempt = _greedy(clinic, rules, start, preferred)
        if len(attempt.infusions) < rules.count:
            break  # a later start only has less room
        offer(
            attempt, f"Starting {_day(attempt.infusions[0].start.astimezone(clinic.zone).date())}"
        )
        start = attempt.infusions[0].start.astimezone(clinic.zone).date() + dt.timedelta(days=1)
    return Plan(tuple(options), fitted=rules.count)


# --------------------------------------------------------------------------- re-checks


def series_problem(inputs: PlanInputs, infusions: Iterable[PlannedInfusion]) -> str:
    """Why one of these exact infusions (time, chair, supervisor) no longer fits ("" if all do).

    The booking service's re-check under its lock, and the check of a moved infusion.
    """
    clinic = _Clinic(inputs)
    for infusion in infusions:
        if problem := _infusion_problem(clinic, infusion):
            return problem
    return ""


def _infusion_problem(clinic: _Clinic, infusion: PlannedInfusion) -> str:
    inputs = clinic.inputs
    date = infusion.start.astimezone(clinic.zone).date()
    spec = inputs.infusion
    if infusion.end - infusion.start != spec.duration or (
        infusion.chair_end - infusion.end != spec.recovery
    ):
        return "The infusion's length no longer matches the appointment type."
    if not _covers(clinic.opening.get(date, []), infusion.start, infusion.chair_end):
        return f"{_day(date)}: the clinic is not open for the whole infusion and recovery."
    if inputs.not_before is not None and infusion.start < inputs.not_before:
        return f"{_day(date)}: it is too soon to book."
    if clinic.patient.overlaps(infusion.start, infusion.chair_end):
        return f"{_day(date)}: the patient has another appointment then."
    if not _covers(
        clinic.on_duty.get(infusion.provider_id, []), infusion.start, infusion.chair_end
    ):
        return f"{_day(date)}: the supervising clinician is not on duty for all of it."
    if infusion.chair_id not in clinic.chair_busy:
        return f"{_day(date)}: that chair is no longer in use."
    if clinic.chair_busy[infusion.chair_id].overlaps(infusion.start, infusion.chair_end):
        return f"{_day(date)}: that chair was just taken."
    return ""


# --------------------------------------------------------------------------- reminders

DAY_BEFORE_AT = dt.time(10)  # the driver-and-preparation message: mid-morning the day before


def day_before_due(start: dt.datetime, zone_name: str, at: dt.time = DAY_BEFORE_AT) -> dt.datetime:
    """When the day-before message goes: `at` local time on the day before the infusion."""
    zone = ZoneInfo(zone_name)
    day = start.astimezone(zone).date() - dt.timedelta(days=1)
    return dt.datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


# --------------------------------------------------------------------------- moving one


def move_problem(
    rules: SeriesRules,
    zone_name: str,
    others: Iterable[dt.datetime],
    new_start: dt.datetime,
) -> str:
    """Why moving one infusion of a series to `new_start` breaks the series' rules ("" if not).

    `others` are the starts of the series' other active infusions. The chair and the
    supervisor are re-checked by the service with the same checks as booking.
    """
    zone = ZoneInfo(zone_name)
    date = new_start.astimezone(zone).date()
    if rules.weekdays_only and date.weekday() >= 5:
        return "This series is on weekdays only."
    if not rules.first_date <= date <= rules.last_date:
        return (
            f"The series runs from {_day(rules.first_date)} to {_day(rules.last_date)}; "
            "pick a date inside it."
        )
    for other in others:
        apart = abs((other.astimezone(zone).date() - date).days)
        if apart == 0:
            return "Another infusion of this series is on that date."
        if apart <= rules.min_gap_days:
            gap = rules.min_gap_days
            return (
                f"Infusions of this series need {gap} free day{'s' if gap != 1 else ''} "
                f"between them; {_day(other.astimezone(zone).date())} is too close."
            )
    return ""
