"""The week page's appointments as plain rows: one query of values, no model instances.

The week reads a few hundred appointments with their patient, provider, type and chair:
as models that was five instances a row (a thousand a page, and the garbage collector
sweeping after them), more than the page spent drawing them. A `WeekAppointment` answers
what the week's grid, list, buttons and audit row read of an appointment, by the same
names; its patient, provider, type and chair are shared by the rows that name them. It is
its own calendar entry too (selectors.Entry's names: times in clinic time, the provider's
when their zone differs): one object a row, not two.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import (
    CharField,
    DateField,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    TimeField,
)

from clinic.core import tagged_union
from clinic.core.prepared import Prepared, run_together

from . import availability as av
from .models import (
    Appointment,
    AppointmentStatus,
    Chair,
    DateOverride,
    Location,
    Provider,
    WorkingHours,
)
from .selectors import Entry, _zone, appointments

_MODES = dict(Appointment._meta.get_field("mode").flatchoices)
_STATUSES = dict(AppointmentStatus.choices)


class Named:
    """A patient, provider, appointment type or chair as the week shows it: its id and name
    (and a provider's time zone)."""

    __slots__ = ("pk", "name", "time_zone")

    def __init__(self, pk: int, name: str, time_zone: str = ""):
        self.pk, self.name, self.time_zone = pk, name, time_zone

    def __str__(self) -> str:
        return self.name


# An appointment's own columns, read first: WeekAppointment unpacks them in this order.
_OWN = (
    "pk",
    "status",
    "mode",
    "start",
    "end",
    "uses_chair",
    "chair_end",
    "patient_id",
    "provider_id",
    "appointment_type_id",
    "chair_id",
)


class WeekAppointment:
    """What the week page reads of an appointment, by the model's names; and, as
    selectors.Entry, the calendar's entry for it (`appointment` is itself)."""

    # Its own columns (as read, in _COLUMNS' order), then the shared names, then the
    # provider's own times (None when their zone is the clinic's).
    __slots__ = (
        *_OWN,
        "patient",
        "provider",
        "appointment_type",
        "chair",
        "provider_start",
        "provider_end",
    )

    def __init__(self, row: tuple, start, end, chair_end, names: tuple, clinic: str):
        """`row`: as _COLUMNS reads it (its times given apart: `start`, `end`,
        `chair_end`, in clinic time); `names`: the page's patients, providers, types and
        chairs by id, each made here the first time a row names it."""
        patients, providers, kinds, chairs = names
        self.pk, self.status, self.mode = row[0], row[1], row[2]
        self.start, self.end, self.uses_chair, self.chair_end = start, end, row[5], chair_end
        self.patient_id = patient_id = row[7]
        self.provider_id = provider_id = row[8]
        self.appointment_type_id = kind_id = row[9]
        self.chair_id = chair_id = row[10]
        patient = patients.get(patient_id)
        if patient is None:
            # As User.__str__: the full name, or the email when there is none.
            name = f"{row[11]} {row[12]}".strip() or row[13]
            patient = patients[patient_id] = Named(patient_id, name)
        self.patient = patient
        provider = providers.get(provider_id)
        if provider is None:
            provider = providers[provider_id] = Named(provider_id, row[14], row[15])
        self.provider = provider
        kind = kinds.get(kind_id)
        if kind is None:
            kind = kinds[kind_id] = Named(kind_id, row[16])
        self.appointment_type = kind
        if chair_id is None:
            self.chair = None
        else:
            chair = chairs.get(chair_id)
            if chair is None:
                chair = chairs[chair_id] = Named(chair_id, row[17])
            self.chair = chair
        if provider.time_zone == clinic:
            self.provider_start = self.provider_end = None
        else:
            own = _zone(provider.time_zone)
            self.provider_start = start.astimezone(own)
            self.provider_end = end.astimezone(own)

    @property
    def id(self) -> int:
        return self.pk

    @property
    def appointment(self) -> WeekAppointment:
        return self

    # The entry's words, as selectors.Entry says them (its start and end are clinic time).
    day = Entry.day
    when = Entry.when
    start_label = Entry.start_label
    provider_when = Entry.provider_when

    def get_mode_display(self) -> str:
        return _MODES.get(self.mode, self.mode)

    def get_status_display(self) -> str:
        return _STATUSES.get(self.status, self.status)


_COLUMNS = (
    *_OWN,
    # What the names are made of: read by WeekAppointment, in this order.
    "patient__first_name",
    "patient__last_name",
    "patient__email",
    "provider__display_name",
    "provider__time_zone",
    "appointment_type__name",
    "chair__name",
)


class _Epoch(Func):
    """A timestamp as seconds since 1970, a float8: exact to the microsecond at today's
    dates (float8 resolves half a microsecond there)."""

    # date_part gives the float8 itself; EXTRACT computes a numeric, then cast: the same
    # value (the quotient of the same microseconds, rounded once), some 0.15 ms slower a week.
    template = "date_part('epoch', %(expressions)s)"
    output_field = FloatField()
    # The driver gives a float8 as a float already: no float() a value on the way out.
    convert_value = staticmethod(Func._convert_value_noop)


_TIMES = ("start", "end", "chair_end")  # columns 3, 4 and 6 of _COLUMNS


def _week_rows(start, end, provider_id, include_cancelled: bool):
    """The week's query; on PostgreSQL with its times as epoch seconds."""
    provider = None if provider_id is None else Provider(pk=provider_id)
    rows = appointments(
        start=start, end=end, provider=provider, include_cancelled=include_cancelled
    ).select_related(None)
    if connection.vendor != "postgresql":
        return rows.values_list(*_COLUMNS)
    rows = rows.annotate(**{f"{name}_epoch": _Epoch(F(name)) for name in _TIMES})
    return rows.values_list(*(f"{c}_epoch" if c in _TIMES else c for c in _COLUMNS))


# The week's SQL, compiled once a process for each shape (the whole clinic or one
# provider; cancelled shown or not): building and compiling it cost as much as running it.
_WEEK = {
    (whole, cancelled): Prepared(
        (lambda s, e, c=cancelled: _week_rows(s, e, None, c))
        if whole
        else (lambda s, e, who, c=cancelled: _week_rows(s, e, who, c))
    )
    for whole in (True, False)
    for cancelled in (False, True)
}


def week(
    *, start: dt.datetime, end: dt.datetime, provider=None, include_cancelled: bool = False
) -> list[WeekAppointment]:
    """selectors.appointments() in [start, end), in its order, as WeekAppointments: one
    query."""
    prepared, values = _week_query(start, end, provider, include_cancelled)
    return _week_appointments(prepared.all(*values))


def _week_query(start, end, provider, include_cancelled: bool) -> tuple[Prepared, tuple]:
    prepared = _WEEK[provider is None, include_cancelled]
    return prepared, (start, end) if provider is None else (start, end, provider.pk)


def _week_appointments(fetched) -> list[WeekAppointment]:
    """The rows as WeekAppointments, their times in clinic time (as an Entry's are)."""
    names: tuple = ({}, {}, {}, {})  # patients, providers, types, chairs, by id
    clinic = settings.CLINIC_TIME_ZONE
    zone = _zone(clinic)
    if connection.vendor != "postgresql":
        return [
            WeekAppointment(
                row,
                row[3].astimezone(zone),
                row[4].astimezone(zone),
                None if row[6] is None else row[6].astimezone(zone),
                names,
                clinic,
            )
            for row in fetched
        ]
    # On PostgreSQL the times come as epoch seconds: Django loads a timestamptz with a
    # Python parser (a regular expression a value), which for a week's ~225 rows and
    # their three times cost more than the rest of the query; a float8 loads in C. A
    # week's rows share a few dozen times (quarter hours): each is made once, and the
    # rows starting or ending then share it.
    stamp = dt.datetime.fromtimestamp
    moments: dict[float, dt.datetime] = {}
    made = []
    for row in fetched:
        start = moments.get(row[3])
        if start is None:
            start = moments[row[3]] = stamp(row[3], zone)
        end = moments.get(row[4])
        if end is None:
            end = moments[row[4]] = stamp(row[4], zone)
        chair_end = row[6]
        if chair_end is not None:
            chair_end = moments.get(row[6])
            if chair_end is None:
                chair_end = moments[row[6]] = stamp(row[6], zone)
        made.append(WeekAppointment(row, start, end, chair_end, names, clinic))
    return made


# Every provider, as Provider.objects.all() gives them: SQL compiled once a process.
PROVIDERS = Prepared(lambda: Provider.objects.all())


@dataclass(frozen=True)
class WeekPage:
    """What the week page reads, in one round trip (clinic.core.prepared.run_together)."""

    providers: list  # every Provider, as Provider.objects.all() gives them
    rows: list[WeekAppointment]  # as week() gives them
    parts: list | None  # the grid's inputs as grid_inputs(parts=...) takes them; None: no grid
    also: list  # each `also` statement's rows, as the driver gives them


def week_page(
    *,
    start: dt.datetime,
    end: dt.datetime,
    provider=None,
    include_cancelled: bool = False,
    grid: tuple[dt.date, dt.date] | None = None,
    also: tuple = (),
) -> WeekPage:
    """Every provider, week()'s rows, the grid's inputs for the days grid=(first, last)
    (when drawn) and the `also` statements' rows (the alerts banner's probe), in one round
    trip on PostgreSQL: the page waits for the database once, not four times."""
    prepared, values = _week_query(start, end, provider, include_cancelled)
    statements = [PROVIDERS.statement(), prepared.statement(*values)]
    if grid is not None:
        statements.append(_grid_statement(provider, *grid))
    statements.extend(also)
    found = run_together(statements)
    providers, rows = PROVIDERS.instances(found[0]), found[1]
    parts = None
    if grid is not None:
        parts = _GRID[provider is None].tuples(found[2])
    return WeekPage(
        providers=providers,
        rows=_week_appointments(prepared.tuples(rows)),
        parts=parts,
        also=found[len(found) - len(also) :],
    )


# --------------------------------------------------------------------- the grid's inputs

_KINDS = dict(DateOverride.Kind.choices)

# One statement for the grid's working hours, time off and closures, and chairs
# (clinic.core.tagged_union): the columns after the tag.
_LAYOUT = {
    "who": IntegerField(),
    "number": IntegerField(),
    "t1": TimeField(),
    "t2": TimeField(),
    "d1": DateField(),
    "d2": DateField(),
    "word": CharField(),
    "note_": CharField(),
}


def _grid_parts(first: dt.date, last: dt.date, provider_id):
    """Working hours ("h": provider, weekday, start, end, valid from, valid to), the time off
    and closures over first..last ("o": provider, id, start, end, first and last date, kind,
    note) and the clinic's active chairs ("c": their room's name), in one query, in no order
    (grid_inputs puts the time off and closures in their model's order)."""
    if provider_id is None:  # the whole clinic: every active provider's
        whose = Q(provider_id__in=Provider.objects.filter(active=True).values("pk"))
    else:
        whose = Q(provider_id=provider_id)
    hours = tagged_union.part(
        WorkingHours.objects.filter(whose),
        "h",
        _LAYOUT,
        who=F("provider_id"),
        number=F("weekday"),
        t1=F("start"),
        t2=F("end"),
        d1=F("valid_from"),
        d2=F("valid_to"),
    )
    overrides = tagged_union.part(
        DateOverride.objects.overlapping(first, last).filter(
            whose | Q(kind=DateOverride.Kind.CLOSURE)
        ),
        "o",
        _LAYOUT,
        who=F("provider_id"),
        number=F("pk"),
        t1=F("start"),
        t2=F("end"),
        d1=F("start_date"),
        d2=F("end_date"),
        word=F("kind"),
        note_=F("note"),
    )
    chairs = tagged_union.part(
        Chair.objects.filter(active=True, location__kind=Location.Kind.CLINIC),
        "c",
        _LAYOUT,
        word=F("location__name"),
    )
    # Unordered: sorting the ~100 rows of hours cost the database more than sorting the few
    # time off and closures costs grid_inputs.
    return hours.union(overrides, chairs, all=True)


_GRID = {
    True: Prepared(lambda f, t: _grid_parts(f, t, None)),
    False: Prepared(lambda f, t, who: _grid_parts(f, t, who)),
}


def _grid_values(provider: Provider | None, first: dt.date, last: dt.date) -> tuple:
    """_GRID's values: the days around first..last (a provider's own day may start or end
    on the clinic's day before or after), and the provider's id when there is one."""
    near_first, near_last = first - dt.timedelta(days=1), last + dt.timedelta(days=1)
    if provider is None:
        return near_first, near_last
    return near_first, near_last, provider.pk


def _grid_statement(provider: Provider | None, first: dt.date, last: dt.date) -> tuple:
    return _GRID[provider is None].statement(*_grid_values(provider, first, last))


def _model_order(vendor: str):
    """A sort key of "o" rows as DateOverride orders (start date, start, id) on this
    database: a whole day's NULL start last on PostgreSQL, first elsewhere (SQLite)."""
    nulls_last = vendor == "postgresql"

    def key(row):
        start = row[3]
        return row[5], (start is None) == nulls_last, start or dt.time(0), row[2]

    return key


def _override_label(kind: str, note: str) -> str:
    what = "Clinic closed" if kind == DateOverride.Kind.CLOSURE else _KINDS.get(kind, kind)
    return f"{what}: {note}" if note else what


def grid_inputs(
    *, provider: Provider | None, first: dt.date, last: dt.date, active: list, parts=None
) -> dict:
    """What the calendar grid draws besides appointments, in one query however many days,
    providers or entries: who has a column (`active`: the active Providers, in their order,
    already read), their working time (free), their time off and closures (labelled), and
    the clinic's infusion chairs. `parts`: that query's rows already read (week_page)."""
    providers = [provider] if provider is not None else active
    specs = [av.ProviderSpec(p.pk, _zone(p.time_zone).key) for p in providers]
    near_first, near_last = first - dt.timedelta(days=1), last + dt.timedelta(days=1)
    if parts is None:
        parts = _GRID[provider is None].all(*_grid_values(provider, first, last))
    hours, found, chair_rooms = [], [], {}
    for row in parts:
        tag = row[0]
        if tag == "h":
            hours.append(av.WorkingHoursSpec(*row[1:7]))
        elif tag == "o":
            found.append(row)
        else:
            chair_rooms[row[7]] = chair_rooms.get(row[7], 0) + 1
    # In the model's order: where two overlap, the first one's label is the row's.
    found.sort(key=_model_order(connection.vendor))
    overrides = [
        (av.OverrideSpec(word, d1, who, t1, t2, d2, note=note), _override_label(word, note))
        for _, who, _, t1, t2, d1, d2, word, note in found
    ]
    zone = settings.CLINIC_TIME_ZONE
    working = av.working_intervals(
        specs, near_first, near_last, hours, [spec for spec, _ in overrides], zone
    )
    cuts = {
        p.id: [
            (interval, label)
            for spec, label in overrides
            for interval in av.override_cuts(spec, p, zone, near_first, near_last)
        ]
        for p in specs
    }
    rooms = sorted(chair_rooms.items())
    return {
        "providers": [(p.pk, p.display_name) for p in providers],
        "working": working,
        "cuts": cuts,
        "chair_capacity": sum(chairs for _, chairs in rooms),
        "chair_title": "Infusion chairs" + (f" ({rooms[0][0]})" if len(rooms) == 1 else ""),
    }
