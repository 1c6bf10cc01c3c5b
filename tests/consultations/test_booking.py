"""Booking services and the patient's booking pages."""

import datetime as dt
import re
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.urls import reverse

from clinic.accounts.roles import Role
from consultations import services
from consultations.models import (
    ACTIVE_STATUSES,
    NO_DOUBLE_BOOKING,
    Appointment,
    Location,
    Provider,
)
from tests.conftest import lost_race, make_user

from .conftest import NOW, TUESDAY, at, consulted


def _book(patient, appointment_type, provider, start, **kw):
    return services.book_appointment(
        patient=patient,
        appointment_type=appointment_type,
        provider=provider,
        start=start,
        mode=kw.pop("mode", "in_person"),
        actor=kw.pop("actor", patient),
        now=NOW,
        **kw,
    )


def test_approved_patient_books_a_free_slot_and_gets_an_email_with_ics(
    approved_patient, initial, provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _book(approved_patient, initial, provider, at(TUESDAY, 9))
    assert appointment.end - appointment.start == dt.timedelta(minutes=45)
    assert appointment.block_end == appointment.end + dt.timedelta(minutes=15)
    assert appointment.events.get().to_status == Appointment.Status.BOOKED
    message = mail.outbox[0]
    assert "Tuesday, January 12, 2027 at 9:00 AM EST" in message.body
    name, content, mimetype = message.attachments[0]
    assert mimetype == "text/calendar" and "BEGIN:VTIMEZONE" in content
    assert "DTSTART;TZID=America/New_York:20270112T090000" in content
    for clinical in ("CRPS", "oxycodone", "MME"):
        assert clinical not in message.body


def test_patient_without_approval_cannot_book_an_initial_consultation(patient, initial, provider):
    with pytest.raises(services.NotApproved):
        _book(patient, initial, provider, at(TUESDAY, 9))


def test_coordinator_may_override_approval_with_a_recorded_reason(
    patient, coordinator, initial, provider
):
    with pytest.raises(services.NotApproved):
        _book(patient, initial, provider, at(TUESDAY, 9), actor=coordinator)
    appointment = _book(
        patient,
        initial,
        provider,
        at(TUESDAY, 9),
        actor=coordinator,
        override_reason="Referred urgently by Dr. Rivera",
    )
    assert appointment.approval_override_reason == "Referred urgently by Dr. Rivera"
    assert "Approval overridden" in appointment.events.get().note


def test_a_taken_slot_and_its_buffer_are_refused(
    approved_patient, other_patient, follow_up, initial, provider
):
    _book(approved_patient, initial, provider, at(TUESDAY, 9))  # 9:00-9:45 + 15 min buffer
    consulted(other_patient, provider)  # follow-ups come after a consultation
    for start in (at(TUESDAY, 9), at(TUESDAY, 9, 30), at(TUESDAY, 9, 45)):
        with pytest.raises(services.SlotUnavailable):
            _book(other_patient, follow_up, provider, start)
    assert _book(other_patient, follow_up, provider, at(TUESDAY, 10)).pk


def test_slots_outside_hours_notice_or_horizon_are_refused(approved_patient, initial, provider):
    for start in (
        at(TUESDAY, 12),
        at(TUESDAY, 16, 30),
        at(TUESDAY, 8, 45),
        at(NOW.date(), 14),
        at(TUESDAY + dt.timedelta(days=70), 9),
    ):
        with pytest.raises(services.SlotUnavailable):
            _book(approved_patient, initial, provider, start)


def test_a_patient_cannot_hold_two_initial_consultations(approved_patient, initial, provider):
    _book(approved_patient, initial, provider, at(TUESDAY, 9))
    with pytest.raises(services.AlreadyBooked):
        _book(approved_patient, initial, provider, at(TUESDAY, 14))


def test_patients_cannot_book_staff_only_types(approved_patient, provider):
    from consultations.models import AppointmentType

    with pytest.raises(services.BookingError):
        _book(
            approved_patient, AppointmentType.objects.get(kind="infusion"), provider, at(TUESDAY, 9)
        )


def test_cancelling_frees_the_slot_at_once(
    approved_patient, other_patient, initial, follow_up, provider
):
    appointment = _book(approved_patient, initial, provider, at(TUESDAY, 9))
    services.cancel_appointment(appointment=appointment, actor=approved_patient, now=NOW)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED_PATIENT
    consulted(other_patient, provider)
    assert _book(other_patient, follow_up, provider, at(TUESDAY, 9)).pk


def test_patient_cannot_change_inside_the_cancellation_window_but_staff_can(
    approved_patient, coordinator, initial, provider
):
    appointment = _book(approved_patient, initial, provider, at(TUESDAY, 9))
    late = at(TUESDAY, 9) - dt.timedelta(hours=23)
    with pytest.raises(services.TooLateToChange):
        services.cancel_appointment(appointment=appointment, actor=approved_patient, now=late)
    with pytest.raises(services.TooLateToChange):
        services.reschedule_appointment(
            appointment=appointment, start=at(TUESDAY, 14), actor=approved_patient, now=late
        )
    services.cancel_appointment(appointment=appointment, actor=coordinator, now=late)
    assert Appointment.objects.get(pk=appointment.pk).status == Appointment.Status.CANCELLED_CLINIC


def test_rescheduling_moves_the_booking_and_frees_the_old_time(
    approved_patient, other_patient, initial, follow_up, provider
):
    appointment = _book(approved_patient, initial, provider, at(TUESDAY, 9))
    moved = services.reschedule_appointment(
        appointment=appointment, start=at(TUESDAY, 14), actor=approved_patient, now=NOW
    )
    assert moved.start == at(TUESDAY, 14) and moved.status == Appointment.Status.BOOKED
    assert "Moved from" in moved.events.last().note
    consulted(other_patient, provider)
    assert _book(other_patient, follow_up, provider, at(TUESDAY, 9)).pk


def test_rescheduling_to_an_overlapping_time_of_itself_is_allowed(
    approved_patient, initial, provider
):
    appointment = _book(approved_patient, initial, provider, at(TUESDAY, 9))
    moved = services.reschedule_appointment(
        appointment=appointment, start=at(TUESDAY, 9, 30), actor=approved_patient, now=NOW
    )
    assert moved.start == at(TUESDAY, 9, 30)


# ---------------------------------------------------------------- concurrency (PostgreSQL)

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="exclusion constraints need PostgreSQL (CI runs it)"
)


