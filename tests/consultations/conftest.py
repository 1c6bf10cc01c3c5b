import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from consultations.models import AppointmentType, Provider, WorkingHours
from intake import demo
from intake.models import Intake

NY = ZoneInfo("America/New_York")
# A fixed "now" a week before a quiet Tuesday in January (no DST nearby).
NOW = dt.datetime(2027, 1, 5, 9, 0, tzinfo=NY)
TUESDAY = dt.date(2027, 1, 12)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY).astimezone(dt.UTC)


@pytest.fixture
def provider(clinician):
    provider = Provider.objects.create(user=clinician, display_name="Dr. Lee")
    for weekday in range(5):
        WorkingHours.objects.create(
            provider=provider, weekday=weekday, start=dt.time(9), end=dt.time(12)
        )
        WorkingHours.objects.create(
            provider=provider, weekday=weekday, start=dt.time(13), end=dt.time(17)
        )
    return provider


@pytest.fixture
def initial():
    return AppointmentType.objects.get(kind="initial")


@pytest.fixture
def follow_up():
    return AppointmentType.objects.get(kind="follow_up")


@pytest.fixture
def approved_patient(patient):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.APPROVED)
    return patient
