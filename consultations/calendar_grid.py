"""The staff calendar's time grid: one column per provider (and day), one row per quarter
hour, appointments as blocks spanning their rows, working hours shaded as free time and
time off or closures labelled (pure: plain values in, a table to render out).

It is drawn as an HTML table whose blocks span rows (`rowspan`): no script, no inline
style (the CSP allows none), it prints, and a screen reader reads it as a table with a
time and a provider heading for every cell.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from zoneinfo import ZoneInfo

Interval = tuple[dt.datetime, dt.datetime]
STEP = dt.timedelta(minutes=15)
_HOUR = dt.timedelta(hours=1)
DEFAULT_HOURS = (8, 18)  # shown when a day has neither hours nor appointments

FREE, BUSY, OFF, SHUT, CHAIRS = "free", "busy", "off", "shut", "chairs"


@dataclass(frozen=True)
class ColumnSpec:
    day: dt.date
    provider_id: int | None  # None: the chair-usage column, or a whole day nobody works
    title: str
    first_of_day: bool = False
    kind: str = "provider"  # "provider" | "chairs" | "idle" (a day collapsed to one column)


@dataclass(slots=True)
class Cell:
    kind: str  # FREE | BUSY | OFF | SHUT | CHAIRS
    rows: int = 1
    entries: Sequence = ()  # a block's appointments; a week draws ~700 cells without any
    label: str = ""
    used: int = 0  # chair column: chairs in use
    capacity: int = 0

    @property
    def full(self) -> bool:
        return self.kind == CHAIRS and self.capacity > 0 and self.used >= self.capacity


@dataclass(frozen=True)
class Row:
    start: dt.datetime  # clinic time
    on_the_hour: bool
    cells: list  # one per column: a Cell where a block starts, None where one spans


@dataclass(frozen=True)
class Grid:
    columns: list[ColumnSpec]
    rows: list[Row]
    days: list[dt.date]

    @property
    def day_heads(self) -> list[tuple[dt.date, int]]:
        """Each day with how many columns it spans (its providers, and chairs if shown)."""
        return [(day, len(columns)) for day, columns in self.day_columns]

    @property
    def day_columns(self) -> list[tuple[dt.date, list[ColumnSpec]]]:
        return [(day, [c for c in self.columns if c.day == day]) for day in self.days]


def _overlaps(a: Interval, b: Interval) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _hours_range(days, zone, intervals: Iterable[Interval]) -> tuple[int, int]:
    """First and last hour (0-24) worth showing: hours worked and appointments, whole hours.

    Each interval is read on the days it touches (found from its own dates), not
    compared with every day shown."""
    first, last = 24, 0
    shown = set(days)
    if not shown:
        return DEFAULT_HOURS
    earliest, latest = min(shown), max(shown)
    # Intervals alike say the same (working hours repeat across providers and days;
    # equal datetimes are the same instant): each is read once.
    for start, end in set(intervals):
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        day, until = local_start.date(), local_end.date()
        if day == until:  # most intervals: within one day, read straight off the clock
            if day in shown and start < end:
                first = min(first, local_start.hour)
                last = max(last, local_end.hour + (1 if local_end.minute else 0))
            continue
        day, until = max(day, earliest), min(until, latest)
        while day <= until:
            if day in shown:
                midnight = dt.datetime.combine(day, dt.time(), zone)
                next_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
                clipped_start, clipped_end = max(start, midnight), min(end, next_midnight)
                if clipped_start < clipped_end:
                    first = min(first, clipped_start.astimezone(zone).hour)
                    if clipped_end == next_midnight:
                        last = 24
                    else:
                        clipped_end = clipped_end.astimezone(zone)
                        last = max(last, clipped_end.hour + (1 if clipped_end.minute else 0))
            day += dt.timedelta(days=1)
    if first >= last:
        return DEFAULT_HOURS
    return first, last


def _row_starts(day: dt.date, first_hour: int, last_hour: int, zone) -> list[dt.datetime]:
    """Each row's start on the day's wall clock, a quarter hour apart (arithmetic on an
    aware datetime is wall-clock arithmetic: the same values combine() would make)."""
    first = dt.datetime.combine(day, dt.time(first_hour), zone)
    return [first + STEP * r for r in range((last_hour - first_hour) * _HOUR // STEP)]


class _Rows:
    """A day's rows, [starts[i], ends[i]) each, and which rows an interval overlaps.

    Rows are contiguous and in order, so two bisects find them; except on the day clocks
    spring forward, whose nonexistent wall times (02:00-03:00) make rows that are not in
    real-time order: there every row is compared, as a straight reading would."""

    def __init__(self, starts: list[dt.datetime], ends: list[dt.datetime]):
        self.starts, self.ends = starts, ends
        self.wall_starts, self.wall_ends, self.zone, self.offset = starts, ends, None, None
        # On a day with one UTC offset, wall-time and real-time order agree and the rows are
        # STEP apart in real time as on the clock: bisect UTC copies, counted from the first
        # (comparing datetimes of two zones converts both, every comparison).
        self.utc = bool(starts) and starts[0].utcoffset() == ends[-1].utcoffset()
        if self.utc:
            first = starts[0].astimezone(dt.UTC)
            self.starts = [first + STEP * r for r in range(len(starts))]
            self.ends = [*self.starts[1:], ends[-1].astimezone(dt.UTC)]
            self.ordered = True
            # An interval in the rows' own zone and at their offset is compared on the wall
            # clock (as Python compares datetimes of one zone): at one offset, wall-clock
            # and real-time order agree. Any other is converted.
            self.zone, self.offset = starts[0].tzinfo, starts[0].utcoffset()
        else:
            # Bisecting needs the starts and the ends each in real-time order (a grid that
            # stops at 03:00 the night clocks spring forward ends its last row, 02:45, at
            # 07:00 UTC: before that row starts, 07:45).
            real = [t.astimezone(dt.UTC) for t in starts]
            real_ends = [t.astimezone(dt.UTC) for t in ends]
            self.ordered = all(a < b for a, b in zip(real, real[1:], strict=False)) and all(
                a < b for a, b in zip(real_ends, real_ends[1:], strict=False)
            )

    def __len__(self) -> int:
        return len(self.starts)

    def touched(self, interval: Interval) -> Sequence[int]:
        starts, ends = self.starts, self.ends
        if not self.ordered:
            return [r for r in range(len(starts)) if _overlaps((starts[r], ends[r]), interval)]
        low, high = interval
        if self.utc:
            if (
                low.tzinfo is self.zone
                and high.tzinfo is self.zone
                and low.utcoffset() == self.offset == high.utcoffset()
            ):
                starts, ends = self.wall_starts, self.wall_ends
            else:
                if low.tzinfo is not dt.UTC:
                    low = low.astimezone(dt.UTC)
                if high.tzinfo is not dt.UTC:
                    high = high.astimezone(dt.UTC)
        first = bisect.bisect_right(ends, low)  # the first row ending after it starts
        last = bisect.bisect_left(starts, high)  # rows from here on start after it ends
        return range(first, last)

    def runs(self, interval: Interval) -> list[tuple[int, int]]:
        """The rows an interval overlaps as runs [first, stop) of neighbouring rows: one run
        (or none) on an ordered day."""
        touched = self.touched(interval)
        if isinstance(touched, range):
            return [(touched.start, touched.stop)] if touched else []
        runs: list[tuple[int, int]] = []
        for r in touched:
            if runs and runs[-1][1] == r:
                runs[-1] = (runs[-1][0], r + 1)
            else:
                runs.append((r, r + 1))
        return runs


def _provider_column(
    rows: _Rows,
    entries: Sequence,
    working: list[Interval],
    cuts: list[tuple[Interval, str]],
    shared: dict | None = None,
) -> tuple[list[Cell | None], bool]:
    """The column's cells, and whether it is idle: nobody works and nothing is booked in it
    (time off or closure at most). `shared`: the grid's cells without appointments so far,
    by what they say and span: a cell reading the same as one made before is that one (a
    week repeats a few dozen among ~500; each is an object the collector walks).

    A row is free when any working interval overlaps it, else it says the first cut's label
    (in the order given) that overlaps it, else not working; neighbouring rows saying the
    same are one block, and appointments (overlapping ones together) are blocks of their
    own. Read run by run, not row by row: what a row says changes only where an interval,
    a cut or a block starts or stops, a handful of places in a day's forty rows."""
    if shared is None:
        shared = {}
    n = len(rows)
    cells: list[Cell | None] = [None] * n
    # Appointments first: each takes the rows it touches; overlapping ones share a block.
    blocks: list[tuple[int, int, list]] = []
    for e in sorted(entries, key=_START_END) if len(entries) > 1 else entries:
        touched = rows.touched((e.start, e.end))
        if not touched:
            continue
        first, last = touched[0], touched[-1]
        if blocks and first <= blocks[-1][1]:
            b_first, b_last, items = blocks[-1]
            blocks[-1] = (b_first, max(b_last, last), [*items, e])
        else:
            blocks.append((first, last, [e]))
    free = [run for interval in working for run in rows.runs(interval)]
    labelled = [(run, text) for interval, text in cuts for run in rows.runs(interval)]
    edges = {0, n}
    for a, b in free:
        edges.add(a)
        edges.add(b)
    for (a, b), _ in labelled:
        edges.add(a)
        edges.add(b)
    block_at = {}
    for first, last, items in blocks:
        block_at[first] = (last + 1, items)
        edges.add(first)
        edges.add(last + 1)
    bounds = sorted(edges)
    said_from, said = 0, None  # the run of rows not yet written, and what they say
    i, stop = 0, n
    for k in range(len(bounds) - 1):
        p = bounds[k]
        if p < i or p >= stop:  # inside a block already written, or past the last row
            continue
        block = block_at.get(p)
        if block is not None:
            if said is not None:
                cells[said_from] = _shared(shared, said, p - said_from)
                said = None
            end, items = block
            cells[p] = Cell(BUSY, rows=end - p, entries=items)
            i = end
            continue
        here = _says(p, free, labelled)
        if here != said:
            if said is not None:
                cells[said_from] = _shared(shared, said, p - said_from)
            said_from, said = p, here
        i = bounds[k + 1]
    if said is not None:
        cells[said_from] = _shared(shared, said, n - said_from)
    return cells, not blocks and not free


