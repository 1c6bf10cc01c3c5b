"""The booking page's month grid and its "Suggested for you" times (pure: plain values in).

A phone shows the booking window as a compact month grid, a week a row from Sunday (as US
calendars do): a day with free times is a link, a day the clinic is closed says why, and
the days and times the patient said suit them (intake: preferred_days, preferred_times)
come first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# The intake's day keys (intake/questionnaire/goals.py) as Python weekdays (Monday = 0).
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

# Column heads of the grid, Sunday first: (shown, read out).
WEEKDAY_NAMES = (
    ("Su", "Sunday"),
    ("Mo", "Monday"),
    ("Tu", "Tuesday"),
    ("We", "Wednesday"),
    ("Th", "Thursday"),
    ("Fr", "Friday"),
    ("Sa", "Saturday"),
)

# The intake's "times of day", by the local start time: [from, until).
TIMES_OF_DAY: dict[str, tuple[dt.time, dt.time]] = {
    "morning": (dt.time(0, 0), dt.time(11, 0)),
    "midday": (dt.time(11, 0), dt.time(14, 0)),
    "afternoon": (dt.time(14, 0), dt.time(23, 59, 59)),
}


@dataclass(frozen=True)
class Preferences:
    """When the patient said they could usually come; empty means "no preference"."""

    weekdays: frozenset[int] = frozenset()
    times: frozenset[str] = frozenset()

    @classmethod
    def from_answers(cls, answers: Mapping) -> Preferences:
        days = answers.get("preferred_days") or []
        times = answers.get("preferred_times") or []
        days = days if isinstance(days, list) else []
        times = times if isinstance(times, list) else []
        return cls(
            frozenset(WEEKDAYS[d] for d in days if d in WEEKDAYS),
            frozenset(t for t in times if t in TIMES_OF_DAY),
        )

    def __bool__(self) -> bool:
        return bool(self.weekdays or self.times)

    def suits_day(self, day: dt.date) -> bool:
        return bool(self.weekdays) and day.weekday() in self.weekdays

    def suits(self, local_start: dt.datetime) -> bool:
        """Both what they said about days and about times (either may be left open)."""
        if not self:
            return False
        day_ok = not self.weekdays or local_start.weekday() in self.weekdays
        clock = local_start.time()
        time_ok = not self.times or any(
            TIMES_OF_DAY[t][0] <= clock < TIMES_OF_DAY[t][1] for t in self.times
        )
        return day_ok and time_ok


@dataclass(frozen=True)
class DayCell:
    date: dt.date | None  # None: a blank before the 1st or after the month's last day
    times: int = 0  # free times that day
    closed: str = ""  # the closure's name ("Christmas Day"), "" when open
    in_window: bool = False  # inside the booking window
    suggested: bool = False  # a day the patient said suits them, with free times
    selected: bool = False


@dataclass(frozen=True)
class Month:
    first: dt.date  # the 1st of the month
    weeks: tuple[tuple[DayCell, ...], ...]  # Sunday … Saturday


def month_grid(
    *,
    counts: Mapping[dt.date, int],
    first: dt.date,
    last: dt.date,
    closed: Mapping[dt.date, str],
    preferences: Preferences = Preferences(),
    selected: dt.date | None = None,
) -> tuple[Month, ...]:
    """Every month from first's to last's, each a list of weeks of day cells."""
    months = []
    month = first.replace(day=1)
    while month <= last:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        cells = [DayCell(None)] * ((month.weekday() + 1) % 7)  # blanks before the 1st
        day = month
        while day < following:
            in_window = first <= day <= last
            times = counts.get(day, 0) if in_window else 0
            cells.append(
                DayCell(
                    day,
                    times=times,
                    closed=closed.get(day, "") if in_window else "",
                    in_window=in_window,
                    suggested=bool(times) and preferences.suits_day(day),
                    selected=day == selected,
                )
            )
            day += dt.timedelta(days=1)
        cells += [DayCell(None)] * (-len(cells) % 7)
        weeks = tuple(tuple(cells[i : i + 7]) for i in range(0, len(cells), 7))
        months.append(Month(month, weeks))
        month = following
    return tuple(months)


def suggested_starts(
    starts: Iterable[dt.datetime], preferences: Preferences, *, limit: int
) -> list[dt.datetime]:
    """The earliest local start that suits the patient on each of the first `limit` days
    that have one: a choice of days, not four times in one morning."""
    out: list[dt.datetime] = []
    days: set[dt.date] = set()
    for start in sorted(set(starts)):
        if len(out) >= limit:
            break
        if start.date() not in days and preferences.suits(start):
            days.add(start.date())
            out.append(start)
    return out
