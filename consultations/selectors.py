"""Load once, compute in Python: a fixed number of queries feeds the pure availability code,
however many days or providers are asked for."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from . import availability as av
from .models import Appointment, AppointmentType, DateOverride, Location, Provider, WorkingHours


def type_spec(t: AppointmentType) -> av.AppointmentTypeSpec:
    return av.AppointmentTypeSpec(
        id=t.pk,
        duration=dt.timedelta(minutes=t.duration_minutes),
        buffer_before=dt.timedelta(minutes=t.buffer_before_minutes),
        buffer_after=dt.timedelta(minutes=t.buffer_after_minutes),
        min_notice=dt.timedelta(hours=t.min_notice_hours),
        horizon=dt.timedelta(days=t.horizon_days),
        uses_chair=t.uses_chair,
        chair_time_after=dt.timedelta(minutes=t.chair_recovery_minutes),
    )


def schedule_inputs(provider_ids, start_date: dt.date, end_date: dt.date) -> dict:
    """Providers, their hours and overrides (3 queries) for a date range."""
    providers = [
        av.ProviderSpec(p.pk, p.time_zone)
        for p in Provider.objects.filter(pk__in=provider_ids, active=True)
    ]
    ids = [p.id for p in providers]
    hours = [
        av.WorkingHoursSpec(h.provider_id, h.weekday, h.start, h.end, h.valid_from, h.valid_to)
        for h in WorkingHours.objects.filter(provider_id__in=ids)
    ]
    overrides = [
        av.OverrideSpec(o.kind, o.date, o.provider_id, o.start, o.end)
        for o in DateOverride.objects.filter(
            date__gte=start_date - dt.timedelta(days=1), date__lte=end_date + dt.timedelta(days=1)
        ).filter(provider_id__in=ids)
        | DateOverride.objects.filter(
            kind=DateOverride.Kind.CLOSURE,
            date__gte=start_date - dt.timedelta(days=1),
            date__lte=end_date + dt.timedelta(days=1),
        )
    ]
    return {"providers": providers, "working_hours": hours, "overrides": overrides}


def _busy(provider_ids, start: dt.datetime, end: dt.datetime, exclude_pk=None, chairs=False):
    rows = Appointment.objects.active().filter(block_start__lt=end, block_end__gt=start)
    rows = rows.filter(uses_chair=True) if chairs else rows.filter(provider_id__in=provider_ids)
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    # Provider rows block the provider; chair rows (provider None) only fill chairs, so an
    # infusion is counted once for its provider and once for its chair.
    return [
        av.BusySpec(
            provider_id=None if chairs else a.provider_id,
            start=a.block_start,
            end=a.block_end,
            uses_chair=chairs,
            chair_start=a.start if chairs else None,
            chair_end=a.chair_end if chairs else None,
        )
        for a in rows.only(
            "provider_id", "block_start", "block_end", "start", "chair_end", "uses_chair"
        )
    ]


def available_slots(
    *,
    appointment_type: AppointmentType,
    provider_ids,
    start_date: dt.date,
    end_date: dt.date,
    now: dt.datetime,
    exclude_appointment=None,
) -> list[av.Slot]:
    """Free slots for one type, some providers and a date range: a fixed number of queries."""
    inputs = schedule_inputs(provider_ids, start_date, end_date)
    ids = [p.id for p in inputs["providers"]]
    # Busy rows from a day either side: local days in far zones straddle UTC days.
    window_start = dt.datetime.combine(start_date - dt.timedelta(days=1), dt.time(), dt.UTC)
    window_end = dt.datetime.combine(end_date + dt.timedelta(days=2), dt.time(), dt.UTC)
    exclude = exclude_appointment.pk if exclude_appointment else None
    busy = _busy(ids, window_start, window_end, exclude)
    capacity = 0
    if appointment_type.uses_chair:
        busy += _busy(ids, window_start, window_end, exclude, chairs=True)
        capacity = sum(Location.objects.filter(kind="clinic").values_list("chairs", flat=True))
    return av.free_slots(
        appointment_type=type_spec(appointment_type),
        busy=busy,
        start_date=start_date,
        end_date=end_date,
        now=now,
        clinic_time_zone=settings.CLINIC_TIME_ZONE,
        chair_capacity=capacity,
        **inputs,
    )


def booking_window(appointment_type: AppointmentType, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """The dates a patient may pick from: minimum notice to the booking horizon."""
    zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
    first = (now + dt.timedelta(hours=appointment_type.min_notice_hours)).astimezone(zone).date()
    last = (now + dt.timedelta(days=appointment_type.horizon_days)).astimezone(zone).date()
    return first, last


def upcoming_for(patient) -> list[tuple[Appointment, str]]:
    """A patient's booked appointments to come, with the time as they read it."""
    from django.utils import timezone

    from .timefmt import format_when, patient_zone

    zone = patient_zone(patient)
    rows = (
        Appointment.objects.upcoming(timezone.now())
        .filter(patient=patient)
        .select_related("appointment_type")
    )
    return [(a, format_when(a.start, zone)) for a in rows]