def _says(row: int, free: list[tuple[int, int]], labelled: list) -> tuple[str, str]:
    """What one row says: free, else the first cut's label over it, else not working."""
    for a, b in free:
        if a <= row < b:
            return _FREE
    for (a, b), text in labelled:
        if a <= row < b:
            return (OFF, text)
    return _SHUT


def _shared(shared: dict, said: tuple[str, str], rows: int) -> Cell:
    key = (said, rows)
    cell = shared.get(key)
    if cell is None:
        cell = shared[key] = Cell(said[0], rows=rows, label=said[1])
    return cell


_FREE, _SHUT = (FREE, "Free"), (SHUT, "Not working")
_START_END = attrgetter("start", "end")  # (e.start, e.end), without a call of ours an entry


def _chair_column(rows: _Rows, windows: Iterable[Interval], capacity: int) -> list[Cell | None]:
    n = len(rows)
    used = [0] * n
    for window in windows:
        for r in rows.touched(window):
            used[r] += 1
    # Neighbouring rows with as many chairs in use are one block.
    cells: list[Cell | None] = [None] * n
    i = 0
    while i < n:
        j = i + 1
        while j < n and used[j] == used[i]:
            j += 1
        cells[i] = Cell(CHAIRS, rows=j - i, used=used[i], capacity=capacity)
        i = j
    return cells


