"""Staff review: the state machine, screening stored on submit, flags, alerts, history."""

import pytest
from django.core import mail

from clinic.accounts.roles import Role
from intake import demo, review, settings_services
from intake.models import DeclineTemplate, Intake, IntakeEvent, ScreeningPolicy, UrgentAlert
from intake.screening import Triage
from tests.conftest import make_user

S = Intake.Status


@pytest.fixture
def submitted(patient, django_capture_on_commit_callbacks):
    """Alice's complete intake (CRPS, oxycodone 60 MME/day, lorazepam), submitted."""
    answers = {**demo.BASE, "high_blood_pressure": "no"}
    return demo.seed_intake(patient=patient, answers=answers, submit=True)


@pytest.fixture
def with_stop_flag(other_patient):
    """Charlie's intake with uncontrolled blood pressure: a stop flag."""
    answers = {**demo.NO_OPIOIDS_METRIC, "high_blood_pressure": "yes", "bp_controlled": "no"}
    return demo.seed_intake(patient=other_patient, answers=answers, submit=True)


def test_submitting_screens_the_intake_and_stores_its_flags_and_queue_fields(submitted):
    codes = set(submitted.flags.values_list("code", flat=True))
    assert "mme_50" in codes
    assert submitted.triage in (Triage.REVIEW, Triage.CLEAR, Triage.STOP)
    assert submitted.mme_band == "caution"
    assert ",crps_1," in submitted.diagnosis_codes
    assert submitted.phone == "+12025550143"
    assert str(submitted.date_of_birth) == "1979-04-23"
    assert submitted.events.filter(kind=IntakeEvent.Kind.SCREENED).exists()


def test_stop_flag_puts_the_intake_in_stop_triage(with_stop_flag):
    assert with_stop_flag.triage == Triage.STOP
    assert [f.code for f in with_stop_flag.open_stop_flags] == ["uncontrolled_hypertension"]


def test_approval_is_refused_while_a_stop_flag_is_open_and_allowed_once_cleared(
    with_stop_flag, clinician, django_capture_on_commit_callbacks
):
    with pytest.raises(review.ApprovalBlocked):
        review.approve(intake=with_stop_flag, actor=clinician)
    assert Intake.objects.get(pk=with_stop_flag.pk).status == S.SUBMITTED

    flag = with_stop_flag.flags.get(code="uncontrolled_hypertension")
    with pytest.raises(review.ReviewError):
        review.clear_flag(flag=flag, actor=clinician, reason="  ")
    review.clear_flag(flag=flag, actor=clinician, reason="BP 128/82 at GP last week")
    with django_capture_on_commit_callbacks(execute=True):
        approved = review.approve(intake=with_stop_flag, actor=clinician)
    assert approved.status == S.APPROVED
    # The outbox also sends the submission receipt queued earlier; one approval email.
    sent = [m for m in mail.outbox if m.subject == "You can now book your consultation"]
    assert len(sent) == 1
    body = sent[0].body
    assert "Charlie" in body and "/appointments/book/" in body
    assert "blood pressure" not in body.lower()  # a name and a link, nothing clinical


def test_illegal_transitions_are_refused(submitted, clinician):
    review.start_review(intake=submitted, actor=clinician)
    with pytest.raises(review.IllegalTransition):
        review.start_review(intake=submitted, actor=clinician)
    template = DeclineTemplate.objects.first()
    review.decline(intake=submitted, actor=clinician, template=template)
    for action in (review.approve, review.start_review):
        with pytest.raises(review.IllegalTransition):
            action(intake=submitted, actor=clinician)


def test_start_review_assigns_the_reviewer_when_nobody_is_assigned(submitted, clinician):
    review.start_review(intake=submitted, actor=clinician)
    submitted.refresh_from_db()
    assert submitted.status == S.IN_REVIEW and submitted.assigned_to == clinician


def test_request_more_information_reopens_sections_and_resubmission_returns_to_queue(
    submitted, clinician, django_capture_on_commit_callbacks
):
    from intake import services

    with django_capture_on_commit_callbacks(execute=True):
        review.request_more_info(
            intake=submitted,
            actor=clinician,
            sections=["opioids"],
            message="Please add the dose of your oxycodone patch, if you use one.",
        )
    submitted.refresh_from_db()
    assert submitted.status == S.WAITING_FOR_PATIENT
    assert submitted.patient_may_edit("opioids") and not submitted.patient_may_edit("mood")
    assert "oxycodone" not in mail.outbox[0].body  # the message stays in the portal

    services.save_step(
        intake=submitted,
        step="opioids",
        raw={},
        complete=True,
        valid_answers={"opioids": [{"drug": "oxycodone", "strength": 20.0, "doses_per_day": 4.0}]},
    )
    resubmitted = services.submit_intake(intake=submitted)
    assert resubmitted.status == S.SUBMITTED
    assert resubmitted.reopened_sections == []
    assert resubmitted.mme_band == "caution" or resubmitted.mme_band == "high"
    assert float(resubmitted.mme_total) == 120.0


def test_request_more_information_needs_sections_and_a_message(submitted, clinician):
    with pytest.raises(review.ReviewError):
        review.request_more_info(intake=submitted, actor=clinician, sections=[], message="x")
    with pytest.raises(review.ReviewError):
        review.request_more_info(intake=submitted, actor=clinician, sections=["pain"], message=" ")


def test_decline_shows_the_template_message_and_records_the_internal_reason(submitted, clinician):
    template = DeclineTemplate.objects.first()
    review.decline(intake=submitted, actor=clinician, template=template, note="Internal detail")
    submitted.refresh_from_db()
    assert submitted.status == S.DECLINED
    assert submitted.decision_message == template.patient_message
    event = submitted.events.get(kind=IntakeEvent.Kind.STATUS, to_status=S.DECLINED)
    assert "Internal detail" in event.text and event.actor == clinician


