"""Shared fixtures. People are named: Alice is the patient, Charlie the other patient."""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.db import connection
from django.utils import timezone

from clinic.accounts.models import User
from clinic.accounts.roles import Role
from clinic.celery import app as celery_app
from consultations.models import AppointmentType, Provider, WorkingHours
from intake import demo
from intake.models import Intake

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run in-process unless a test starts a real worker (see tests/core/test_worker.py)."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def make_user(email, role, first="Test", last="User", verified=True, **extra):
    return User.objects.create_user(
        email,
        PASSWORD,
        role=role,
        first_name=first,
        last_name=last,
        email_verified_at=timezone.now() if verified else None,
        **extra,
    )


@pytest.fixture
def patient(db):
    return make_user("alice@example.com", Role.PATIENT, "Alice", "Anderson")


@pytest.fixture
def other_patient(db):
    return make_user("charlie@example.com", Role.PATIENT, "Charlie", "Chen")


@pytest.fixture
def clinician(db):
    return make_user("dr.lee@example.com", Role.CLINICIAN, "Morgan", "Lee")


@pytest.fixture
def coordinator(db):
    return make_user("casey@example.com", Role.COORDINATOR, "Casey", "Coordinator")


@pytest.fixture
def clinic_admin(db):
    return make_user("avery@example.com", Role.CLINIC_ADMIN, "Avery", "Admin", is_staff=True)


@pytest.fixture
def people(patient, other_patient, clinician, coordinator, clinic_admin):
    return {
        "patient": patient,
        "other_patient": other_patient,
        "clinician": clinician,
        "coordinator": coordinator,
        "clinic_admin": clinic_admin,
    }


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


# Booking: a clinician who sees patients on weekdays 09:00-12:00 and 13:00-17:00.
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


@contextmanager
def lost_race(model, create):
    """Another request inserts its row right after the code under test looked and found none.

    Lookup-then-insert services (one open intake, one open alert, one message per key) rely
    on a unique constraint for the moment between the two. The first SELECT on `model`'s
    table runs for real and finds nothing; then `create()` makes the other request's row, so
    the service's own INSERT meets the constraint. Yields a dict: "row" is the winner's row,
    "inserts" counts INSERTs into the table (2 proves the service really tried its own).
    """
    table = f'"{model._meta.db_table}"'
    race = {"row": None, "inserts": 0}
    looked = False

    def wrapper(execute, sql, params, many, context):
        nonlocal looked
        if table in sql and sql.lstrip().upper().startswith("INSERT"):
            race["inserts"] += 1
        result = execute(sql, params, many, context)
        if not looked and table in sql and sql.lstrip().upper().startswith("SELECT"):
            looked = True  # set first: create()'s own queries come through here too
            race["row"] = create()
        return result

    with connection.execute_wrapper(wrapper):
        yield race
