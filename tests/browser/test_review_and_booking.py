"""Staff review a candidate and a patient books: real journeys in Chromium."""

import datetime as dt

from consultations.models import Appointment, AppointmentType, Provider, WorkingHours
from intake import demo
from intake.models import Intake
from tests.browser.conftest import assert_accessible, log_in, shoot
from tests.conftest import PASSWORD


def test_clinician_clears_a_stop_flag_with_a_reason_then_approves(
    page, patient, clinician, other_patient
):
    answers = {**demo.BASE, "health_conditions": ["eye_pressure"]}
    intake = demo.seed_intake(patient=patient, answers=answers, submit=True)
    demo.seed_intake(patient=other_patient, answers=demo.FIBROMYALGIA, submit=True)

    log_in(page, clinician.email, PASSWORD)
    page.get_by_role("heading", name="Dashboard").wait_for()
    assert "Urgent safety alert" in page.content()  # Charlie's PHQ-9 item 9
    rows = page.locator("table tbody tr")
    assert "Urgent safety" in rows.nth(0).inner_text()
    assert "Stop" in rows.nth(1).inner_text()
    assert_accessible(page)
    shoot(page, "staff-dashboard")

    page.get_by_role("link", name="Alice Anderson").click()
    page.get_by_role("heading", name="Screening flags").wait_for()
    assert "Raised pressure in the eye" in page.content() or "laucoma" in page.content()
    assert_accessible(page)
    shoot(page, "staff-review")

    # Blocked while a stop flag is open: the button is disabled and says why (the server
    # refuses such an approval too; tests/intake/test_review.py covers that).
    approve = page.get_by_role("button", name="Approve for consultation")
    assert approve.is_disabled()
    assert page.locator("#approve-blocked").inner_text() == "Clear the 1 open stop flag first."
    assert Intake.objects.get(pk=intake.pk).status == Intake.Status.SUBMITTED

    flag = intake.flags.get(severity="stop")
    page.locator(f"#id_flag{flag.pk}-reason").fill("Ophthalmologist letter: pressure controlled")
    page.get_by_role("button", name="Clear flag").click()
    page.get_by_text("Cleared by").wait_for()
    page.get_by_role("button", name="Approve for consultation").click()
    page.get_by_text("The patient has been told they can book").wait_for()
    assert Intake.objects.get(pk=intake.pk).status == Intake.Status.APPROVED


def test_approved_patient_books_a_consultation_with_the_keyboard_friendly_picker(
    page, patient, clinician
):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.APPROVED)
    provider = Provider.objects.create(user=clinician, display_name="Dr. Morgan Lee")
    for weekday in range(7):
        WorkingHours.objects.create(
            provider=provider, weekday=weekday, start=dt.time(8), end=dt.time(17)
        )

    log_in(page, patient.email, PASSWORD)
    page.get_by_role("link", name="Book your consultation").click()
    shoot(page, "booking-start")
    page.get_by_label("Initial consultation (45 minutes)").check()
    page.get_by_label("Video (telehealth)").check()
    page.get_by_role("button", name="Show available days").click()
    page.get_by_role("heading", name="2. Choose a day").wait_for()
    assert_accessible(page)
    page.locator(".day-list a").first.click()
    times = page.get_by_role("group", name="3. Choose a time")
    times.wait_for()
    assert_accessible(page)
    shoot(page, "booking-times")
    first_time = times.get_by_role("link").first
    # With "any clinician" each time names who it is with: "3:45 PM · Dr. Morgan Lee".
    label, clinician_name = first_time.inner_text().split(" · ")
    first_time.click()
    page.get_by_role("heading", name="Confirm your appointment").wait_for()
    assert label in page.content() and clinician_name in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_text("Add to my calendar").wait_for()
    shoot(page, "booking-done")
    appointment = Appointment.objects.get(patient=patient)
    assert appointment.mode == "telehealth" and appointment.status == Appointment.Status.BOOKED
    assert appointment.appointment_type == AppointmentType.objects.get(kind="initial")
    assert appointment.messages.filter(kind__startswith="reminder").exists()
