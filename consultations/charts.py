"""Pure: a patient's outcome readings → accessible SVG charts and the same numbers as a table.

Plain values in (dates, numbers, labels), text out: no Django, no ORM, no clock. One panel
per measure (PEG 0–10, PHQ-9 0–27, MME/day), all on the same date axis so the infusions
line up. Each panel is an `<svg role="img">` with a `<title>` and a `<desc>` that says in
words what the line shows; the table carries every number for screen readers and print.

A missed check-in breaks the line: the chart never draws a straight line across it, which
would read as a steady improvement nobody measured. A reading that simply did not ask a
measure (PHQ-9 before an infusion) is skipped for that measure without breaking it.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from consultations.outcomes import RESPONDER_REDUCTION

# CLINICAL.md §8 (IMMPACT): a drop of at least 30 % from baseline PEG is a response; the
# line is drawn from the same rule consultations.outcomes decides responders with.
RESPONDER_DROP = float(RESPONDER_REDUCTION)

STAFF = "staff"
PATIENT = "patient"

# Colours on white, all above 4.5:1 (lines and text) so they pass WCAG 1.4.3 / 1.4.11.
INK = "#212529"
LINE = "#0a58ca"
THRESHOLD = "#146c43"
INFUSION = "#6f42c1"
MISSED = "#6c757d"
GRID = "#dee2e6"

WIDTH, HEIGHT = 420, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 16, 36
# Five labels: six on 368 units of axis left "Nov 10" and "Nov 14" touching (~47 units each).
MAX_DATE_TICKS = 5


@dataclass(frozen=True)
class Measure:
    key: str
    staff_label: str
    patient_label: str
    # Column headings of the table.
    staff_short: str
    patient_short: str
    # Fixed scale top (None: from the data, e.g. MME).
    scale_max: float | None
    ticks: tuple[float, ...] = ()
    decimals: int = 0
    lower_is_better: bool = True


MEASURES = (
    Measure(
        "peg",
        "PEG (pain, enjoyment of life, general activity; 0–10)",
        "Your pain and how it affects your life (0 = none, 10 = worst)",
        "PEG",
        "Pain and its effect (0–10)",
        10,
        (0, 2, 4, 6, 8, 10),
        decimals=1,
    ),
    Measure(
        "phq9",
        "PHQ-9 (depression; 0–27)",
        "Your mood over the last two weeks (0 = no low mood, 27 = the most)",
        "PHQ-9",
        "Mood (0–27)",
        27,
        (0, 5, 10, 15, 20, 27),
    ),
    Measure(
        "mme",
        "Opioids, MME/day",
        "Your opioid pain medicine each day (morphine-equivalent milligrams)",
        "MME/day",
        "Opioid medicine (mg a day)",
        None,
    ),
)
MEASURE_BY_KEY = {m.key: m for m in MEASURES}


@dataclass(frozen=True)
class Reading:
    """One moment on the chart: the intake (baseline), a check-in, or a missed check-in."""

    day: dt.date
    label: str
    values: dict = field(default_factory=dict)  # {"peg": 6.3, "phq9": 8, "mme": 40}
    baseline: bool = False
    missed: bool = False


@dataclass(frozen=True)
class Panel:
    measure: Measure
    title: str
    description: str
    svg: str


@dataclass(frozen=True)
class TableRow:
    day: dt.date
    label: str
    cells: tuple[str, ...]
    missed: bool = False
    infusion: bool = False


@dataclass(frozen=True)
class Chart:
    panels: tuple[Panel, ...]
    headings: tuple[str, ...]
    rows: tuple[TableRow, ...]
    infusion_count: int
    missed_count: int
    # PEG line a response starts at (30 % below baseline), None without a baseline PEG.
    responder_line: float | None
    # The outcome in words, as the caller gave it (consultations.outcomes).
    status: str = ""

    @property
    def empty(self) -> bool:
        return not self.panels


def short_date(day: dt.date, *, with_year: bool = False) -> str:
    """ "Nov 3" (or "Nov 3, 2026"): the axis and table read like the rest of the app."""
    text = f"{day:%b} {day.day}"
    return f"{text}, {day.year}" if with_year else text


def format_value(value, decimals: int) -> str:
    if value is None:
        return "—"
    if decimals:
        return f"{float(value):.{decimals}f}"
    number = float(value)
    return str(int(number)) if number == int(number) else f"{number:.1f}"


def responder_line(baseline_peg) -> float | None:
    """The PEG at or below which a reading is a 30 % response; None without a baseline."""
    if baseline_peg is None or baseline_peg <= 0:
        return None
    return round(float(baseline_peg) * (1 - RESPONDER_DROP), 2)


def build_chart(
    readings: Sequence[Reading],
    infusions: Sequence[dt.date] = (),
    *,
    audience: str = STAFF,
    id_prefix: str = "chart",
    status: str = "",
) -> Chart:
    """Panels for every measure with at least one value, and one table of every reading.

    `status` is the outcome in words ("Responder: PEG 52 % below baseline"), put into the
    PEG panel's description so a screen reader hears the conclusion first.
    """
    readings = sorted(readings, key=lambda r: (r.day, not r.baseline))
    infusions = sorted(set(infusions))
    days = [r.day for r in readings] + list(infusions)
    measures = [
        m for m in MEASURES if any(_number(r.values.get(m.key)) is not None for r in readings)
    ]
    baseline = next((r for r in readings if r.baseline), None)
    line = responder_line(_number(baseline.values.get("peg"))) if baseline else None
    panels = []
    if days and measures:
        first, last = min(days), max(days)
        for measure in measures:
            panels.append(
                _panel(
                    measure,
                    readings,
                    infusions,
                    first,
                    last,
                    audience=audience,
                    panel_id=f"{id_prefix}-{measure.key}",
                    threshold=line if measure.key == "peg" else None,
                    status=status if measure.key == "peg" else "",
                )
            )
    return Chart(
        panels=tuple(panels),
        headings=_headings(measures, audience),
        rows=_rows(readings, infusions, measures, audience),
        infusion_count=len(infusions),
        missed_count=sum(1 for r in readings if r.missed),
        responder_line=line,
        status=status,
    )


# ------------------------------------------------------------------------------- table


def _headings(measures, audience) -> tuple[str, ...]:
    names = [m.patient_short if audience == PATIENT else m.staff_short for m in measures]
    return ("Date", "What", *names)


def _rows(readings, infusions, measures, audience) -> tuple[TableRow, ...]:
    rows = []
    for r in readings:
        cells = tuple(
            ("not answered" if r.missed else format_value(_number(r.values.get(m.key)), m.decimals))
            for m in measures
        )
        rows.append(TableRow(r.day, r.label, cells, missed=r.missed))
    # Patients' table stays short on a phone: their treatment dates are in the description.
    if audience != PATIENT:
        for number, day in enumerate(infusions, start=1):
            rows.append(TableRow(day, f"Infusion {number}", ("",) * len(measures), infusion=True))
    # On an infusion day the pre-infusion check-in comes first (it is due before it).
    rows.sort(key=lambda row: (row.day, row.infusion))
    return tuple(rows)


# ------------------------------------------------------------------------------- SVG


def _panel(
    measure, readings, infusions, first, last, *, audience, panel_id, threshold, status
) -> Panel:
    points = [(r.day, _number(r.values.get(measure.key)), r.missed) for r in readings]
    values = [v for _, v, missed in points if v is not None and not missed]
    top = _scale_top(measure, values, threshold)
    ticks = measure.ticks or _nice_ticks(top)
    x = _x_scale(first, last)

    def y(value: float) -> float:
        return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top), 1)

    title = measure.patient_label if audience == PATIENT else measure.staff_label
    description = _describe(measure, readings, infusions, audience, threshold, status)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="outcome-chart" aria-labelledby="{panel_id}-title {panel_id}-desc" '
        f'id="{panel_id}" preserveAspectRatio="xMidYMid meet" focusable="false">',
        f'<title id="{panel_id}-title">{escape(title)}</title>',
        f'<desc id="{panel_id}-desc">{escape(description)}</desc>',
    ]
    parts += _y_axis(ticks, y, measure)
    parts += _x_axis(first, last, x)
    parts += _infusion_marks(infusions, x, audience)
    if threshold is not None:
        parts.append(_threshold(threshold, y, audience))
    parts += _line(points, x, y, measure)
    parts.append("</svg>")
    return Panel(measure=measure, title=title, description=description, svg="".join(parts))


def _scale_top(measure, values, threshold) -> float:
    if measure.scale_max is not None:
        return float(measure.scale_max)
    highest = max(values + [threshold or 0, 0])
    return float(_nice_ticks(highest)[-1]) if highest > 0 else 10.0


def _nice_ticks(highest: float) -> tuple[float, ...]:
    """0 and 4–6 round steps up to at least `highest` (MME has no fixed scale)."""
    if highest <= 0:
        return (0, 2, 4, 6, 8, 10)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        count = -(-highest // step)  # ceiling
        if count <= 5:
            return tuple(step * i for i in range(int(count) + 1))
    step = 10 ** len(str(int(highest)))
    return (0, step)


def _x_scale(first: dt.date, last: dt.date):
    span = (last - first).days
    inner = WIDTH - LEFT - RIGHT

    def x(day: dt.date) -> float:
        if span == 0:
            return round(LEFT + inner / 2, 1)
        return round(LEFT + inner * (day - first).days / span, 1)

    return x


def _date_ticks(first: dt.date, last: dt.date, most: int = MAX_DATE_TICKS) -> list[dt.date]:
    span = (last - first).days
    if span == 0:
        return [first]
    count = min(most, span + 1)
    ticks = [first + dt.timedelta(days=round(span * i / (count - 1))) for i in range(count)]
    return sorted(set(ticks))


def _spans_years(days) -> bool:
    return len({d.year for d in days}) > 1


def _y_axis(ticks, y, measure) -> list[str]:
    parts = [f'<g class="y-axis" fill="{INK}" font-size="13" text-anchor="end">']
    for tick in ticks:
        ty = y(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty}" y2="{ty}" stroke="{GRID}" '
            'stroke-width="1"/>'
        )
        parts.append(f'<text x="{LEFT - 6}" y="{ty + 4}">{format_value(tick, 0)}</text>')
    parts.append("</g>")
    return parts


def _x_axis(first, last, x) -> list[str]:
    base = HEIGHT - BOTTOM
    with_year = _spans_years([first, last])
    parts = [
        f'<g class="x-axis" fill="{INK}" font-size="13" text-anchor="middle">',
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}" stroke="{INK}"/>',
    ]
    # "Nov 2026" is wider than "Nov 10": fewer of them, and never the same month twice.
    ticks, seen = [], set()
    for day in _date_ticks(first, last, MAX_DATE_TICKS - 1 if with_year else MAX_DATE_TICKS):
        label = f"{day:%b} {day.year}" if with_year else short_date(day)
        if label not in seen:
            seen.add(label)
            ticks.append((day, label))
    for index, (day, label) in enumerate(ticks):
        tx = x(day)
        # The outer labels lean inwards, so neither is cut off at the chart's edge.
        anchor = ""
        if len(ticks) > 1 and index == 0:
            anchor = ' text-anchor="start"'
        elif len(ticks) > 1 and index == len(ticks) - 1:
            anchor = ' text-anchor="end"'
        parts.append(f'<line x1="{tx}" x2="{tx}" y1="{base}" y2="{base + 4}" stroke="{INK}"/>')
        parts.append(f'<text x="{tx}" y="{base + 18}"{anchor}>{escape(label)}</text>')
    parts.append("</g>")
    return parts


def _infusion_marks(infusions, x, audience) -> list[str]:
    if not infusions:
        return []
    word = "Treatment" if audience == PATIENT else "Infusion"
    parts = [f'<g class="infusions" stroke="{INFUSION}" stroke-width="2" stroke-dasharray="2 3">']
    for number, day in enumerate(infusions, start=1):
        ix = x(day)
        parts.append(
            f'<line x1="{ix}" x2="{ix}" y1="{TOP}" y2="{HEIGHT - BOTTOM}">'
            f"<title>{escape(f'{word} {number}, {short_date(day, with_year=True)}')}</title></line>"
        )
    parts.append("</g>")
    return parts


def _threshold(threshold, y, audience) -> str:
    ty = y(threshold)
    label = (
        "30% below where you started"
        if audience == PATIENT
        else f"Responder line: 30 % below baseline ({format_value(threshold, 1)})"
    )
    return (
        f'<g class="threshold"><line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty}" y2="{ty}" '
        f'stroke="{THRESHOLD}" stroke-width="2" stroke-dasharray="8 4"/>'
        f'<text x="{LEFT + 4}" y="{ty - 5}" fill="{THRESHOLD}" font-size="13">'
        f"{escape(label)}</text></g>"
    )


def _line(points, x, y, measure) -> list[str]:
    """Polylines between consecutive measured readings; a missed check-in ends a segment."""
    segments: list[list[tuple[float, float]]] = [[]]
    dots, misses = [], []
    for day, value, missed in points:
        if missed:
            misses.append(x(day))
            if segments[-1]:
                segments.append([])
            continue
        if value is None:
            continue  # not asked at this reading: no gap
        point = (x(day), y(value))
        segments[-1].append(point)
        dots.append((point, day, value))
    parts = [f'<g class="series" stroke="{LINE}" fill="none" stroke-width="2.5">']
    for segment in segments:
        if len(segment) >= 2:
            coords = " ".join(f"{px},{py}" for px, py in segment)
            parts.append(f'<polyline points="{coords}"/>')
    parts.append("</g>")
    parts.append(f'<g class="points" fill="{LINE}">')
    for (px, py), day, value in dots:
        tip = f"{short_date(day, with_year=True)}: {format_value(value, measure.decimals)}"
        parts.append(f'<circle cx="{px}" cy="{py}" r="4"><title>{escape(tip)}</title></circle>')
    parts.append("</g>")
    if misses:
        base = HEIGHT - BOTTOM
        parts.append(f'<g class="missed" stroke="{MISSED}" fill="#ffffff" stroke-width="2">')
        for mx in misses:
            parts.append(
                f'<circle cx="{mx}" cy="{base}" r="4"><title>Missed check-in</title></circle>'
            )
        parts.append("</g>")
    return parts


def _describe(measure, readings, infusions, audience, threshold, status) -> str:
    """The panel in one or two sentences: first and latest value, infusions, gaps."""
    measured = [
        (r, _number(r.values.get(measure.key)))
        for r in readings
        if not r.missed and _number(r.values.get(measure.key)) is not None
    ]
    patient = audience == PATIENT
    sentences = []
    if status:
        sentences.append(status.rstrip(".") + ".")
    first_r, first_v = measured[0]
    start = "where you started" if patient and first_r.baseline else first_r.label
    if len(measured) == 1:
        sentences.append(
            f"One reading: {format_value(first_v, measure.decimals)} on "
            f"{short_date(first_r.day, with_year=True)} ({start})."
        )
    else:
        last_r, last_v = measured[-1]
        sentences.append(
            f"From {format_value(first_v, measure.decimals)} on "
            f"{short_date(first_r.day, with_year=True)} ({start}) to "
            f"{format_value(last_v, measure.decimals)} on "
            f"{short_date(last_r.day, with_year=True)} ({last_r.label}), "
            f"{len(measured)} readings."
        )
    if threshold is not None:
        sentences.append(
            "The dashed green line is 30% below where you started."
            if patient
            else f"Responder line (30 % below baseline) at {format_value(threshold, 1)}."
        )
    if infusions:
        word = "treatment" if patient else "infusion"
        plural = "" if len(infusions) == 1 else "s"
        sentences.append(f"{len(infusions)} {word}{plural} marked with dotted purple lines.")
        if patient:
            dates = ", ".join(short_date(day, with_year=True) for day in infusions)
            sentences.append(f"Your treatment{plural}: {dates}.")
    missed = sum(1 for r in readings if r.missed)
    if missed:
        plural = "" if missed == 1 else "s"
        sentences.append(
            f"{missed} missed check-in{plural}, shown as a break in the line and a hollow "
            "circle on the date axis."
        )
    return " ".join(sentences)


def _number(value) -> float | None:
    """A score as a float; None for missing or unreadable values (never 0 by accident)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
