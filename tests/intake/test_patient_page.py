"""The staff patient page: who sees which part, contact corrections by the front desk
(audited, the new address confirmed by the patient), and the link from a failed message."""

import pytest
from django.core import mail
from django.urls import reverse

from clinic.audit.models import AuditEvent
from clinic.notifications.models import ContactPreference, Message
from intake import demo


@pytest.fixture
def intake(patient):
    return demo.seed_intake(patient=patient, answers=demo.FIBROMYALGIA, submit=True)


def _url(patient):
    return reverse("staff:patient", args=[patient.pk])


def _contact(patient):
    return reverse("staff:patient_contact", args=[patient.pk])


def _post(client, patient, **changes):
    data = {"first_name": "Alice", "last_name": "Anderson", "email": patient.email, "phone": ""}
    return client.post(_contact(patient), {**data, **changes})


@pytest.mark.parametrize(
    ("role", "status"),
    [("coordinator", 200), ("clinician", 200), ("clinic_admin", 200), ("patient", 403)],
)
def test_every_staff_role_opens_the_page_and_the_opening_is_audited(
    login, people, patient, intake, role, status
):
    response = login(people[role]).get(_url(patient))
    assert response.status_code == status
    opened = AuditEvent.objects.filter(action="view", view_name="staff:patient")
    assert opened.filter(patient_id=patient.pk).exists() is (status == 200)


def test_a_staff_member_is_not_a_patient_page(login, clinician, coordinator):
    assert login(clinician).get(_url(coordinator)).status_code == 404


# Content-level visibility: the clinical parts of the page (triage of each intake) are for
# clinicians; the front desk reads status, contact, appointments and messages.
@pytest.mark.parametrize(
    ("role", "clinical"), [("clinician", True), ("coordinator", False), ("clinic_admin", False)]
)
def test_triage_is_shown_to_clinicians_only(login, people, patient, intake, role, clinical):
    html = login(people[role]).get(_url(patient)).content.decode()
    assert f"Intake #{intake.pk}" in html and intake.get_status_display() in html
    assert ("Triage:" in html) is clinical
    assert "alice@example.com" in html


def test_messages_sent_are_listed_with_a_link_to_each(login, coordinator, patient, intake):
    message = Message.objects.filter(recipient=patient).first() or Message.objects.create(
        kind="verify_email",
        channel="email",
        recipient=patient,
        due_at=intake.created_at,
        idempotency_key="t:1",
    )
    html = login(coordinator).get(_url(patient)).content.decode()
    assert reverse("messages:detail", args=[message.pk]) in html


def test_coordinator_corrects_a_bounced_email_with_a_reason(login, coordinator, patient):
    mail.outbox.clear()
    response = _post(
        login(coordinator),
        patient,
        email="Alice.A@Example.com",
        phone="(617) 555-0134",
        reason="Patient phoned: typo in the address",
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.email == "alice.a@example.com" and patient.email_verified_at is None
    assert ContactPreference.objects.get(user=patient).phone == "+16175550134"
    event = AuditEvent.objects.get(action="contact_changed")
    assert event.actor_id == coordinator.pk and event.patient_id == patient.pk
    assert event.detail["changes"]["email"] == ["alice@example.com", "alice.a@example.com"]
    assert event.detail["reason"] == "Patient phoned: typo in the address"
    # The new address must be confirmed by the patient.
    assert Message.objects.filter(recipient=patient, kind="verify_email").exists()


def test_an_email_change_without_a_reason_is_refused_next_to_the_field(login, coordinator, patient):
    response = _post(login(coordinator), patient, email="new@example.com")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say why the email address is changed." in html
    assert 'value="new@example.com"' in html  # what was typed is kept
    patient.refresh_from_db()
    assert patient.email == "alice@example.com"
    assert not AuditEvent.objects.filter(action="contact_changed").exists()


def test_an_address_another_account_uses_is_refused(login, coordinator, patient, other_patient):
    response = _post(login(coordinator), patient, email="CHARLIE@example.com", reason="r")
    assert response.status_code == 400
    assert "Another account already uses this address." in response.content.decode()


def test_a_name_fix_needs_no_reason_and_is_audited(login, coordinator, patient):
    _post(login(coordinator), patient, first_name="Alicia")
    patient.refresh_from_db()
    assert patient.first_name == "Alicia" and patient.email_verified_at is not None
    detail = AuditEvent.objects.get(action="contact_changed").detail
    assert detail["changes"] == {"first_name": ["Alice", "Alicia"]}


def test_a_bad_phone_number_is_a_message_not_a_500(login, coordinator, patient):
    response = _post(login(coordinator), patient, phone="not a phone")
    assert response.status_code == 400
    assert 'id="error_1_id_phone"' in response.content.decode()


@pytest.mark.parametrize("role", ["patient", "other_patient"])
def test_patients_cannot_change_contact_details_here(login, people, patient, role):
    response = _post(login(people[role]), patient, email="evil@example.com", reason="x")
    assert response.status_code == 403
    patient.refresh_from_db()
    assert patient.email == "alice@example.com"


def test_failed_message_page_links_to_the_patients_page(login, coordinator, patient):
    message = Message.objects.create(
        kind="verify_email",
        channel="email",
        recipient=patient,
        due_at="2026-11-01T10:00Z",
        status=Message.Status.FAILED,
        idempotency_key="failed:1",
        last_error="550 mailbox unavailable",
    )
    html = login(coordinator).get(reverse("messages:detail", args=[message.pk])).content.decode()
    assert _url(patient) in html and "Fix the contact details" in html


def test_a_future_appointment_is_listed_with_its_move_and_cancel_actions(
    login, coordinator, patient, provider, initial
):
    import datetime as dt

    from django.utils import timezone

    from consultations.models import Appointment, Location

    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=5)
    appointment = Appointment.objects.create(
        patient=patient,
        provider=provider,
        appointment_type=initial,
        kind=initial.kind,
        location=Location.objects.get(kind="clinic"),
        mode="in_person",
        start=start,
        end=start + initial.duration,
        block_start=start,
        block_end=start + initial.duration,
    )
    html = login(coordinator).get(_url(patient)).content.decode()
    assert f'id="appt-{appointment.pk}"' in html
    assert reverse("schedule:move", args=[appointment.pk]) in html