def _by_day(items: Iterable, interval_of, days: Sequence[dt.date], zone) -> dict[dt.date, list]:
    """Each item under every one of these days (dates in `zone`) its interval touches, in
    the order given."""
    out: dict[dt.date, list] = {}
    if not days:
        return out
    earliest, latest = min(days), max(days)
    for item in items:
        start, end = interval_of(item)
        day = max(start.astimezone(zone).date(), earliest)
        until = min(end.astimezone(zone).date(), latest)
        while day <= until:
            out.setdefault(day, []).append(item)
            day += _ONE_DAY
    return out


_ONE_DAY = dt.timedelta(days=1)


def _idle_column(day_cells: list[list[Cell | None]]) -> list[Cell | None]:
    """One cell for the whole day: the closure's label when every provider shows the same
    single one (a clinic closure), else "No hours"."""
    heads = {(c.kind, c.label) for cells in day_cells for c in cells if c is not None}
    kind, label = heads.pop() if len(heads) == 1 else (SHUT, "No hours")
    n = len(day_cells[0])
    return [Cell(kind, rows=n, label=label), *([None] * (n - 1))]


def build(
    *,
    days: Sequence[dt.date],
    providers: Sequence[tuple[int, str]],
    entries: Iterable,
    working: dict[int, list[Interval]],
    cuts: dict[int, list[tuple[Interval, str]]],
    time_zone: str,
    chair_windows: Sequence[Interval] = (),
    chair_capacity: int = 0,
    chair_title: str = "Infusion chairs",
    compact: bool = False,
) -> Grid:
    """The grid for these days and providers. `entries` have aware .start/.end and
    .appointment.provider_id; a chair column is added on each day when chairs exist.

    `compact` (the week): a day nobody works and nothing is booked on becomes one narrow
    column, and the chair column appears only on days an infusion holds a chair.
    """
    zone = ZoneInfo(time_zone)
    entries = list(entries)
    by_provider_day: dict[tuple[int, dt.date], list] = {}
    for e in entries:
        start = e.start
        day = (start if start.tzinfo is zone else start.astimezone(zone)).date()
        by_provider_day.setdefault((e.appointment.provider_id, day), []).append(e)
    first_hour, last_hour = _hours_range(
        list(days),
        zone,
        [
            *((e.start, e.end) for e in entries),
            *(i for ivs in working.values() for i in ivs),
            # Part-day time off shows where it falls; a whole day off would stretch the grid.
            *(i for ivs in cuts.values() for i, _ in ivs if i[1] - i[0] < dt.timedelta(hours=12)),
        ],
    )
    # Each working interval, cut and chair window under the days it touches: a day's
    # columns read only their own (a day's rows lie within its date, so none is missed).
    working_on = {
        (provider_id, day): on_day
        for provider_id, intervals in working.items()
        for day, on_day in _by_day(intervals, lambda i: i, days, zone).items()
    }
    cuts_on = {
        (provider_id, day): on_day
        for provider_id, labelled in cuts.items()
        for day, on_day in _by_day(labelled, lambda c: c[0], days, zone).items()
    }
    chairs_on = _by_day(chair_windows, lambda i: i, days, zone)
    columns: list[ColumnSpec] = []
    per_column: list[list[Cell | None]] = []
    row_times: list[dt.datetime] = []
    shared: dict = {}  # the cells without appointments, shared by the columns that read alike
    for day in days:
        starts = _row_starts(day, first_hour, last_hour, zone)
        ends = [*starts[1:], dt.datetime.combine(day, dt.time(), zone) + dt.timedelta(days=1)]
        if last_hour < 24:
            ends[-1] = dt.datetime.combine(day, dt.time(last_hour), zone)
        if not row_times:
            row_times = starts
        day_rows = _Rows(starts, ends)
        made = [
            _provider_column(
                day_rows,
                by_provider_day.get((provider_id, day), []),
                working_on.get((provider_id, day), []),
                cuts_on.get((provider_id, day), []),
                shared,
            )
            for provider_id, _ in providers
        ]
        day_cells = [cells for cells, _ in made]
        if compact and made and all(idle for _, idle in made):
            idle = _idle_column(day_cells)
            title = "Closed" if idle[0].kind == OFF else "Nobody works"
            columns.append(ColumnSpec(day, None, title, first_of_day=True, kind="idle"))
            per_column.append(idle)
        else:
            for index, (provider_id, title) in enumerate(providers):
                columns.append(ColumnSpec(day, provider_id, title, first_of_day=index == 0))
            per_column.extend(day_cells)
        day_span = (starts[0], ends[-1]) if starts else None
        windows = chairs_on.get(day, [])
        used = day_span is not None and any(_overlaps(day_span, w) for w in windows)
        if chair_capacity > 0 and (used or not compact):
            columns.append(
                ColumnSpec(day, None, chair_title, first_of_day=not providers, kind="chairs")
            )
            per_column.append(_chair_column(day_rows, windows, chair_capacity))
    # Row i's cells: the i-th of every column (zip reads them across in one pass).
    across = zip(*per_column, strict=True) if per_column else [()] * len(row_times)
    rows = [
        Row(start=start, on_the_hour=start.minute == 0, cells=list(cells))
        for start, cells in zip(row_times, across, strict=True)
    ]
    return Grid(columns=columns, rows=rows, days=list(days))
