"""The review page's facts, documents and the staff patient page: real journeys in Chromium
at 1366 x 768, screenshots in /work/shots/review/."""

from pathlib import Path

import pytest

from clinic.documents.models import Document
from intake import demo
from tests.browser.conftest import assert_accessible, log_in
from tests.conftest import PASSWORD

SHOTS = Path("/work/shots/review")
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


@pytest.fixture
def desk(browser, live_server, django_db_serialized_rollback):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def _shoot(page, name: str, full: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def test_clinician_sees_age_bmi_and_checklist_and_attaches_a_pdf(
    desk, patient, clinician, tmp_path
):
    answers = {**demo.BASE, "high_blood_pressure": "yes", "bp_controlled": "yes"}
    intake = demo.seed_intake(
        patient=patient,
        answers={**answers, "health_conditions": ["liver"], "liver_severity": "moderate"},
        submit=True,
    )
    page = desk
    log_in(page, clinician.email, PASSWORD)
    page.goto(f"/staff/intakes/{intake.pk}/")
    page.get_by_role("heading", name="Suggested before a first infusion").wait_for()
    assert page.get_by_test_id("age").inner_text().startswith("age 4")
    assert "BMI 24.2 (167.6 cm, 68.0 kg)" in page.get_by_test_id("body").inner_text()
    ecg = page.locator('[data-checklist="baseline_ecg"]')
    assert "Not yet requested" in ecg.inner_text()
    assert page.locator('[data-checklist="liver_function_tests"]').count() == 1
    assert_accessible(page)
    _shoot(page, "review-page", full=True)

    # Mark the ECG requested: the badge and its history say so.
    ecg.get_by_label("Requested").check()
    ecg.get_by_role("button", name="Save").click()
    page.get_by_text("Baseline ECG: requested.").wait_for()
    ecg = page.locator('[data-checklist="baseline_ecg"]')
    assert ecg.get_by_test_id("checklist-status").inner_text() == "Requested"
    assert "Not yet requested → Requested" in ecg.inner_text()
    ecg.scroll_into_view_if_needed()
    _shoot(page, "checklist-requested")

    # Attach the ECG report (a PDF) from the review page's documents panel.
    page.get_by_role("link", name="Attach").click()
    page.get_by_label("What it is").select_option("ecg")
    pdf = tmp_path / "ECG report.pdf"
    pdf.write_bytes(PDF)
    page.get_by_label("File").set_input_files(str(pdf))
    assert_accessible(page)
    page.get_by_role("button", name="Attach").click()
    page.get_by_text(f"ECG attached to {patient}.").wait_for()
    assert page.url.endswith(f"/staff/intakes/{intake.pk}/")
    link = page.get_by_role("link", name="ECG report.pdf")
    assert link.is_visible()
    assert Document.objects.get().content_type == "application/pdf"
    page.locator("#documents-h").scroll_into_view_if_needed()
    _shoot(page, "review-documents")


def test_a_renamed_program_is_refused_next_to_the_file_field(desk, patient, coordinator, tmp_path):
    page = desk
    log_in(page, coordinator.email, PASSWORD)
    page.goto(f"/documents/patients/{patient.pk}/upload/")
    page.get_by_label("What it is").select_option("referral_letter")
    fake = tmp_path / "referral.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    page.get_by_label("File").set_input_files(str(fake))
    page.get_by_role("button", name="Attach").click()
    page.get_by_text("whatever its name says").wait_for()
    assert page.get_by_label("What it is").input_value() == "referral_letter"
    assert not Document.objects.exists()
    assert_accessible(page)
    _shoot(page, "upload-refused")


def test_coordinator_corrects_the_email_on_the_patient_page(desk, patient, coordinator):
    demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    page = desk
    log_in(page, coordinator.email, PASSWORD)
    page.goto(f"/staff/patients/{patient.pk}/")
    page.get_by_role("heading", name="Contact details").wait_for()
    assert "Triage" not in page.locator("main").inner_text()
    assert_accessible(page)
    _shoot(page, "patient-page", full=True)

    page.get_by_label("Email (also their login)").fill("alice.anderson@example.com")
    page.get_by_role("button", name="Save contact details").click()
    page.get_by_text("Say why the email address is changed.").wait_for()  # next to the field
    assert (
        page.get_by_label("Email (also their login)").input_value() == "alice.anderson@example.com"
    )
    _shoot(page, "patient-contact-error")
    page.get_by_label("Why (needed when the email changes)").fill(
        "Patient phoned: the old address bounced"
    )
    page.get_by_role("button", name="Save contact details").click()
    page.get_by_text("Contact details saved.").wait_for()
    patient.refresh_from_db()
    assert patient.email == "alice.anderson@example.com"
