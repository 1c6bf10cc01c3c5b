"""Queries for the staff calendar and schedule pages: a fixed number per page, in clinic time."""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings

from clinic.accounts.search import person_matches

from . import availability, selectors
from .models import Appointment, Provider

CANCELLED = (Appointment.Status.CANCELLED_PATIENT, Appointment.Status.CANCELLED_CLINIC)


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.CLINIC_TIME_ZONE)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):  # a bad name typed in the Django admin: show clinic time
        return clinic_zone()


def local_today(now: dt.datetime) -> dt.date:
    return now.astimezone(clinic_zone()).date()


def day_bounds(first: dt.date, last: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Midnight to midnight in the clinic's zone (23 or 25 hours long on DST days)."""
    zone = clinic_zone()
    end_day = (last or first) + dt.timedelta(days=1)
    return dt.datetime.combine(first, dt.time(), zone), dt.datetime.combine(
        end_day, dt.time(), zone
    )


def week_of(day: dt.date) -> list[dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return [monday + dt.timedelta(days=i) for i in range(7)]


def appointments(
    *,
    start: dt.datetime,
    end: dt.datetime,
    provider: Provider | None = None,
    include_cancelled: bool = False,
):
    """Appointments starting in [start, end) with everything a calendar row shows: one query."""
    rows = Appointment.objects.filter(start__gte=start, start__lt=end).select_related(
        "patient", "provider", "appointment_type", "location"
    )
    if provider is not None:
        rows = rows.filter(provider=provider)
    if not include_cancelled:
        rows = rows.exclude(status__in=CANCELLED)
    return rows.order_by("start", "provider__display_name")


def search_appointments(*, query: str = "", patient_id: int | None = None, limit: int = 200):
    """A patient's appointments, newest first, by patient id or by name or email words.

    None when there is nothing to search for.
    """
    rows = Appointment.objects.select_related(
        "patient", "provider", "appointment_type", "location"
    ).order_by("-start")
    if patient_id is not None:
        return rows.filter(patient_id=patient_id)[:limit]
    if not query.split():
        return None
    return rows.filter(person_matches(query, prefix="patient__"))[:limit]


@dataclass(frozen=True)
class Entry:
    """One appointment as the calendar shows it: clinic time, and the provider's if different."""

    appointment: Appointment
    start: dt.datetime
    end: dt.datetime
    provider_start: dt.datetime | None
    provider_end: dt.datetime | None

    @property
    def day(self) -> dt.date:
        return self.start.date()

    @property
    def when(self) -> str:
        """“9:00 AM–9:45 AM” in clinic time (strings, so templates cannot re-zone them)."""
        return f"{self.start:%-I:%M %p}–{self.end:%-I:%M %p}"

    @property
    def provider_when(self) -> str:
        """The same times in the provider's own zone, or "" when it is the clinic's."""
        if self.provider_start is None or self.provider_end is None:
            return ""
        return (
            f"{self.provider_start:%-I:%M %p}–{self.provider_end:%-I:%M %p} "
            f"{self.provider_start:%Z} ({self.appointment.provider.time_zone})"
        )


def entries(rows) -> list[Entry]:
    zone = clinic_zone()
    result = []
    for a in rows:
        own = None
        if a.provider.time_zone != settings.CLINIC_TIME_ZONE:
            own = _zone(a.provider.time_zone)
        result.append(
            Entry(
                appointment=a,
                start=a.start.astimezone(zone),
                end=a.end.astimezone(zone),
                provider_start=a.start.astimezone(own) if own else None,
                provider_end=a.end.astimezone(own) if own else None,
            )
        )
    return result


def bookings_outside_hours(*, now: dt.datetime, provider_ids=None) -> list[Entry]:
    """Upcoming booked appointments that the providers' current hours no longer cover.

    Four queries whatever the number of bookings: appointments, then providers, hours and
    overrides for the dates those appointments span.
    """
    rows = Appointment.objects.upcoming(now).select_related(
        "patient", "provider", "appointment_type", "location"
    )
    if provider_ids is not None:
        rows = rows.filter(provider_id__in=provider_ids)
    rows = list(rows.order_by("start"))
    if not rows:
        return []
    ids = sorted({a.provider_id for a in rows})
    first = local_today(now) - dt.timedelta(days=1)
    last = max(a.end for a in rows).astimezone(clinic_zone()).date() + dt.timedelta(days=1)
    inputs = selectors.schedule_inputs(ids, first, last)
    outside = set(
        availability.appointments_outside_hours(
            [(a.pk, a.provider_id, a.start, a.end) for a in rows],
            inputs["providers"],
            inputs["working_hours"],
            inputs["overrides"],
            settings.CLINIC_TIME_ZONE,
        )
    )
    return entries(a for a in rows if a.pk in outside)
