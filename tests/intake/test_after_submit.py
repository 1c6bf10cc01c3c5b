"""After submitting: a receipt with nothing clinical, a timeline per state, the approval
email that links to booking, and information added from the portal (for clinicians only,
audited)."""

import pytest
from django.core import mail
from django.urls import reverse

from clinic.audit.models import AuditEvent
from intake import demo, review, services, timeline
from intake.models import Intake, IntakeEvent

CLINICAL = ("CRPS", "oxycodone", "MME", "PEG", "PHQ", "opioid", "diagnos", "medicine")


@pytest.fixture
def submitted(patient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)


def test_submitting_sends_a_receipt_with_a_name_a_time_and_a_link_only(submitted):
    (receipt,) = [m for m in mail.outbox if m.subject == "We have received your intake"]
    assert receipt.from_email == "Riverside Ketamine Pain Clinic <no-reply@clinic.example>"
    assert receipt.body.startswith("Hello Alice,")
    assert "received your intake on " in receipt.body
    assert f"http://127.0.0.1:8000{reverse('intake:portal')}" in receipt.body
    for word in CLINICAL:
        assert word.lower() not in receipt.body.lower()


def test_the_approval_email_links_straight_to_booking(
    submitted, clinician, django_capture_on_commit_callbacks
):
    submitted = review.start_review(intake=submitted, actor=clinician)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review.approve(intake=submitted, actor=clinician)
    (approval,) = mail.outbox
    assert f"http://127.0.0.1:8000{reverse('consultations:book')}" in approval.body
    assert "book your consultation" in approval.body
    for word in CLINICAL:
        assert word.lower() not in approval.body.lower()


@pytest.mark.parametrize(
    ("status", "booked", "states"),
    [
        ("in_progress", None, []),
        ("submitted", None, ["done", "current", "later", "later"]),
        ("in_review", None, ["done", "current", "later", "later"]),
        ("waiting_for_patient", None, ["done", "current", "later", "later"]),
        ("approved", None, ["done", "done", "done", "current"]),
        ("approved", "Tuesday, January 12, 2027 at 9:00 AM EST", ["done"] * 4),
        ("approved", "consulted", ["done"] * 4),
        ("declined", None, ["done", "done", "done", "later"]),
        ("referred", None, ["done", "done", "done", "later"]),
    ],
)
def test_the_timeline_shows_where_each_state_stands(status, booked, states):
    consulted = booked == "consulted"  # the consultation has taken place, none booked
    stages = timeline.stages(
        status=status,
        submitted_on="May 14, 2026",
        booked_when=None if consulted else booked,
        consulted=consulted,
    )
    assert [s.state for s in stages] == states
    if stages:
        assert [s.title for s in stages] == ["Submitted", "In review", "Decision", "Booking"]
        assert stages[0].text == "We received your intake on May 14, 2026."
    if consulted:
        assert stages[3].text == "You have had your consultation."
    elif booked:
        assert stages[3].text == f"Your consultation is booked for {booked}."


def test_the_portal_draws_the_timeline_and_says_booked_not_book_now(client, patient, submitted):
    client.force_login(patient)
    page = client.get(reverse("intake:portal")).content.decode()
    assert "What happens next" in page and 'aria-current="step"' in page
    assert "A clinician reads your answers." in page
    Intake.objects.filter(pk=submitted.pk).update(status=Intake.Status.APPROVED)
    page = client.get(reverse("intake:portal")).content.decode()
    assert "You can now book it" in page


def test_after_the_consultation_the_portal_no_longer_asks_to_book_it(
    client, patient, submitted, provider
):
    """A patient mid-course (consultation completed, infusions since) was still told "You
    can now book it" with a button to book the consultation they had had."""
    from tests.consultations.test_calendar import DAY, book

    Intake.objects.filter(pk=submitted.pk).update(status=Intake.Status.APPROVED)
    book(patient, provider, DAY, 10, kind="initial", status="completed")
    client.force_login(patient)
    page = client.get(reverse("intake:portal")).content.decode()
    assert "You can now book it" not in page and "Book your consultation" not in page
    assert "You have had your consultation." in page
    assert "Book now" not in page  # the timeline's booking stage is done


def test_a_note_from_the_portal_is_kept_for_clinicians_and_audited(
    client, patient, submitted, login, clinician, coordinator
):
    client.force_login(patient)
    response = client.post(reverse("intake:add_note"), {"text": "  Started gabapentin 300 mg  "})
    assert response.url == reverse("intake:portal")
    event = IntakeEvent.objects.get(kind=IntakeEvent.Kind.PATIENT_NOTE)
    assert event.text == "Started gabapentin 300 mg" and event.actor == patient
    audit = AuditEvent.objects.get(action="create", target_id=str(event.pk))
    assert audit.actor == patient and audit.detail == {"what": "information added by the patient"}
    url = reverse("staff:intake", args=[submitted.pk])
    assert "Started gabapentin 300 mg" in login(clinician).get(url).content.decode()
    assert "Started gabapentin" not in login(coordinator).get(url).content.decode()


@pytest.mark.parametrize(
    ("text", "error"),
    [("   ", "Please write what you would like"), ("x" * 2001, "2,000 characters")],
)
def test_an_empty_or_too_long_note_is_refused_next_to_the_field_keeping_the_text(
    client, patient, submitted, text, error
):
    client.force_login(patient)
    response = client.post(reverse("intake:add_note"), {"text": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page and 'aria-invalid="true"' in page
    assert text.strip()[:50] in page
    assert not IntakeEvent.objects.filter(kind=IntakeEvent.Kind.PATIENT_NOTE).exists()


def test_a_note_before_submitting_is_refused(patient):
    intake = services.start_intake(patient=patient)
    with pytest.raises(services.NoteRefused):
        services.add_patient_note(intake=intake, text="hello")
