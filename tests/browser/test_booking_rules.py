"""Booking rules in Chromium: staff book inside the minimum notice (and outside hours) with
a recorded reason; a new patient is offered only the initial consultation. axe on each
new page; screenshots also go to /work/shots/booking/."""

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from django.urls import reverse

from clinic.notifications.models import ContactPreference
from consultations.models import Appointment, Provider, WorkingHours
from intake import demo
from intake.models import Intake
from tests.browser.conftest import SCREENSHOTS, assert_accessible, log_in
from tests.conftest import PASSWORD

SHOTS = Path("/work/shots/booking")


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"booking-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(path, SHOTS / f"{name}.png")


@pytest.fixture
def clinic(clinician):
    """Dr. Lee works every day, nearly all day, so there are times inside the notice now."""
    provider = Provider.objects.create(user=clinician, display_name="Dr. Lee")
    for weekday in range(7):
        WorkingHours.objects.create(
            provider=provider, weekday=weekday, start=dt.time(0), end=dt.time(23, 45)
        )
    return provider


def test_coordinator_books_inside_the_notice_with_a_recorded_reason(
    page, coordinator, patient, clinic
):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.APPROVED)
    ContactPreference.objects.update_or_create(user=patient, defaults={"phone": "+15035550123"})
    log_in(page, coordinator.email, PASSWORD)

    # Found by her phone number, with her intake's standing beside her name.
    page.goto(reverse("schedule:patients"))
    page.get_by_label("Patient name, email or phone").fill("503 555 0123")
    page.get_by_role("button", name="Search").click()
    result = page.locator(".list-group-item", has_text="Alice")
    result.get_by_text("Intake approved").wait_for()
    assert_accessible(page)
    shot(page, "1-search-by-phone")
    result.get_by_role("link", name=re.compile("^Book")).click()

    # Why the other types are not offered; then same-day times, marked inside the notice.
    page.get_by_role("heading", name=re.compile("Book an appointment for")).wait_for()
    assert "Only after a completed consultation" in page.locator("#not-offered").inner_text()
    page.get_by_label("Initial consultation (45 minutes)").check()
    page.get_by_label("In person at the clinic").check()
    page.get_by_role("button", name="Show available days").click()
    page.locator(".day-list a").first.click()
    times = page.get_by_role("group", name=re.compile("Choose a time"))
    times.wait_for()
    first = times.get_by_role("link").first
    assert "inside notice" in first.inner_text() and "Dr. Lee" in first.inner_text()
    assert_accessible(page)
    shot(page, "2-staff-times-inside-notice")
    first.click()

    # The confirmation asks why; without a reason nothing is booked.
    page.get_by_role("heading", name=re.compile("Book for")).wait_for()
    assert "inside the minimum notice" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_text("give the reason for booking it").wait_for()
    assert not Appointment.objects.exists()
    assert_accessible(page)
    shot(page, "3-confirm-reason-missing")
    page.get_by_label("Reason for booking this time (recorded)").fill("Same-day pain flare")
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_text(f"Booked for {patient}.").wait_for()
    appointment = Appointment.objects.get()
    note = appointment.events.get().note
    assert note == "Inside the minimum notice: Same-day pain flare"
    assert appointment.created_by == coordinator


def test_coordinator_books_a_time_outside_hours_after_fixing_a_past_one(
    page, coordinator, patient, clinic
):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.APPROVED)
    log_in(page, coordinator.email, PASSWORD)
    page.goto(reverse("schedule:book", args=[patient.pk]) + "?mode=in_person")
    page.get_by_label("Initial consultation (45 minutes)").check()
    page.get_by_role("button", name="Show available days").click()
    form = page.locator("#own-time")
    form.get_by_label("Date").fill("2020-01-06")
    form.get_by_label("Start time").fill("10:00")
    form.get_by_role("button", name="Check this time").click()
    page.get_by_text("This time has passed").first.wait_for()
    assert page.locator("#own-time").get_by_label("Date").input_value() == "2020-01-06"
    assert_accessible(page)
    shot(page, "4-own-time-error")
    future = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    page.locator("#own-time").get_by_label("Date").fill(future)
    page.locator("#own-time").get_by_label("Start time").fill("23:50")
    page.locator("#own-time").get_by_role("button", name="Check this time").click()
    page.get_by_role("heading", name=re.compile("Book for")).wait_for()
    assert "outside working hours" in page.content()
    page.get_by_label("Reason for booking this time (recorded)").fill("Night-shift worker")
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_text(f"Booked for {patient}.").wait_for()
    assert Appointment.objects.get().events.get().note.startswith("Outside working hours")


def test_a_new_patient_is_offered_only_the_initial_consultation(page, patient, clinic):
    log_in(page, patient.email, PASSWORD)
    page.goto(reverse("consultations:book"))
    page.get_by_role("heading", name="Book a consultation").wait_for()
    radios = page.locator('input[name="type"]')
    assert radios.count() == 1
    assert page.get_by_label("Initial consultation (45 minutes)").count() == 1
    assert "Follow-up" not in page.content() and "Infusion" not in page.content()
    assert_accessible(page)
    shot(page, "5-new-patient-types")
