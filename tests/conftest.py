"""Shared fixtures. People are named: Alice is the patient, Charlie the other patient."""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import settings as hypothesis_settings

from clinic.accounts.models import User
from clinic.accounts.roles import Role
from clinic.celery import app as celery_app
from consultations.models import AppointmentType, Provider, WorkingHours
from intake import demo
from intake.models import Intake

PASSWORD = "correct horse battery staple"

# Hypothesis's per-example deadline (200 ms) is a timing assertion: on a loaded machine
# (CI beside other jobs) a correct example takes longer and the test fails for that alone.
# What the properties check is the answer, not the speed; speed is bench/'s business.
hypothesis_settings.register_profile("clinic", deadline=None)
hypothesis_settings.load_profile("clinic")


def pytest_itemcollected(item):
    """Under pytest-xdist (`make test`), the tests that start a real Celery worker run one
    after another on one process: they share the broker's queue and its log file. (Marked
    as each test is collected: xdist reads the groups in its own collection hook.)"""
    if item.get_closest_marker("worker"):
        item.add_marker(pytest.mark.xdist_group("real_celery_worker"))


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2, the production algorithm and format, at its cheapest parameters.

    The real parameters cost about 120 ms a hash on this machine (100 MB of memory, by
    design), paid for every user a test makes and every login it does: minutes of a run
    that prove nothing about the code. Hashes still start with "argon2" and verify the same
    way; production settings are untouched.
    """

    time_cost = 1
    memory_cost = 8
    parallelism = 1


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing():
    from django.conf import settings

    fallbacks = settings.PASSWORD_HASHERS[1:]
    cheap = "tests.conftest.CheapArgon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=[cheap, *fallbacks]):
        yield


@pytest.fixture(autouse=True, scope="session")
def _captured_sql_as_written():
    """Tests read captured queries as the ORM wrote them, not as EXECUTEs of statements
    PostgreSQL prepared (tests/sql_as_written.py): an assertion that a query does or does
    not say something holds however often its connection ran it before."""
    from django.test.utils import CaptureQueriesContext

    from tests.sql_as_written import as_written

    sent = CaptureQueriesContext.captured_queries

    def captured(self):
        return [{**query, "sql": as_written(query["sql"])} for query in sent.fget(self)]

    CaptureQueriesContext.captured_queries = property(captured)
    yield
    CaptureQueriesContext.captured_queries = sent


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run in-process unless a test starts a real worker (see tests/core/test_worker.py)."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path_factory):
    """Uploaded documents go to a fresh folder per test, never into var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


def make_user(email, role, first="Test", last="User", verified=True, **extra):
    user = User.objects.create_user(
        email,
        PASSWORD,
        role=role,
        first_name=first,
        last_name=last,
        email_verified_at=timezone.now() if verified else None,
        **extra,
    )
    if role != Role.PATIENT:
        # Staff have enrolled their authenticator already (first-login enrolment is tested
        # with a fresh account in tests/accounts/test_two_factor.py).
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


def pass_second_factor(client, user):
    """Mark a force_login session as having passed the second factor, as a real login does."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def staff_login(client, user):
    """force_login plus the second factor: what every staff test starts from."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if user.is_clinic_staff or user.is_staff or user.is_superuser:
        pass_second_factor(client, user)
    return client


def current_code(user) -> str:
    """The code the user's authenticator shows now (the next one if now's was used)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if totp.t() <= device.last_t:
        totp.time = (device.last_t + 1) * device.step + device.t0
    return f"{totp.token():06d}"


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
        return staff_login(client, user)

    return _login


# Booking: a clinician who sees patients on weekdays 09:00-12:00 and 13:00-17:00 and
# supervises infusions (the main clinic's chairs are open weekdays 08:00-18:00).
@pytest.fixture
def provider(clinician):
    provider = Provider.objects.create(
        user=clinician, display_name="Dr. Lee", supervises_infusions=True
    )
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
    # The receipt went out long ago, on submitting: tests start from an empty mailbox.
    from django.core import mail

    from clinic.notifications.dispatcher import dispatch_due

    dispatch_due()
    mail.outbox.clear()
    return patient


@contextmanager
def lost_race(model, create, *, in_its_transaction=False):
    """Another request inserts its row right after the code under test looked and found none.

    Lookup-then-insert services (one open intake, one open alert, one message per key) rely
    on a unique constraint for the moment between the two. The first SELECT on `model`'s
    table runs for real and finds nothing; then `create()` makes the other request's row, so
    the service's own INSERT meets the constraint. Yields a dict: "row" is the winner's row,
    "inserts" counts INSERTs into the table (2 proves the service really tried its own).
    With `in_its_transaction`, the look that counts is the first one inside the service's
    own `transaction.atomic()` (earlier reads, e.g. of the patient's history, pass by).
    """
    table = f'"{model._meta.db_table}"'
    race = {"row": None, "inserts": 0}
    looked = False
    depth = len(connection.savepoint_ids)

    def wrapper(execute, sql, params, many, context):
        nonlocal looked
        if table in sql and sql.lstrip().upper().startswith("INSERT"):
            race["inserts"] += 1
        result = execute(sql, params, many, context)
        inside = not in_its_transaction or len(connection.savepoint_ids) > depth
        if not looked and inside and table in sql and sql.lstrip().upper().startswith("SELECT"):
            looked = True  # set first: create()'s own queries come through here too
            race["row"] = create()
        return result

    with connection.execute_wrapper(wrapper):
        yield race
