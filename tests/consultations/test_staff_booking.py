"""Coordinators book, move and cancel on a patient's behalf."""

import pytest
from django.urls import reverse

from consultations import services
from consultations.models import Appointment

from .conftest import NOW, TUESDAY, at


@pytest.fixture(autouse=True)
def _frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


def _confirm(client, patient, initial, provider, start, **extra):
    data = {
        "type": initial.pk,
        "mode": "in_person",
        "provider": provider.pk,
        "start": start.isoformat(),
        **extra,
    }
    return client.post(reverse("schedule:confirm", args=[patient.pk]), data)


def test_coordinator_finds_a_patient_and_sees_the_picker(
    login, coordinator, patient, initial, provider
):
    client = login(coordinator)
    found = client.get(reverse("schedule:patients"), {"q": "alice anderson"}).content.decode()
    assert reverse("schedule:book", args=[patient.pk]) in found
    page = client.get(
        reverse("schedule:book", args=[patient.pk]),
        {"type": initial.pk, "mode": "in_person", "date": "2027-01-12"},
    )
    html = page.content.decode()
    assert "no approved intake" in html and "9:00 AM" in html


def test_booking_without_approval_needs_a_recorded_reason(
    login, coordinator, patient, initial, provider
):
    client = login(coordinator)
    refused = _confirm(client, patient, initial, provider, at(TUESDAY, 9))
    assert refused.status_code == 200
    assert "approved your intake" in refused.content.decode()
    assert not Appointment.objects.exists()
    done = _confirm(
        client,
        patient,
        initial,
        provider,
        at(TUESDAY, 9),
        override_reason="Urgent referral from Dr. Rivera",
    )
    assert done.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.created_by == coordinator
    assert appointment.approval_override_reason == "Urgent referral from Dr. Rivera"


def test_coordinator_moves_and_cancels_any_booking(
    login, coordinator, approved_patient, initial, provider
):
    appointment = services.book_appointment(
        patient=approved_patient,
        appointment_type=initial,
        provider=provider,
        start=at(TUESDAY, 9),
        mode="in_person",
        actor=approved_patient,
        now=NOW,
    )
    client = login(coordinator)
    client.post(
        reverse("schedule:move", args=[appointment.pk]),
        {"start": at(TUESDAY, 14).isoformat(), "provider": provider.pk},
    )
    appointment.refresh_from_db()
    assert appointment.start == at(TUESDAY, 14)
    client.post(
        reverse("schedule:cancel", args=[appointment.pk]),
        {"reason": "clinic", "note": "Clinic closed"},
    )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED_CLINIC
    event = appointment.events.last()
    assert (event.reason, event.note) == ("clinic", "Clinic closed")


@pytest.mark.parametrize("role", ["patient", "other_patient"])
def test_patients_cannot_book_for_others(login, people, role, initial, provider):
    client = login(people[role])
    target = people["other_patient" if role == "patient" else "patient"]
    assert client.get(reverse("schedule:patients")).status_code == 403
    assert client.get(reverse("schedule:book", args=[target.pk])).status_code == 403
    assert _confirm(client, target, initial, provider, at(TUESDAY, 9)).status_code == 403


def test_staff_cannot_be_booked_as_patients(login, coordinator, clinician):
    assert login(coordinator).get(reverse("schedule:book", args=[clinician.pk])).status_code == 404


def test_staff_set_a_video_link_that_the_patient_then_sees(
    login, coordinator, approved_patient, initial, provider
):
    appointment = services.book_appointment(
        patient=approved_patient,
        appointment_type=initial,
        provider=provider,
        start=at(TUESDAY, 9),
        mode="telehealth",
        actor=approved_patient,
        now=NOW,
    )
    url = reverse("schedule:video_link", args=[appointment.pk])
    client = login(coordinator)
    client.post(url, {"video_link": "javascript:alert(1)"})
    appointment.refresh_from_db()
    assert appointment.video_link == ""
    client.post(url, {"video_link": "https://video.example/room/42"})
    appointment.refresh_from_db()
    assert appointment.video_link == "https://video.example/room/42"
    page = login(approved_patient).get(reverse("consultations:detail", args=[appointment.pk]))
    assert b"https://video.example/room/42" in page.content
