"""Decisions taken and taken back: a clinician reopens an approval with a reason, a
resubmission shows what changed, the screening policy is previewed before it is saved,
and a patient re-signs a new consent before booking. Screenshots: /work/shots/decisions/."""

import datetime as dt
from pathlib import Path

from django.utils import timezone

from consultations.models import Appointment, AppointmentType, Location, Provider
from intake import demo, review, services, settings_services
from intake.models import Intake, ScreeningPolicy
from tests.browser.conftest import assert_accessible, log_in
from tests.conftest import PASSWORD

SHOTS = Path("/work/shots/decisions")
OXY = {"drug": "oxycodone", "strength": 10.0, "doses_per_day": 4.0, "prescriber": "Dr. Rivera"}


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _self_booked(patient, clinician):
    provider = Provider.objects.create(user=clinician, display_name="Dr. Morgan Lee")
    kind = AppointmentType.objects.get(kind="initial")
    start = (timezone.now() + dt.timedelta(days=5)).replace(hour=15, minute=0, second=0)
    return Appointment.objects.create(
        patient=patient,
        provider=provider,
        appointment_type=kind,
        kind=kind.kind,
        location=Location.objects.filter(kind="clinic").first(),
        mode="in_person",
        start=start,
        end=start + kind.duration,
        block_start=start,
        block_end=start + kind.duration,
        created_by=patient,
    )


def test_clinician_reopens_an_approval_with_a_reason_and_the_patients_booking_is_flagged(
    page, patient, clinician
):
    intake = demo.seed_intake(patient=patient, answers={**demo.BASE, "opioids": [OXY]}, submit=True)
    review.approve(intake=intake, actor=clinician)
    _self_booked(patient, clinician)

    log_in(page, clinician.email, PASSWORD)
    page.goto(f"/staff/intakes/{intake.pk}/")
    page.get_by_role("link", name="Reopen the decision…").click()
    page.get_by_role("heading", name="Reopen the decision for Alice Anderson?").wait_for()
    assert "Booked by the patient, still to come" in page.content()
    assert_accessible(page)
    shoot(page, "reopen-confirm")

    page.get_by_role("button", name="Reopen the decision").click()  # no reason yet
    page.locator("#error-summary").wait_for()
    assert "Say what new information" in page.content()
    assert Intake.objects.get(pk=intake.pk).status == Intake.Status.APPROVED
    assert_accessible(page)
    shoot(page, "reopen-needs-a-reason")

    page.get_by_label("What new information makes you reopen this decision?").fill(
        "Phoned today: 8 weeks pregnant"
    )
    page.get_by_role("button", name="Reopen the decision").click()
    page.get_by_text("Decision reopened: the intake is back in review.").wait_for()
    assert Intake.objects.get(pk=intake.pk).status == Intake.Status.IN_REVIEW
    panel = page.locator("section", has=page.get_by_role("heading", name="Decision reopened"))
    assert "Check before these visits" in panel.inner_text()
    assert "Initial consultation" in panel.inner_text()
    assert "8 weeks pregnant" in page.content()  # in the clinician's history
    assert_accessible(page)
    shoot(page, "reopen-review-page")

    page.get_by_role("link", name="Every booking to check").click()
    page.get_by_role("heading", name="Bookings to check: decisions reopened").wait_for()
    assert "Alice Anderson" in page.content() and "pregnant" not in page.content()
    assert_accessible(page)
    shoot(page, "reopened-bookings")


def test_a_resubmission_is_marked_in_the_queue_and_shows_what_changed(page, patient, clinician):
    intake = demo.seed_intake(patient=patient, answers={**demo.BASE, "opioids": [OXY]}, submit=True)
    review.request_more_info(
        intake=intake, actor=clinician, sections=["opioids"], message="Your current dose?"
    )
    intake.refresh_from_db()
    services.save_step(
        intake=intake,
        step="opioids",
        raw={},
        complete=True,
        valid_answers={"opioids": [{**OXY, "strength": 5.0}]},
    )
    intake.refresh_from_db()
    services.submit_intake(intake=intake)

    log_in(page, clinician.email, PASSWORD)
    page.get_by_role("heading", name="Dashboard").wait_for()
    row = page.locator("table tbody tr", has_text="Alice Anderson")
    assert "Resubmitted" in row.inner_text()
    shoot(page, "queue-resubmitted")

    page.get_by_role("link", name="Alice Anderson").click()
    changes = page.locator("table.answer-changes")
    changes.wait_for()
    line = changes.locator("tbody tr", has_text="Oxycodone, strength").inner_text()
    assert "10 mg" in line and "5 mg" in line and line.index("10 mg") < line.index("5 mg")
    assert_accessible(page)
    shoot(page, "review-what-changed")


def test_clinician_previews_a_policy_change_on_open_intakes_then_saves_it_with_a_reason(
    page, patient, clinician
):
    answers = {**demo.NO_OPIOIDS_METRIC, "high_blood_pressure": "yes", "bp_controlled": "no"}
    demo.seed_intake(patient=patient, answers=answers, submit=True)

    log_in(page, clinician.email, PASSWORD)
    page.get_by_role("link", name="Screening policy").click()
    page.get_by_role("heading", name="Screening policy").wait_for()
    assert_accessible(page)
    page.get_by_label("High blood pressure, not controlled").select_option("caution")
    page.get_by_role("button", name="Check the effect on open intakes").click()
    preview = page.locator("#policy-preview")
    preview.wait_for()
    assert "1 of 1" in preview.inner_text()
    assert not ScreeningPolicy.objects.exists()
    assert_accessible(page)
    shoot(page, "policy-preview")

    page.get_by_label("Why this change").fill("Medical director: BP is reviewed at the visit")
    page.get_by_role("button", name="Save as a new version").click()
    page.get_by_text("Policy version 1 saved.").wait_for()
    assert ScreeningPolicy.current().reason == "Medical director: BP is reviewed at the visit"
    shoot(page, "policy-saved")


def test_patient_re_signs_a_new_consent_version_before_booking(page, patient, clinic_admin):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.APPROVED)
    settings_services.publish_consent_text(
        title="Consent to ketamine infusion assessment",
        body="We now observe you for 30 minutes after each infusion.",
        author=clinic_admin,
    )

    log_in(page, patient.email, PASSWORD)
    page.goto("/appointments/book/")
    page.get_by_role("heading", name="Please read our updated consent").wait_for()
    assert "30 minutes after each infusion" in page.content()
    assert_accessible(page)
    shoot(page, "consent-resign")

    page.get_by_label("I have read this consent information and I agree to it.").check()
    page.get_by_label("Type your full name to sign").fill("Alice Anderson")
    page.get_by_role("button", name="Sign and continue").click()
    page.get_by_text("your consent is signed").wait_for()
    assert page.url.endswith("/appointments/book/")
    assert services.needs_consent_resign(patient) is None
    shoot(page, "consent-signed-back-to-booking")
