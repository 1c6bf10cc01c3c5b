"""`{% grid_body grid week %}`: the rows of the staff calendar's time grid (_grid.html),
and `{% week_entries entries filters %}`: one day's list items on the week page.

A week draws about five hundred cells and a few hundred appointments, twice (grid and
list); as template code, or as format_html calls, that was most of the page's time. So
they are written here as f-strings: each value is escaped once for each appointment
(`_words`, `e`, the same characters as conditional_escape) and each piece is marked safe
once, where it is finished. The en dash and middle dot are written as &ndash; and &middot;:
the half-megabyte week then stays ASCII, which Python copies and encodes a byte a character
(one "–" anywhere made every string holding it twice as wide, and every join widen).
"""

import datetime as dt
from functools import lru_cache

from django import template
from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from clinic.core.html import e

from .appointment_actions import Page

register = template.Library()


class _Sheet:
    """What the grid and the week's list share on one page: the button maker, the search
    URL, and each patient's name and each type (with chair) as written, escaped once a
    page however many appointments name them."""

    def __init__(self, context):
        self.page = Page(context)
        self.search = e(reverse("schedule:search"))
        self.patients: dict = {}
        self.kinds: dict = {}
        self.words: dict = {}  # each appointment's _Words, by id (the grid and the list share)

    def patient(self, a) -> str:
        name = self.patients.get(a.patient_id)
        if name is None:
            name = self.patients[a.patient_id] = e(a.patient)
        return name

    def kind(self, a) -> str:
        key = (a.appointment_type_id, a.chair_id)
        kind = self.kinds.get(key)
        if kind is None:
            kind = e(a.appointment_type)
            if a.chair_id is not None:
                kind = f"{kind} &middot; {e(a.chair.name)}"
            self.kinds[key] = kind
        return kind


def _sheet(context) -> _Sheet:
    """The page's _Sheet, made once a page for the grid and the week's list alike. Kept in
    the render context's first state: each included template (the grid is one) renders
    with a fresh state of its own, and the whole page's render shares only the first."""
    shared = context.render_context.dicts[0]
    sheet = shared.get(_Sheet)
    if sheet is None:
        sheet = shared[_Sheet] = _Sheet(context)
    return sheet