def _race(n, book):
    """n threads try at once; returns (successes, SlotUnavailable count)."""
    barrier = threading.Barrier(n)
    results = []

    def attempt(i):
        try:
            barrier.wait()
            book(i)
            results.append("ok")
        except services.BookingError:
            results.append("taken")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results.count("ok"), results.count("taken")


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_bookings_of_one_slot_make_exactly_one(clinician, follow_up):
    provider = _provider_with_hours(clinician)
    _open_to_any_patient(follow_up)
    patients = [make_user(f"racer{i}@example.com", Role.PATIENT) for i in range(20)]
    ok, taken = _race(20, lambda i: _book(patients[i], follow_up, provider, at(TUESDAY, 9)))
    assert (ok, taken) == (1, 19)
    assert Appointment.objects.active().count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_lock_and_recheck_the_constraint_alone_still_allows_only_one(
    clinician, follow_up, monkeypatch
):
    """Control: with the service's lock and re-check switched off, the race reaches the
    database — and the exclusion constraint turns every loser into SlotUnavailable."""
    provider = _provider_with_hours(clinician)
    _open_to_any_patient(follow_up)
    monkeypatch.setattr(services, "_lock", lambda *a: None)
    monkeypatch.setattr(services, "_check_slot", lambda **k: None)
    patients = [make_user(f"racer{i}@example.com", Role.PATIENT) for i in range(20)]
    ok, taken = _race(20, lambda i: _book(patients[i], follow_up, provider, at(TUESDAY, 9)))
    assert (ok, taken) == (1, 19)


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_control_without_the_constraint_the_race_double_books(clinician, follow_up, monkeypatch):
    """Shows the race is real: lock, re-check and constraint all off ⇒ more than one row."""
    provider = _provider_with_hours(clinician)
    _open_to_any_patient(follow_up)
    monkeypatch.setattr(services, "_lock", lambda *a: None)
    monkeypatch.setattr(services, "_check_slot", lambda **k: None)
    constraint = _no_double_booking()
    with connection.schema_editor() as editor:
        editor.remove_constraint(Appointment, constraint)
    try:
        patients = [make_user(f"racer{i}@example.com", Role.PATIENT) for i in range(20)]
        ok, _ = _race(20, lambda i: _book(patients[i], follow_up, provider, at(TUESDAY, 9)))
        assert ok > 1
    finally:
        Appointment.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Appointment, constraint)


def _open_to_any_patient(appointment_type):
    # These tests are about the race, not about who may book: twenty new patients may.
    appointment_type.bookable_by = "patient"
    appointment_type.save(update_fields=["bookable_by"])


def _no_double_booking():
    return next(c for c in Appointment._meta.constraints if c.name == NO_DOUBLE_BOOKING)


@postgres_only
def test_the_database_constraint_covers_exactly_the_models_active_statuses(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s",
            [NO_DOUBLE_BOOKING],
        )
        (definition,) = cursor.fetchone()
    named = set(re.findall(r"'(\w+)'::", definition))
    assert named == set(ACTIVE_STATUSES)


