"""Two coordinators book overlapping series on the same chairs at the same moment
(PostgreSQL): no chair is ever double-booked, one series fails whole and is re-planned.
The control test drops the chair constraint and the lock to show the race is real."""

import datetime as dt
import threading
from dataclasses import replace

import pytest
from django.db import connection, connections

from clinic.accounts.roles import Role
from consultations import course_services
from consultations.course import Series, SeriesRules
from consultations.models import (
    NO_CHAIR_DOUBLE_BOOKING,
    Appointment,
    Course,
    Provider,
    WorkingHours,
)
from tests.conftest import make_user

from .conftest import NOW
from .course_fixtures import give_outcome

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="exclusion constraints need PostgreSQL (CI runs it)"
)
RULES = SeriesRules(count=6, first_date=dt.date(2027, 1, 6))


@pytest.fixture
def two_supervisors(supervisor, clinician):
    """Dr Lee and Dr Kim supervise at the same hours, so the two series differ only by chair."""
    user = make_user("kim@example.com", Role.CLINICIAN, first="Dana", last="Kim")
    kim = Provider.objects.create(user=user, display_name="Dr. Kim", supervises_infusions=True)
    for row in WorkingHours.objects.filter(provider=supervisor):
        WorkingHours.objects.create(provider=kim, weekday=row.weekday, start=row.start, end=row.end)
    return supervisor, kim


def _patients(supervisor):
    from intake import demo
    from intake.models import Intake

    patients = []
    for n in range(2):
        patient = make_user(f"course{n}@example.com", Role.PATIENT)
        intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
        Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.APPROVED)
        give_outcome(patient, supervisor, hour=9 + n)
        patients.append(patient)
    return patients


def _overlapping_series(patients, kim):
    """Both proposals start on chair 1 at the same times; the second's supervisor is Dr Kim,
    and all its infusions but the fourth are moved to chair 2: they collide on one only."""
    first = course_services.plan_course(patient=patients[0], rules=RULES, now=NOW).proposal
    second = course_services.plan_course(patient=patients[1], rules=RULES, now=NOW).proposal
    assert first.key() == second.key()  # planned at the same moment: the same chair times
    chair_2 = max(i.chair_id for i in [*first.infusions]) + 1
    infusions = tuple(
        replace(i, provider_id=kim.pk, chair_id=i.chair_id if n == 3 else chair_2)
        for n, i in enumerate(second.infusions)
    )
    return first, Series(infusions, second.label)


def _race(patients, series, coordinators):
    barrier = threading.Barrier(2)
    results = {}

    def attempt(n):
        try:
            barrier.wait()
            course_services.book_course(
                patient=patients[n], series=series[n], rules=RULES, actor=coordinators[n], now=NOW
            )
            results[n] = "ok"
        except course_services.SeriesTaken as taken:
            results[n] = taken
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _chair_overlaps() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM consultations_appointment a
            JOIN consultations_appointment b
              ON a.chair_id = b.chair_id AND a.id < b.id
             AND tstzrange(a.start, a.chair_end) && tstzrange(b.start, b.chair_end)
            WHERE a.status = 'booked' AND b.status = 'booked'
            """
        )
        return cursor.fetchone()[0]


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_coordinators_booking_overlapping_series_one_fails_whole_and_replans(
    two_supervisors, chairs, coordinator, clinic_admin
):
    lee, kim = two_supervisors
    patients = _patients(lee)
    series = _overlapping_series(patients, kim)
    results = _race(patients, series, [coordinator, clinic_admin])
    assert sorted(type(r).__name__ for r in results.values()) == ["SeriesTaken", "str"]
    loser = next(n for n, r in results.items() if r != "ok")
    assert not Appointment.objects.filter(patient=patients[loser], kind="infusion").exists()
    assert not Course.objects.filter(patient=patients[loser]).exists()
    assert Appointment.objects.filter(patient=patients[1 - loser], kind="infusion").count() == 6
    assert _chair_overlaps() == 0
    fresh = results[loser].plan
    assert fresh.ok and len(fresh.proposal.infusions) == 6


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_lock_and_recheck_the_chair_constraint_alone_fails_one_series_whole(
    two_supervisors, chairs, coordinator, clinic_admin, monkeypatch
):
    lee, kim = two_supervisors
    patients = _patients(lee)
    series = _overlapping_series(patients, kim)
    monkeypatch.setattr(course_services, "_lock_chairs", lambda: None)
    monkeypatch.setattr(course_services, "_recheck", lambda inputs, series: "")
    results = _race(patients, series, [coordinator, clinic_admin])
    assert sorted(type(r).__name__ for r in results.values()) == ["SeriesTaken", "str"]
    assert _chair_overlaps() == 0
    assert Appointment.objects.filter(kind="infusion").count() == 6


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_control_without_the_chair_constraint_the_race_double_books_a_chair(
    two_supervisors, chairs, coordinator, clinic_admin, monkeypatch
):
    lee, kim = two_supervisors
    patients = _patients(lee)
    series = _overlapping_series(patients, kim)
    monkeypatch.setattr(course_services, "_lock_chairs", lambda: None)
    monkeypatch.setattr(course_services, "_recheck", lambda inputs, series: "")
    constraint = next(c for c in Appointment._meta.constraints if c.name == NO_CHAIR_DOUBLE_BOOKING)
    with connection.schema_editor() as editor:
        editor.remove_constraint(Appointment, constraint)
    try:
        results = _race(patients, series, [coordinator, clinic_admin])
        assert list(results.values()) == ["ok", "ok"]
        assert _chair_overlaps() == 1
    finally:
        Appointment.objects.filter(kind="infusion").delete()
        Course.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Appointment, constraint)