@register.simple_tag
def grid_head(grid, week, today, filters):
    """The grid's column groups and headings: on the week, a heading for each day (a link
    to it) over its columns; then each column's (a provider, chairs, or an idle day's),
    its day said first for screen readers on the week."""
    named = {day: e(day_label(day, "D M j")) for day in grid.days}  # once a day
    out = ['<colgroup><col class="cal-time-col"></colgroup>\n']
    for _day, columns in grid.day_columns:
        cols = "".join(f'<col class="cal-col-{e(c.kind)}">' for c in columns)
        out.append(f"<colgroup>{cols}</colgroup>")
    out.append("\n<thead>\n")
    if week:
        day_url = e(reverse("schedule:day"))
        provider = f"&amp;provider={e(filters.provider.pk)}" if filters.provider else ""
        out.append('<tr>\n<td class="cal-corner"></td>\n')
        for day, span in grid.day_heads:
            today_class, badge = "", ""
            if day == today:
                today_class = " cal-today"
                badge = ' <span class="badge text-bg-primary">Today</span>'
            out.append(
                f'<th scope="colgroup" colspan="{e(span)}" class="cal-day{today_class}">\n'
                f'<a href="{day_url}?date={e(day.isoformat())}{provider}">{named[day]}</a>'
                f"{badge}\n</th>\n"
            )
        out.append("</tr>\n")
    out.append('<tr>\n<th scope="col" class="cal-time-head">Time</th>\n')
    for c in grid.columns:
        classes = " cal-day-start" if c.first_of_day else ""
        if c.kind == "chairs":
            classes += " cal-chairs-head"
        day = f'<span class="visually-hidden">{named[c.day]}, </span>' if week else ""
        out.append(f'<th scope="col" class="cal-col-head{classes}">{day}{e(c.title)}</th>\n')
    out.append("</tr>\n</thead>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value went through e (escaped)


@register.simple_tag(takes_context=True)
def grid_body(context, grid, week=False):
    sheet = _sheet(context)
    drawn: dict = {}  # cells that read the same are written once
    by_id: dict = {}  # ... and a cell the grid shares between columns is looked at once
    zone = _local_zone()
    out = []
    for row in grid.rows:
        # Each row's heading, in the page's time zone (as the template filters would).
        start = row.start if zone is None else row.start.astimezone(zone)
        key = (start.hour, start.minute, row.on_the_hour)
        out.append(_HEADS.get(key) or _head(key))
        for cell in row.cells:
            if cell is None:  # a block above spans it
                continue
            if cell.kind == "busy":
                entries = cell.entries
                if len(entries) == 1:
                    body = _appointment(entries[0], week, sheet)
                else:
                    body = "".join([_appointment(e, week, sheet) for e in entries])
                out.append(f'\n<td rowspan="{cell.rows:d}" class="cal-busy">\n{body}\n</td>\n')
                continue
            # The grid holds its cells while this runs: an id names one cell throughout.
            html = by_id.get(id(cell))
            if html is None:
                key = (cell.kind, cell.rows, cell.label, cell.used, cell.capacity)
                html = drawn.get(key)
                if html is None:
                    html = drawn[key] = _cell(cell)
                by_id[id(cell)] = html
            out.append(html)
        out.append("\n</tr>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value went through e (escaped)


def _local_zone():
    """The zone template_localtime converts to (the current one), or None: no time zones."""
    return timezone.get_current_timezone() if settings.USE_TZ else None


_HEADS: dict[tuple[int, int, bool], str] = {}  # a row's opening, by (hour, minute, on the hour)


def _head(key: tuple[int, int, bool]) -> str:
    """A row's <tr> and time heading: the hour ("8 AM") on the hour, else the minute
    ("8:15 AM") for screen readers only; kept per process (96 quarter hours at most)."""
    hour_of_day, minute, on_the_hour = key
    hour = f"{hour_of_day % 12 or 12}"
    noon = "AM" if hour_of_day < 12 else "PM"
    if on_the_hour:
        html = (
            f'\n<tr class="cal-hour">\n<th scope="row" class="cal-time">{e(f"{hour} {noon}")}'
            "</th>\n"
        )
    else:
        html = (
            f'\n<tr class="">\n<th scope="row" class="cal-time"><span class="visually-hidden">'
            f"{e(f'{hour}:{minute:02d} {noon}')}</span></th>\n"
        )
    _HEADS[key] = html
    return html


def _cell(cell) -> str:
    """A cell that is not an appointment block: chairs in use, time off, free, not working."""
    full = " cal-full" if cell.full else ""
    head = f'\n<td rowspan="{e(cell.rows)}" class="cal-{e(cell.kind)}{full}">\n'
    if cell.kind == "chairs":
        if cell.used:
            body = (
                f'<span class="cal-chairs-count">{e(cell.used)}/{e(cell.capacity)}</span>'
                '<span class="visually-hidden"> chairs in use</span>'
                + (' <span class="cal-chairs-full">full</span>' if cell.full else "")
            )
        else:
            body = '<span class="visually-hidden">No chairs in use</span>'
    elif cell.kind == "off":
        icon = "bi-door-closed" if cell.label[:6] == "Clinic" else "bi-calendar-x"
        body = (
            f'<span class="cal-label"><i class="bi {icon}" aria-hidden="true"></i> '
            f"{e(cell.label)}</span>"
        )
    elif cell.kind == "free":
        body = '<span class="cal-label">Free</span>'
    else:
        body = f'<span class="visually-hidden">{e(cell.label)}</span>'
    return f"{head}{body}\n</td>\n"


class _Words:
    """One appointment's values as the calendar writes them, each escaped once a page."""

    __slots__ = (
        "pk",
        "status",
        "when",
        "start",
        "patient",
        "patient_link",
        "kind",
        "said",
        "actions",
    )

    def __init__(self, e, sheet: _Sheet):
        # Each piece is looked up where kept (a page or a process) before it is made: a
        # week makes a few hundred of these.
        a = e.appointment
        self.pk = f"{a.pk:d}"  # ids are ints: nothing in them to escape
        self.status = _CLASSES.get(a.status) or _status_class(a.status)
        start, end = e.start, e.end
        self.start = _CLOCK.get((start.hour, start.minute)) or _clock_of(start)
        end = _CLOCK.get((end.hour, end.minute)) or _clock_of(end)
        self.when = f"{self.start}&ndash;{end}"  # Entry.when, from the labels kept
        self.patient = sheet.patients.get(a.patient_id) or sheet.patient(a)
        self.patient_link = f"{sheet.search}?patient={a.patient_id:d}"
        self.kind = sheet.kinds.get((a.appointment_type_id, a.chair_id)) or sheet.kind(a)
        self.said = f"{self.patient}, {self.when}"  # each button's words for screen readers
        # Its buttons (HTML, not yet marked safe): the grid's block and the list's item
        # draw the same, with the same label.
        self.actions = sheet.page.actions(a, said=self.said)


_CLOCK: dict[tuple[int, int], str] = {}  # "9:00 AM" for each (hour, minute): 1,440 at most


def _clock_of(moment) -> str:
    """“9:00 AM”: the `%-I:%M %p` Entry.when writes (a clinic-time datetime), escaped and
    kept."""
    key = (moment.hour, moment.minute)
    label = _CLOCK.get(key)
    if label is None:
        label = _CLOCK[key] = e(f"{moment:%-I:%M %p}")
    return label


_CLASSES: dict[str, str] = {}  # a status as a class name: a handful of values


def _status_class(status: str) -> str:
    name = _CLASSES.get(status)
    if name is None:
        name = _CLASSES[status] = e(status)
    return name


_MODES: dict[str, str] = {}  # a mode's label is its choice's, fixed in the code


def _mode(a) -> str:
    label = _MODES.get(a.mode)
    if label is None:
        label = _MODES[a.mode] = e(a.get_mode_display())
    return label


def _words(e, sheet: _Sheet) -> _Words:
    pk = e.appointment.pk
    words = sheet.words.get(pk)
    if words is None:
        words = sheet.words[pk] = _Words(e, sheet)
    return words


def _appointment(e, week, sheet: _Sheet) -> str:
    a = e.appointment
    w = sheet.words.get(a.pk) or _words(e, sheet)
    if week:
        when = (
            f'<span aria-hidden="true">{w.start}</span>'
            f'<span class="visually-hidden">{w.when}</span>'
        )
    else:
        when = w.when
    kind = w.kind
    if a.mode == "telehealth":
        kind = f'{kind} &middot; <i class="bi bi-camera-video" aria-hidden="true"></i> video'
    state = ""
    if a.status != "booked":
        state = f'<span class="cal-appt-status">{_STATUS.get(a.status) or _status(a)}</span>\n'
    chair = " cal-appt-chair" if a.uses_chair else ""
    actions = w.actions
    return (
        f'\n<div class="cal-appt cal-appt-{w.status}{chair}" id="appt-{w.pk}">\n'
        f'<span class="cal-appt-time">{when}</span>\n'
        f'<a href="{w.patient_link}" class="cal-appt-patient">{w.patient}</a>\n'
        f'<span class="cal-appt-type">{kind}</span>\n'
        f"{state}"
        f'<div class="cal-appt-actions">{actions}</div>\n</div>\n'
    )


_STATUS: dict[str, str] = {}  # a status's label is its choice's, fixed in the code


def _status(a) -> str:
    """_status.html for the appointment's status: a handful of values, each drawn once."""
    if a.status not in _STATUS:
        html = get_template("consultations/staff/_status.html").render(
            {"status": a.status, "label": a.get_status_display()}
        )
        # A plain str (str() of a SafeString is itself): an f-string takes it as it is,
        # with no __str__ call each time it is written.
        _STATUS[a.status] = "".join([html])
    return _STATUS[a.status]


@register.simple_tag
def day_label(day: dt.date, format_string: str) -> str:
    """`day|date:format_string`, kept per process: a week's pages name the same few days,
    and the date filter (its names translated each time) cost a tenth of a millisecond."""
    return _day_label(day, format_string, translation.get_language())


@lru_cache(maxsize=1024)
def _day_label(day: dt.date, format_string: str, language: str | None) -> str:
    return str(date_filter(day, format_string))


@register.simple_tag(takes_context=True)
def week_days(context, days, today, filters):
    """The week page's list: each day a card headed by its name (a link to the day) and
    holding its appointments (`week_entries`)."""
    day_url = e(reverse("schedule:day"))
    provider = f"&amp;provider={filters.provider.pk:d}" if filters.provider else ""
    out = []
    for n, (day, entries) in enumerate(days, start=1):
        border, badge = "", ""
        if day == today:
            border, badge = " border-primary", ' <span class="badge text-bg-primary">Today</span>'
        out.append(
            f'\n<section class="col" aria-labelledby="day-{n}">\n'
            f'<div class="card h-100{border}">\n<h2 class="card-header h6" id="day-{n}">\n'
            f'<a href="{day_url}?date={day.isoformat()}{provider}">'
            f"{e(day_label(day, 'l, M j'))}</a>{badge}\n</h2>\n"
            f'<ul class="list-group list-group-flush small">'
            f"{week_entries(context, entries, filters)}</ul>\n</div>\n</section>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value went through e (escaped)


@register.simple_tag(takes_context=True)
def week_entries(context, entries, filters):
    """The list items of one day on the week page: each appointment's clinic time, provider
    (on the whole clinic's week), patient (a link to their appointments), type, chair,
    mode, status, its buttons, and the provider's own time when it differs."""
    if not entries:
        return mark_safe('\n<li class="list-group-item text-body-secondary">No appointments</li>\n')
    sheet = _sheet(context)
    providers: dict = {}
    out = []
    for entry in entries:
        a = entry.appointment
        w = sheet.words.get(a.pk) or _words(entry, sheet)
        provider = ""
        if not filters.provider:
            provider = providers.get(a.provider_id)
            if provider is None:
                provider = providers[a.provider_id] = f" &middot; {e(a.provider)}"
        own = entry.provider_when
        if own:
            own = e(own).replace("–", "&ndash;")  # as _Words.when: the list stays ASCII
            own = f'<br><span class="text-body-secondary">Provider\'s time: {own}</span>'
        actions = w.actions
        out.append(
            f'\n<li class="list-group-item">\n<strong>{w.when}</strong>{provider}<br>\n'
            f'<a href="{w.patient_link}">{w.patient}</a> &middot; {w.kind} &middot; '
            f"{_MODES.get(a.mode) or _mode(a)}<br>\n{_STATUS.get(a.status) or _status(a)}\n"
            f'<div class="mt-1">{actions}</div>\n{own}\n</li>\n'
        )
    return mark_safe("".join(out))  # noqa: S308 - every value went through e (escaped)


# The calendar's tabs: route, label, whether the tab keeps the page's filters (date,
# provider, cancelled, view).
_TABS = (
    ("schedule:today", "Today", False),
    ("schedule:day", "Day", True),
    ("schedule:week", "Week", True),
    ("schedule:search", "Find a patient", False),
    ("schedule:patients", "Book for a patient", False),
    ("schedule:boosters", "Boosters to offer", False),
)


@lru_cache(maxsize=8)
def _tabs(prefix: str, urlconf) -> tuple[tuple[str, str, str, bool], ...]:
    """Each tab's URL (as compared with the request's path, and escaped) and label,
    reversed once a process (and script prefix) rather than six times a page."""
    return tuple(
        (url := reverse(name, urlconf=urlconf), e(url), e(label), keeps)
        for name, label, keeps in _TABS
    )


@register.simple_tag(takes_context=True)
def calendar_nav(context):
    """The calendar pages' tabs, the page's own marked as current; Day and Week keep the
    filters shown (the week of a date, a provider) when the page has them."""
    path = context["request"].path
    filters = context.get("filters")
    query = e(filters.query()) if filters else ""
    items = []
    for url, href, label, keeps in _tabs(get_script_prefix(), get_urlconf()):
        here = ' active" aria-current="page' if path == url else ""
        items.append(
            f'    <li class="nav-item"><a class="nav-link{here}" href="{href}'
            f'{query if keeps else ""}">{label}</a></li>\n'
        )
    return mark_safe(  # noqa: S308 - every value went through e (escaped)
        '<nav aria-label="Calendar pages" class="mb-3 no-print">\n'
        f'  <ul class="nav nav-tabs small">\n{"".join(items)}  </ul>\n</nav>'
    )