@postgres_only
def test_a_second_initial_consultation_refused_by_the_database_is_already_booked(
    approved_patient, initial, provider
):
    # The service's own check misses the other booking (made a moment later in another
    # tab): the unique constraint refuses this one, recognised by its name.
    def other_tab():
        return Appointment.objects.create(
            patient=approved_patient,
            provider=provider,
            appointment_type=initial,
            kind=initial.kind,
            location=Location.objects.filter(kind=Location.Kind.CLINIC).first(),
            mode="in_person",
            **services._times(initial, at(TUESDAY, 14)),
        )

    # The patient's history is read first (who may book what); the look that the other tab
    # beats is the one inside the booking's transaction.
    with (
        lost_race(Appointment, other_tab, in_its_transaction=True) as race,
        pytest.raises(services.AlreadyBooked),
    ):
        _book(approved_patient, initial, provider, at(TUESDAY, 9))
    assert race["inserts"] == 2


def _provider_with_hours(clinician):
    from consultations.models import WorkingHours

    provider = Provider.objects.create(user=clinician, display_name="Dr. Race")
    WorkingHours.objects.create(provider=provider, weekday=1, start=dt.time(9), end=dt.time(12))
    return provider


# ---------------------------------------------------------------- pages


def test_booking_journey_through_the_pages(
    login, approved_patient, initial, provider, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    client = login(approved_patient)
    page = client.get(
        reverse("consultations:book"), {"type": initial.pk, "mode": "telehealth", "provider": "any"}
    )
    assert "Tue, Jan 12" in page.content.decode()
    page = client.get(
        reverse("consultations:book"),
        {"type": initial.pk, "mode": "telehealth", "provider": "any", "date": "2027-01-12"},
    )
    html = page.content.decode()
    assert "9:00 AM" in html and "1:00 PM" in html and "12:00 PM" not in html
    start = at(TUESDAY, 9).isoformat()
    confirm = client.get(
        reverse("consultations:confirm"),
        {"type": initial.pk, "mode": "telehealth", "provider": provider.pk, "start": start},
    )
    assert "Tuesday, January 12, 2027 at 9:00 AM EST" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("consultations:confirm"),
            {"type": initial.pk, "mode": "telehealth", "provider": provider.pk, "start": start},
            follow=True,
        )
    appointment = Appointment.objects.get()
    assert appointment.mode == "telehealth" and appointment.location.kind == "telehealth"
    assert b"Add to my calendar" in done.content


def test_losing_a_race_shows_a_friendly_message_and_fresh_slots(
    login, approved_patient, other_patient, initial, follow_up, provider, time_machine
):
    time_machine.move_to(NOW, tick=False)
    consulted(other_patient, provider)
    _book(other_patient, follow_up, provider, at(TUESDAY, 9))
    response = login(approved_patient).post(
        reverse("consultations:confirm"),
        {
            "type": initial.pk,
            "mode": "in_person",
            "provider": provider.pk,
            "start": at(TUESDAY, 9).isoformat(),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "That time was just taken — please pick another." in response.content.decode()
    assert "9:30 AM" in response.content.decode()  # the refreshed list, after the buffer


def test_other_patients_cannot_see_or_change_an_appointment(
    login, approved_patient, other_patient, initial, provider
):
    appointment = _book(approved_patient, initial, provider, at(TUESDAY, 9))
    client = login(other_patient)
    for name in ("consultations:detail", "consultations:reschedule", "consultations:ics"):
        assert client.get(reverse(name, args=[appointment.pk])).status_code == 404
    assert client.post(reverse("consultations:cancel", args=[appointment.pk])).status_code == 404
    assert Appointment.objects.get(pk=appointment.pk).status == Appointment.Status.BOOKED


def test_hostile_confirm_parameters_never_500(login, approved_patient, initial, provider):
    client = login(approved_patient)
    for params in (
        {"type": "x"},
        {"type": initial.pk, "provider": provider.pk, "start": "nope", "mode": "in_person"},
        {
            "type": initial.pk,
            "provider": provider.pk,
            "start": "2027-01-12T09:00",
            "mode": "in_person",
        },
        {
            "type": initial.pk,
            "provider": provider.pk,
            "start": at(TUESDAY, 9).isoformat(),
            "mode": "rocket",
        },
    ):
        assert client.get(reverse("consultations:confirm"), params).status_code == 404
    page = client.get(reverse("consultations:book"), {"type": "9999", "date": "2027-02-31"})
    assert page.status_code == 200


def test_impossible_times_posted_to_confirm_or_move_are_404_not_500(
    login, approved_patient, initial, provider
):
    client = login(approved_patient)
    params = {
        "type": initial.pk,
        "provider": provider.pk,
        "mode": "in_person",
        "start": "2027-13-45T09:00:00+00:00",
    }
    assert client.get(reverse("consultations:confirm"), params).status_code == 404
    appointment = _book(approved_patient, initial, provider, at(TUESDAY, 9))
    moved = client.post(
        reverse("consultations:reschedule", args=[appointment.pk]),
        {"start": "2027-13-45T09:00:00+00:00", "provider": provider.pk},
    )
    assert moved.status_code == 404
