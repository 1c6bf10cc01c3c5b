"""Calendar files parsed back: RFC 5546 cancellations, a built-in alarm, discreet titles;
and the booking emails that carry them."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from consultations import services
from consultations.ics import appointment_ics, event_title

from .conftest import NOW, TUESDAY, at


def _event(ics: bytes):
    calendar = Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def _book(patient, appointment_type, provider, start):
    return services.book_appointment(
        patient=patient,
        appointment_type=appointment_type,
        provider=provider,
        start=start,
        mode="in_person",
        actor=patient,
        now=NOW,
    )


@pytest.mark.parametrize(
    ("type_name", "title"),
    [
        ("Ketamine infusion", "Riverside Clinic: Infusion"),
        ("Initial consultation", "Riverside Clinic: Initial consultation"),
        ("Follow-up after KETAMINE", "Riverside Clinic: Follow-up after"),
        ("Ketamine", "Riverside Clinic: Appointment"),
    ],
)
def test_event_titles_never_say_ketamine(type_name, title):
    assert event_title(type_name, "Riverside Clinic") == title


def test_a_booking_publishes_with_organizer_alarm_and_a_discreet_title(
    approved_patient, initial, provider
):
    appointment = _book(approved_patient, initial, provider, at(TUESDAY, 9))
    calendar, event = _event(appointment_ics(appointment))
    assert calendar["method"] == "PUBLISH"
    assert str(event["organizer"]) == "mailto:care@clinic.example"
    assert event["organizer"].params["CN"] == "Riverside Ketamine Pain Clinic"
    assert "ketamine" not in str(event["summary"]).lower()
    assert str(event["summary"]).startswith("Riverside Clinic: ")
    assert "Springfield, MA 01103" in str(event["location"])
    (alarm,) = event.walk("VALARM")
    assert alarm["action"] == "DISPLAY"
    assert alarm["trigger"].dt == -dt.timedelta(hours=2)
    assert event["status"] == "CONFIRMED"


def test_a_cancellation_is_valid_per_rfc_5546(approved_patient, initial, provider):
    appointment = _book(approved_patient, initial, provider, at(TUESDAY, 9))
    _, booked = _event(appointment_ics(appointment))
    services.reschedule_appointment(
        appointment=appointment, start=at(TUESDAY, 10), actor=approved_patient, now=NOW
    )
    appointment.refresh_from_db()
    _, moved = _event(appointment_ics(appointment))
    services.cancel_appointment(appointment=appointment, actor=approved_patient, now=NOW)
    appointment.refresh_from_db()
    calendar, cancelled = _event(appointment_ics(appointment, cancelled=True))
    assert calendar["method"] == "CANCEL"
    assert cancelled["uid"] == booked["uid"] == moved["uid"]
    assert booked["sequence"] < moved["sequence"] < cancelled["sequence"]
    assert cancelled["status"] == "CANCELLED"
    assert str(cancelled["organizer"]) == "mailto:care@clinic.example"
    assert cancelled.walk("VALARM") == []  # nothing to remind of


def test_booking_emails_come_from_the_clinic_and_link_to_the_next_action(
    approved_patient, initial, provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _book(approved_patient, initial, provider, at(TUESDAY, 9))
    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule_appointment(
            appointment=appointment, start=at(TUESDAY, 14), actor=approved_patient, now=NOW
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_appointment(appointment=appointment, actor=approved_patient, now=NOW)
    booked, moved, cancelled = [m for m in mail.outbox if "appointment" in m.subject]
    for email in (booked, moved, cancelled):
        assert email.from_email == "Riverside Ketamine Pain Clinic <no-reply@clinic.example>"
        for clinical in ("CRPS", "oxycodone", "MME", "PEG"):
            assert clinical not in email.body
    assert "Springfield, MA 01103" in booked.body
    assert "The attached file adds it to your calendar." in booked.body
    assert "New time: Tuesday, January 12, 2027 at 2:00 PM EST" in moved.body
    assert "It was: Tuesday, January 12, 2027 at 9:00 AM EST" in moved.body
    assert "adds it to your calendar" not in cancelled.body
    assert "To book another time: http" in cancelled.body
    assert f"To book another time: http://127.0.0.1:8000{reverse('consultations:book')}" in (
        cancelled.body
    )


def test_my_appointments_lists_upcoming_then_past_then_cancelled_dimmed(
    client, approved_patient, initial, follow_up, provider
):
    from consultations.models import Appointment

    first = _book(approved_patient, initial, provider, at(TUESDAY, 9))
    services.cancel_appointment(appointment=first, actor=approved_patient, now=NOW)
    past = _book(approved_patient, initial, provider, at(TUESDAY, 10))
    Appointment.objects.filter(pk=past.pk).update(
        start=past.start - dt.timedelta(days=400),
        end=past.end - dt.timedelta(days=400),
        block_start=past.block_start - dt.timedelta(days=400),
        block_end=past.block_end - dt.timedelta(days=400),
        status=Appointment.Status.COMPLETED,
    )
    upcoming = _book(approved_patient, follow_up, provider, at(TUESDAY, 14))
    client.force_login(approved_patient)
    page = client.get(reverse("consultations:list")).content.decode()
    links = [
        f'href="{reverse("consultations:detail", args=[a.pk])}"' for a in (upcoming, past, first)
    ]
    order = [page.index(link) for link in links]
    assert order == sorted(order)
    assert page.count("appointment-cancelled") == 1