def test_every_status_change_is_in_the_history(submitted, clinician):
    review.start_review(intake=submitted, actor=clinician)
    review.refer(intake=submitted, actor=clinician, note="Pain psychology", patient_message="Hi")
    moves = list(
        submitted.events.filter(kind=IntakeEvent.Kind.STATUS).values_list(
            "from_status", "to_status"
        )
    )
    assert moves == [
        (Intake.Status.IN_PROGRESS, Intake.Status.SUBMITTED),
        (Intake.Status.SUBMITTED, Intake.Status.IN_REVIEW),
        (Intake.Status.IN_REVIEW, Intake.Status.REFERRED),
    ]


def test_clearing_survives_rescreening_while_the_flag_is_unchanged(with_stop_flag, clinician):
    flag = with_stop_flag.flags.get(code="uncontrolled_hypertension")
    review.clear_flag(flag=flag, actor=clinician, reason="Checked")
    review.apply_screening(intake=Intake.objects.get(pk=with_stop_flag.pk))
    again = with_stop_flag.flags.get(code="uncontrolled_hypertension")
    assert again.cleared_at is not None and again.clear_reason == "Checked"


def test_policy_change_is_a_new_version_and_rescreening_records_it(
    with_stop_flag, clinic_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = settings_services.publish_screening_policy(
            severities={"uncontrolled_hypertension": "caution"},
            pcptsd_cutoff=4,
            author=clinic_admin,
            reason="Medical director: BP is a caution",
        )
    assert row.version == 1 and ScreeningPolicy.current() == row
    intake = Intake.objects.get(pk=with_stop_flag.pk)
    assert intake.screening_policy == row
    assert intake.flags.get(code="uncontrolled_hypertension").severity == "caution"
    assert intake.triage != "stop"


def test_phq9_item9_raises_one_urgent_alert_and_acknowledging_records_who_and_what(
    patient, clinician
):
    intake = demo.seed_intake(patient=patient, answers=demo.FIBROMYALGIA, submit=True)
    assert intake.triage == Triage.URGENT
    alert = UrgentAlert.objects.get(intake=intake)
    with pytest.raises(review.ReviewError):
        review.acknowledge_alert(alert=alert, actor=clinician, action_taken="")
    review.acknowledge_alert(alert=alert, actor=clinician, action_taken="Called; safe; plan made")
    alert.refresh_from_db()
    assert alert.acknowledged_by == clinician and alert.action_taken == "Called; safe; plan made"
    assert intake.events.filter(kind=IntakeEvent.Kind.ALERT_ACKNOWLEDGED).exists()


def test_notes_are_recorded_with_author(submitted, coordinator):
    review.add_note(intake=submitted, actor=coordinator, text="Prefers mornings")
    note = submitted.events.get(kind=IntakeEvent.Kind.NOTE)
    assert note.actor == coordinator and note.text == "Prefers mornings"


def test_assigning_records_who(submitted, clinician, coordinator):
    other = make_user("dr.two@example.com", Role.CLINICIAN, "Two", "Doc")
    review.assign(intake=submitted, clinician=other, actor=coordinator)
    submitted.refresh_from_db()
    assert submitted.assigned_to == other
    assert "Two Doc" in submitted.events.get(kind=IntakeEvent.Kind.ASSIGNED).text


def test_patient_updates_only_the_reopened_section_and_resubmits_from_the_pages(
    login, patient, submitted, clinician
):
    from django.urls import reverse

    from tests.intake.helpers import post_data

    review.request_more_info(
        intake=submitted,
        actor=clinician,
        sections=["goals"],
        message="Can someone drive you home after each infusion?",
    )
    client = login(patient)
    portal = client.get(reverse("intake:portal")).content.decode()
    assert "Can someone drive you home" in portal
    closed = client.get(reverse("intake:step", args=["mood"]), follow=True)
    assert closed.redirect_chain[-1][0] == reverse("intake:review")
    assert "That section is closed" in closed.content.decode()
    answers = {**demo.BASE, "has_driver": "yes", "goals": ["less_pain"]}
    saved = client.post(reverse("intake:step", args=["goals"]), post_data("goals", answers))
    assert saved.url == reverse("intake:review")
    client.post(reverse("intake:review"))
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED and submitted.answers["goals"] == ["less_pain"]


def test_edit_from_the_review_page_comes_back_to_it(login, other_patient):
    from django.urls import reverse

    from tests.intake.helpers import post_data

    intake = demo.seed_intake(patient=other_patient, answers=demo.NO_OPIOIDS_METRIC, submit=False)
    url = reverse("intake:step", args=["goals"]) + "?return=review"
    response = login(other_patient).post(url, post_data("goals", demo.NO_OPIOIDS_METRIC))
    assert response.url == reverse("intake:review")
    assert Intake.objects.get(pk=intake.pk).status == S.IN_PROGRESS


def test_autosaving_item9_above_zero_tells_the_page_to_show_crisis_resources(login, patient):
    from django.urls import reverse

    from tests.intake.helpers import post_data

    demo.seed_intake(
        patient=patient, answers=demo.answers_for_steps(demo.BASE, ("about",)), submit=False
    )
    answers = {**demo.BASE, "phq9_9": "2"}
    reply = login(patient).post(
        reverse("intake:autosave", args=["mood"]), post_data("mood", answers, action="")
    )
    assert reply.json()["crisis"] is True
    assert UrgentAlert.objects.filter(intake__patient=patient).count() == 1
