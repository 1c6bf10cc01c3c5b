"""A clinician records a consultation's outcome (proceed, with Budapest signs) and then an
infusion record at the chair on a tablet-sized screen: visit, vitals (one out of range),
side effects, signing and a correction. The patient reads the kind words on her phone.
axe on every new page; screenshots in /work/shots/record/."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consultations.models import Appointment, AppointmentType, Location
from tests.browser.conftest import SCREENSHOTS, assert_accessible, log_in
from tests.conftest import PASSWORD
from tests.consultations.conftest import consulted

SHOTS = Path("/work/shots/record")


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"record-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(path, SHOTS / f"{name}.png")


@pytest.fixture
def visits(approved_patient, provider):
    """Alice (CRPS in her intake) came to her consultation yesterday and is in the chair
    for an infusion that started an hour ago."""
    consultation = consulted(
        approved_patient, provider, start=timezone.now() - dt.timedelta(days=1)
    )
    kind = AppointmentType.objects.get(kind="infusion")
    start = (timezone.now() - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    infusion = Appointment.objects.create(
        patient=approved_patient,
        provider=provider,
        appointment_type=kind,
        kind=kind.kind,
        location=Location.objects.filter(kind="clinic").first(),
        mode="in_person",
        start=start,
        end=start + kind.duration,
        block_start=start,
        block_end=start + kind.duration,
        status=Appointment.Status.CHECKED_IN,
    )
    return consultation, infusion


def test_outcome_then_infusion_record_signed_and_corrected(page, visits, clinician):
    consultation, infusion = visits
    log_in(page, clinician.email, PASSWORD)
    page.goto(f"/staff/patients/{consultation.patient_id}/")
    page.get_by_role("link", name="Record outcome").click()
    page.get_by_label("Proceed to a course of infusions", exact=True).check()
    page.get_by_label("Proceed to a course of infusions: Plan a course of infusions").check()
    page.get_by_label("Allodynia", exact=False).check()
    page.get_by_label("Edema", exact=True).check()
    page.get_by_label("Clinical note (staff only)").fill("Good candidate; BP fine")
    assert_accessible(page)
    shot(page, "01-outcome-form")
    page.get_by_role("button", name="Continue to check").click()
    assert page.get_by_role("heading", name="Record this outcome?").is_visible()
    assert page.get_by_text("Budapest criteria met").is_visible()
    assert_accessible(page)
    shot(page, "02-outcome-confirm")
    page.get_by_role("button", name="Record the outcome").click()
    assert page.get_by_role(
        "heading", name="Outcome now: Proceed to a course of infusions"
    ).is_visible()
    assert_accessible(page)
    shot(page, "03-outcome-recorded")

    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet at the chair
    page.goto(f"/staff/patients/{consultation.patient_id}/")
    page.get_by_role("link", name="Infusion record").click()
    page.get_by_label("Arrived at").fill("09:00")
    page.get_by_label("Driver taking the patient home").fill("Bob Anderson")
    page.get_by_role("button", name="Save arrival and discharge").click()
    readings = [
        ("Before", "09:05", "128", "80", "72", "98"),
        ("During", "09:30", "172", "96", "90", "97"),
        ("After", "10:30", "130", "82", "75", "98"),
    ]
    for phase, taken, sys, dia, hr, spo2 in readings:
        form = page.locator("form.reading-form")
        form.get_by_label(phase, exact=True).check()
        form.get_by_label("Time taken").fill(taken)
        form.get_by_label("Systolic BP (mmHg)").fill(sys)
        form.get_by_label("Diastolic BP (mmHg)").fill(dia)
        form.get_by_label("Heart rate (bpm)").fill(hr)
        form.get_by_label("SpO2 (%)").fill(spo2)
        if phase == "After":
            for group, answer in (
                ("Nausea", "Mild"),
                ("Dissociation", "Moderate"),
                ("Anxiety", "None"),
                ("Headache", "None"),
            ):
                form.get_by_role("group", name=group).get_by_label(answer, exact=True).check()
        form.get_by_role("button", name="Add the reading").click()
        assert page.get_by_text("Reading added.").is_visible()
    assert page.get_by_text("systolic above 160 mmHg").is_visible()
    page.get_by_label("Discharged at").fill("11:00")
    page.get_by_role("button", name="Save arrival and discharge").click()
    expect(page.get_by_text("Arrival, discharge and driver saved.")).to_be_visible()
    assert_accessible(page)
    shot(page, "04-record-before-signing")
    page.get_by_role("link", name="Sign the record…").click()
    expect(page.get_by_role("heading", name="Sign the infusion record?")).to_be_visible()
    assert_accessible(page)
    shot(page, "05-sign-confirm")
    page.get_by_role("button", name="Sign the record").click()
    assert page.locator("#signed").is_visible()
    page.get_by_label("What to correct").select_option(label="Driver's name")
    page.get_by_label("Correct value").fill("Carol Anderson")
    page.get_by_label("Why it is corrected").fill("Her sister came instead")
    page.get_by_role("button", name="Add the correction").click()
    assert (
        page.locator("#correction-list").get_by_text("Bob Anderson → Carol Anderson").is_visible()
    )
    # Stopped early after all, and a reading found on the monitor printout: both appended.
    page.get_by_label("Yes, it was stopped early").check()
    page.get_by_label("Why it was stopped early").fill("Vomiting at 40 minutes")
    page.get_by_label("Reason for this correction").fill("Missed when signing")
    page.get_by_role("button", name="Correct stopped early").click()
    assert page.get_by_text("Yes: Vomiting at 40 minutes").is_visible()
    late = page.locator("form.reading-form")
    late.get_by_label("During", exact=True).check()
    late.get_by_label("Time taken").fill("09:45")
    late.get_by_label("Heart rate (bpm)").fill("88")
    late.get_by_label("Why it is added after signing").fill("Found on the monitor printout")
    late.get_by_role("button", name="Add the late reading").click()
    assert page.get_by_text("Reading added late: During 09:45").is_visible()
    assert_accessible(page)
    shot(page, "06-record-signed-corrected")


def test_the_patient_reads_the_kind_words_on_her_phone(phone_page, visits, clinician):
    from consultations import outcome_services
    from consultations.models import OutcomeMessageTemplate

    consultation, _ = visits
    template = OutcomeMessageTemplate.objects.filter(decision="proceed").first()
    outcome_services.record_outcome(
        appointment=consultation,
        actor=clinician,
        decision="proceed",
        template=template,
        note="Clinical words never shown",
    )
    log_in(phone_page, consultation.patient.email, PASSWORD)
    phone_page.goto(f"/appointments/{consultation.pk}/")
    assert phone_page.get_by_role("heading", name="After your consultation").is_visible()
    assert phone_page.get_by_text("Clinical words never shown").count() == 0
    assert_accessible(phone_page)
    shot(phone_page, "07-patient-phone")
