"""The week page's appointments as plain rows: one query of values, no model instances.

The week reads a few hundred appointments with their patient, provider, type and chair:
as models that was five instances a row (a thousand a page, and the garbage collector
sweeping after them), more than the page spent drawing them. A `WeekAppointment` answers
what the week's grid, list, buttons and audit row read of an appointment, by the same
names; its patient, provider, type and chair are shared by the rows that name them.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import F, FloatField, Func

from .models import Appointment, AppointmentStatus, Provider
from .selectors import appointments

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
    """What the week page reads of an appointment, by the model's names."""

    # Its own columns (as read, in _COLUMNS' order), then the shared names.
    __slots__ = (*_OWN, "patient", "provider", "appointment_type", "chair")

    def __init__(self, row: tuple, named: dict):
        (
            self.pk,
            self.status,
            self.mode,
            self.start,
            self.end,
            self.uses_chair,
            self.chair_end,
            self.patient_id,
            self.provider_id,
            self.appointment_type_id,
            self.chair_id,
        ) = row[: len(_OWN)]
        self.patient = named["patient", self.patient_id]
        self.provider = named["provider", self.provider_id]
        self.appointment_type = named["type", self.appointment_type_id]
        self.chair = named["chair", self.chair_id] if self.chair_id is not None else None

    @property
    def id(self) -> int:
        return self.pk

    def get_mode_display(self) -> str:
        return _MODES.get(self.mode, self.mode)

    def get_status_display(self) -> str:
        return _STATUSES.get(self.status, self.status)


_COLUMNS = (
    *_OWN,
    # What the names are made of: read by _names() below, in this order.
    "patient__first_name",
    "patient__last_name",
    "patient__email",
    "provider__display_name",
    "provider__time_zone",
    "appointment_type__name",
    "chair__name",
)


def _names(row: tuple, named: dict) -> None:
    """The row's patient, provider, type and chair, each made once a page."""
    _, _, _, _, _, _, _, patient, provider, kind, chair, first, last, email = row[:14]
    if ("patient", patient) not in named:
        # As User.__str__: the full name, or the email when there is none.
        named["patient", patient] = Named(patient, f"{first} {last}".strip() or email)
    if ("provider", provider) not in named:
        named["provider", provider] = Named(provider, row[14], row[15])
    if ("type", kind) not in named:
        named["type", kind] = Named(kind, row[16])
    if chair is not None and ("chair", chair) not in named:
        named["chair", chair] = Named(chair, row[17])


class _Epoch(Func):
    """A timestamp as seconds since 1970, a float8: exact to the microsecond at today's
    dates (float8 resolves half a microsecond there)."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
    output_field = FloatField()


_TIMES = ("start", "end", "chair_end")  # columns 3, 4 and 6 of _COLUMNS


def _from_epoch(seconds: float | None) -> dt.datetime | None:
    return None if seconds is None else dt.datetime.fromtimestamp(seconds, dt.UTC)


def _epoch_rows(start, end, provider, include_cancelled: bool):
    """The week's query with its times as epoch seconds (PostgreSQL)."""
    rows = appointments(
        start=start, end=end, provider=provider, include_cancelled=include_cancelled
    ).select_related(None)
    rows = rows.annotate(**{f"{name}_epoch": _Epoch(F(name)) for name in _TIMES})
    return rows.values_list(*(f"{c}_epoch" if c in _TIMES else c for c in _COLUMNS))


# Stand for the week's values in its compiled statement: no real week starts in 1900, and
# no provider has this id (within a 32-bit id's range, as Django wants).
_FROM = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
_TO = dt.datetime(1900, 1, 8, tzinfo=dt.UTC)
_WHO = -1_987_654_320
_COMPILED: dict[tuple, tuple[str, list, dict[int, int]]] = {}


def _statement(provider, include_cancelled: bool) -> tuple[str, list, dict[int, int]]:
    """The week's SQL, compiled once a process for each shape (one provider or the whole
    clinic; cancelled shown or not), as clinic.core.prepared does for one value: building
    and compiling it cost as much as running it. Later weeks put their values in."""
    key = (connection.alias, provider is None, include_cancelled)
    if key not in _COMPILED:
        stand_in = None if provider is None else Provider(pk=_WHO)
        rows = _epoch_rows(_FROM, _TO, stand_in, include_cancelled)
        sql, params = rows.query.get_compiler(connection.alias).as_sql()
        marks = (_FROM, _TO, _WHO)
        slots = {
            i: n
            for i, param in enumerate(params)
            for n, mark in enumerate(marks)
            if type(param) is type(mark) and param == mark
        }
        if sorted(slots.values()) != ([0, 1] if provider is None else [0, 1, 2]):
            raise ValueError("the week's query does not take its values where expected")
        _COMPILED[key] = (sql, list(params), slots)
    return _COMPILED[key]


def week(
    *, start: dt.datetime, end: dt.datetime, provider=None, include_cancelled: bool = False
) -> list[WeekAppointment]:
    """selectors.appointments() in [start, end), in its order, as WeekAppointments: one
    query."""
    named: dict = {}
    out = []
    if connection.vendor != "postgresql":
        rows = appointments(
            start=start, end=end, provider=provider, include_cancelled=include_cancelled
        ).select_related(None)
        for row in rows.values_list(*_COLUMNS):
            _names(row, named)
            out.append(WeekAppointment(row, named))
        return out
    # On PostgreSQL the times come as epoch seconds: Django loads a timestamptz with a
    # Python parser (a regular expression a value), which for a week's ~225 rows and
    # their three times cost more than the rest of the query; a float8 loads in C.
    sql, params, slots = _statement(provider, include_cancelled)
    values = (start, end, None if provider is None else provider.pk)
    params = list(params)
    for slot, n in slots.items():
        params[slot] = values[n]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    for row in fetched:
        row = (*row[:3], *map(_from_epoch, row[3:5]), row[5], _from_epoch(row[6]), *row[7:])
        _names(row, named)
        out.append(WeekAppointment(row, named))
    return out
