"""A clinic set up for infusions: two chairs, opening hours, a supervising clinician, and a
patient whose consultation outcome is "proceed"."""

import datetime as dt

import pytest

from consultations.models import (
    Appointment,
    AppointmentType,
    Chair,
    ConsultationOutcome,
    Location,
    OpeningHours,
    WorkingHours,
)


@pytest.fixture
def clinic_location(db):
    return Location.objects.filter(kind=Location.Kind.CLINIC).first()


@pytest.fixture
def chairs(clinic_location):
    # The chairs migration made Chair 1..4, open weekdays 08:00-18:00: two, 09:00-17:00 here.
    OpeningHours.objects.filter(location=clinic_location).delete()
    for weekday in range(5):
        OpeningHours.objects.create(
            location=clinic_location, weekday=weekday, start=dt.time(9), end=dt.time(17)
        )
    names = ("Chair 1", "Chair 2")
    Chair.objects.filter(location=clinic_location).exclude(name__in=names).delete()
    return [Chair.objects.get_or_create(location=clinic_location, name=name)[0] for name in names]


@pytest.fixture
def supervisor(provider):
    provider.supervises_infusions = True
    provider.save(update_fields=["supervises_infusions"])
    return provider


@pytest.fixture
def infusion():
    return AppointmentType.objects.get(kind="infusion")


def give_outcome(patient, provider, decision=ConsultationOutcome.Decision.PROCEED, **when):
    from .conftest import NOW, consulted

    consultation = consulted(patient, provider, **when)
    return ConsultationOutcome.objects.create(
        appointment=consultation,
        patient=patient,
        decision=decision,
        decided_by=provider.user,
        decided_at=NOW - dt.timedelta(days=7),
    )


@pytest.fixture
def ready_patient(approved_patient, supervisor, chairs):
    give_outcome(approved_patient, supervisor)
    return approved_patient


__all__ = [
    "add_supervisor_hours",
    "chairs",
    "clinic_location",
    "give_outcome",
    "infusion",
    "infusions_of",
    "ready_patient",
    "supervisor",
]


def infusions_of(patient):
    return Appointment.objects.filter(patient=patient, kind="infusion").order_by("start")


def add_supervisor_hours(provider, start=dt.time(8), end=dt.time(18)):
    WorkingHours.objects.filter(provider=provider).delete()
    for weekday in range(5):
        WorkingHours.objects.create(provider=provider, weekday=weekday, start=start, end=end)


def a_thursday_from(day: dt.date) -> dt.date:
    """The first Thursday on or after `day`: where the tests start a 6-infusion plan.

    Six weekday infusions a day apart fit a 14-day window begun on a Thursday and also one
    begun the Friday after, so the planner has all three options to offer (the earliest,
    the other times of day, a start one day later). Begun on a Friday, a start a day later
    (the Monday) no longer fits and it rightly offers two: the tests do not depend on the
    weekday they run.
    """
    return day + dt.timedelta(days=(3 - day.weekday()) % 7)
