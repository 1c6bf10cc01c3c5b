"""The calendar grid's columns (consultations.calendar_grid), read run by run, agree with a
row-by-row reading of the same intervals: on ordinary days and on the nights clocks change,
for appointments in clinic time, in UTC or in another zone."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from consultations import calendar_grid as grid

NY = ZoneInfo("America/New_York")
CHICAGO = ZoneInfo("America/Chicago")
DAYS = [
    dt.date(2027, 1, 12),  # an ordinary Tuesday
    dt.date(2026, 3, 8),  # clocks spring forward: 02:00-03:00 does not exist
    dt.date(2026, 11, 1),  # clocks fall back: 01:00-02:00 happens twice
]


def _rows(day, first_hour, last_hour):
    starts = grid._row_starts(day, first_hour, last_hour, NY)
    ends = [*starts[1:], dt.datetime.combine(day, dt.time(), NY) + dt.timedelta(days=1)]
    if last_hour < 24:
        ends[-1] = dt.datetime.combine(day, dt.time(last_hour), NY)
    return starts, ends


def _reference(starts, ends, entries, working, cuts):
    """The column as a straight reading makes it, one row at a time: rows compared in real
    time on a day of one UTC offset, else as Python compares the datetimes (wall time in
    the clinic's zone); overlapping appointments one block; neighbouring rows that say the
    same one cell."""
    n = len(starts)
    one_offset = starts[0].utcoffset() == ends[-1].utcoffset()

    def touches(r, interval):
        a, b, low, high = starts[r], ends[r], *interval
        if one_offset:
            a, b, low, high = (t.astimezone(dt.UTC) for t in (a, b, low, high))
        return a < high and low < b

    blocks = []
    for e in sorted(entries, key=lambda e: (e.start, e.end)):
        touched = [r for r in range(n) if touches(r, (e.start, e.end))]
        if not touched:
            continue
        if blocks and touched[0] <= blocks[-1][1]:
            first, last, items = blocks[-1]
            blocks[-1] = (first, max(last, touched[-1]), [*items, e])
        else:
            blocks.append((touched[0], touched[-1], [e]))
    says = []
    for r in range(n):
        if any(touches(r, interval) for interval in working):
            says.append(("free", "Free"))
            continue
        labels = [text for interval, text in cuts if touches(r, interval)]
        says.append(("off", labels[0]) if labels else ("shut", "Not working"))
    cells, r = [], 0
    block_at = {first: (last, items) for first, last, items in blocks}
    while r < n:
        if r in block_at:
            last, items = block_at[r]
            cells.append((r, "busy", last - r + 1, "", [id(e) for e in items]))
            r = last + 1
            continue
        j = r + 1
        while j < n and says[j] == says[r] and j not in block_at:
            j += 1
        cells.append((r, says[r][0], j - r, says[r][1], []))
        r = j
    idle = not blocks and all(said[0] != "free" for said in says)
    return cells, idle


def _drawn(cells):
    return [
        (r, c.kind, c.rows, c.label, [id(e) for e in c.entries])
        for r, c in enumerate(cells)
        if c is not None
    ]


@st.composite
def _moment(draw, day):
    minutes = draw(st.integers(min_value=-6 * 60, max_value=30 * 60))
    zone = draw(st.sampled_from([NY, dt.UTC, CHICAGO]))
    wall = dt.datetime.combine(day, dt.time(), NY) + dt.timedelta(minutes=minutes)
    # Either a wall time in the clinic's zone (the earlier of a repeated hour, or the later)
    # or an instant written in another zone.
    if zone is NY:
        return wall.replace(fold=draw(st.integers(0, 1)))
    return wall.astimezone(zone)


@st.composite
def _interval(draw, day):
    start = draw(_moment(day))
    length = dt.timedelta(minutes=draw(st.integers(min_value=1, max_value=8 * 60)))
    return start, start + length


@st.composite
def _column(draw):
    day = draw(st.sampled_from(DAYS))
    first = draw(st.integers(min_value=0, max_value=20))
    last = draw(st.integers(min_value=first + 1, max_value=24))
    entries = [
        SimpleNamespace(start=s, end=e, appointment=SimpleNamespace(provider_id=1))
        for s, e in draw(st.lists(_interval(day), max_size=6))
    ]
    working = draw(st.lists(_interval(day), max_size=3))
    labels = st.sampled_from(["Time off", "Clinic closed: Holiday", "Training"])
    cuts = draw(st.lists(st.tuples(_interval(day), labels), max_size=3))
    return day, first, last, entries, working, cuts


@settings(max_examples=400, deadline=None)
@given(_column())
def test_a_column_read_run_by_run_says_what_each_row_says(column):
    day, first, last, entries, working, cuts = column
    starts, ends = _rows(day, first, last)
    cells, idle = grid._provider_column(grid._Rows(starts, ends), entries, working, cuts)
    assert (_drawn(cells), idle) == _reference(starts, ends, entries, working, cuts)


def test_rows_on_a_day_of_one_offset_are_a_quarter_hour_apart_in_real_time():
    starts, ends = _rows(DAYS[0], 8, 18)
    rows = grid._Rows(starts, ends)
    assert rows.starts == [s.astimezone(dt.UTC) for s in starts]
    assert rows.ends == [e.astimezone(dt.UTC) for e in ends]
    # An appointment in clinic time and the same instants in UTC touch the same rows.
    start = dt.datetime.combine(DAYS[0], dt.time(9, 10), NY)
    local = (start, start + dt.timedelta(minutes=50))
    assert list(rows.touched(local)) == list(
        rows.touched(tuple(t.astimezone(dt.UTC) for t in local))
    )
    assert list(rows.touched(local)) == [4, 5, 6, 7]  # 09:00 to 09:45
