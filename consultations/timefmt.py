"""Times as patients read them: in their own zone, with the clinic's zone noted if different."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings


def patient_zone(patient) -> str:
    """The zone the patient gave in their intake, else the clinic's."""
    from intake.models import Intake

    latest = Intake.objects.filter(patient=patient).only("answers").first()
    zone = (latest.answers.get("time_zone") if latest else None) or settings.CLINIC_TIME_ZONE
    try:
        ZoneInfo(zone)
    except (ValueError, KeyError):
        return settings.CLINIC_TIME_ZONE
    return zone


def format_when(start: dt.datetime, zone: str, *, with_clinic: bool = True) -> str:
    local = start.astimezone(ZoneInfo(zone))
    text = f"{local:%A, %B} {local.day}, {local.year} at {local:%-I:%M %p} {local.tzname()}"
    if with_clinic and zone != settings.CLINIC_TIME_ZONE:
        clinic = start.astimezone(ZoneInfo(settings.CLINIC_TIME_ZONE))
        text += f" ({clinic:%-I:%M %p} {clinic.tzname()} clinic time)"
    return text


def format_time(start: dt.datetime, zone: str) -> str:
    local = start.astimezone(ZoneInfo(zone))
    return f"{local:%-I:%M %p}"
