"""Reopening a decision: the transition (legal and illegal), the confirmation page, the
record it leaves, and the patient's own future bookings flagged for staff."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import AuditEvent
from consultations.decision_flags import flagged_bookings
from consultations.models import Appointment, AppointmentType, Location, Provider
from intake import demo, review
from intake.models import DeclineTemplate, Intake, IntakeEvent

S = Intake.Status
REASON = "Patient phoned: 8 weeks pregnant"


@pytest.fixture
def submitted(patient):
    return demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)


@pytest.fixture
def approved(submitted, clinician, django_capture_on_commit_callbacks):
    return review.approve(intake=submitted, actor=clinician)


def _in(intake, status):
    Intake.objects.filter(pk=intake.pk).update(status=status)
    intake.refresh_from_db()
    return intake


def _appointment(patient, *, created_by, days=3, status=Appointment.Status.BOOKED):
    start = timezone.now() + dt.timedelta(days=days)
    # Follow-ups: a patient may hold several at once (one booked initial consultation only).
    kind = AppointmentType.objects.get(kind="follow_up")
    provider = Provider.objects.first()
    return Appointment.objects.create(
        patient=patient,
        provider=provider,
        appointment_type=kind,
        kind=kind.kind,
        location=Location.objects.filter(kind="clinic").first(),
        mode="in_person",
        start=start,
        end=start + dt.timedelta(hours=1),
        block_start=start,
        block_end=start + dt.timedelta(hours=1),
        status=status,
        created_by=created_by,
    )


# ------------------------------------------------------------------ the transition


@pytest.mark.parametrize("decided", [S.APPROVED, S.DECLINED, S.REFERRED])
def test_a_decision_can_be_reopened_back_into_review_with_a_reason(submitted, clinician, decided):
    intake = _in(submitted, decided)
    reopened = review.reopen(intake=intake, actor=clinician, reason=REASON)
    reopened.refresh_from_db()
    assert reopened.status == S.IN_REVIEW
    event = reopened.events.filter(kind=IntakeEvent.Kind.STATUS).last()
    assert (event.from_status, event.to_status, event.text) == (decided, S.IN_REVIEW, REASON)
    assert event.actor == clinician


@pytest.mark.parametrize(
    "undecided", [S.IN_PROGRESS, S.SUBMITTED, S.IN_REVIEW, S.WAITING_FOR_PATIENT]
)
def test_an_undecided_intake_cannot_be_reopened(submitted, clinician, undecided):
    intake = _in(submitted, undecided)
    with pytest.raises(review.IllegalTransition):
        review.reopen(intake=intake, actor=clinician, reason=REASON)
    assert Intake.objects.get(pk=intake.pk).status == undecided
    assert "reopen" not in review.allowed_actions(intake)


def test_reopening_needs_a_reason_and_changes_nothing_without_one(approved, clinician):
    with pytest.raises(review.ReviewError):
        review.reopen(intake=approved, actor=clinician, reason="   ")
    assert Intake.objects.get(pk=approved.pk).status == S.APPROVED


def test_reopen_is_offered_only_for_decided_intakes(submitted):
    assert "reopen" not in review.allowed_actions(submitted)
    assert "reopen" in review.allowed_actions(_in(submitted, S.APPROVED))


def test_a_reopened_intake_can_be_approved_again_or_asked_for_more(approved, clinician):
    reopened = review.reopen(intake=approved, actor=clinician, reason=REASON)
    assert {"approve", "request_info", "decline", "refer"} <= review.allowed_actions(reopened)
    assert "reopen" not in review.allowed_actions(reopened)
    again = review.approve(intake=reopened, actor=clinician)
    assert again.status == S.APPROVED and again.decided_at is not None
    assert review.reopened_at(again) is None


def test_reopening_a_decline_clears_the_message_the_patient_saw(submitted, clinician):
    template = DeclineTemplate.objects.first()
    declined = review.decline(intake=submitted, actor=clinician, template=template)
    assert declined.decision_message
    reopened = review.reopen(intake=declined, actor=clinician, reason="New referral letter")
    reopened.refresh_from_db()
    assert reopened.decision_message == "" and reopened.decline_template is None
    assert reopened.decided_at is None


def test_reopening_is_refused_while_the_patient_has_another_intake_open(
    submitted, clinician, patient
):
    _in(submitted, S.DECLINED)
    newer = Intake.objects.create(patient=patient, questionnaire_version="t")
    with pytest.raises(review.ReviewError, match=f"#{newer.pk}"):
        review.reopen(intake=submitted, actor=clinician, reason=REASON)
    assert Intake.objects.get(pk=submitted.pk).status == S.DECLINED


def test_the_patient_is_no_longer_approved_for_booking_once_reopened(approved, clinician, patient):
    from consultations import services

    assert services.approved_intake(patient) == approved
    review.reopen(intake=approved, actor=clinician, reason=REASON)
    assert services.approved_intake(patient) is None


# ------------------------------------------------------------------ flagged bookings


def test_future_self_booked_visits_are_flagged_once_the_decision_is_reopened(
    provider, approved, clinician, coordinator, patient, other_patient
):
    own = _appointment(patient, created_by=patient)
    by_staff = _appointment(patient, created_by=coordinator, days=4)
    _appointment(patient, created_by=patient, days=-2)  # already happened
    _appointment(patient, created_by=patient, days=5, status=Appointment.Status.CANCELLED_PATIENT)
    _appointment(other_patient, created_by=other_patient, days=6)  # nothing reopened for Charlie
    now = timezone.now()
    assert list(flagged_bookings(now=now)) == []

    review.reopen(intake=approved, actor=clinician, reason=REASON)
    assert list(flagged_bookings(now=now)) == [own]
    assert by_staff not in flagged_bookings(now=now)

    review.approve(intake=Intake.objects.get(pk=approved.pk), actor=clinician)
    assert list(flagged_bookings(now=now)) == []


# ------------------------------------------------------------------ the pages


def test_clinician_reopens_from_a_confirmation_page_with_a_reason(
    provider, login, clinician, approved, patient
):
    _appointment(patient, created_by=patient)
    login(clinician)
    page = reverse("staff:intake", args=[approved.pk])
    assert (
        reverse("staff:intake_reopen", args=[approved.pk])
        in login(clinician).get(page).content.decode()
    )
    url = reverse("staff:intake_reopen", args=[approved.pk])
    confirm = login(clinician).get(url)
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "Reopen the decision" in text and "Booked by the patient" in text
    assert Intake.objects.get(pk=approved.pk).status == S.APPROVED  # GET changes nothing

    response = login(clinician).post(url, {"reason": REASON})
    assert response.status_code == 302 and response.url == page
    assert Intake.objects.get(pk=approved.pk).status == S.IN_REVIEW
    audit = AuditEvent.objects.filter(action="review_reopen").get()
    assert audit.actor_id == clinician.pk and audit.patient_id == patient.pk
    review_page = login(clinician).get(page).content.decode()
    assert "Decision reopened" in review_page and "Check before these visits" in review_page


def test_reopen_without_a_reason_says_so_next_to_the_field_and_changes_nothing(
    login, clinician, approved
):
    url = reverse("staff:intake_reopen", args=[approved.pk])
    response = login(clinician).post(url, {"reason": "  "})
    assert response.status_code == 200
    assert "Say what new information" in response.content.decode()
    assert Intake.objects.get(pk=approved.pk).status == S.APPROVED


def test_reopen_page_for_an_undecided_intake_explains_and_goes_back(login, clinician, submitted):
    url = reverse("staff:intake_reopen", args=[submitted.pk])
    response = login(clinician).post(url, {"reason": REASON}, follow=True)
    assert "has no decision to reopen" in response.content.decode()
    assert Intake.objects.get(pk=submitted.pk).status == S.SUBMITTED


@pytest.mark.parametrize("role", ["coordinator", "clinic_admin", "patient"])
def test_only_clinicians_reopen_a_decision(login, people, approved, role):
    response = login(people[role]).post(
        reverse("staff:intake_reopen", args=[approved.pk]), {"reason": REASON}
    )
    assert response.status_code == 403
    assert Intake.objects.get(pk=approved.pk).status == S.APPROVED


def test_coordinator_sees_the_flag_and_the_list_but_not_the_reason(
    provider, login, clinician, coordinator, approved, patient
):
    booked = _appointment(patient, created_by=patient)
    review.reopen(intake=approved, actor=clinician, reason=REASON)
    page = login(coordinator).get(reverse("staff:intake", args=[approved.pk])).content.decode()
    assert "Decision reopened" in page and "Check before these visits" in page
    assert "pregnant" not in page
    listing = login(coordinator).get(reverse("schedule:reopened_bookings"))
    assert listing.status_code == 200
    text = listing.content.decode()
    assert str(patient) in text and "Decision reopened" in text and "pregnant" not in text
    # Moved or cancelled from the list itself (through their confirmation pages).
    assert reverse("schedule:move", args=[booked.pk]) in text
    assert reverse("schedule:cancel", args=[booked.pk]) in text
    listed = AuditEvent.objects.filter(view_name="schedule:reopened_bookings").get()
    assert f",{patient.pk}," in listed.patient_ids
