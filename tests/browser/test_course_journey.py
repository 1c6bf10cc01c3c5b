"""Browser: a coordinator plans and books a six-infusion series in one step; the patient
sees it on her phone. axe on each new page; screenshots in /work/shots/series/."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.utils import timezone

from consultations.models import (
    Appointment,
    Chair,
    ConsultationOutcome,
    Location,
    OpeningHours,
    Provider,
    WorkingHours,
)
from intake import demo
from intake.models import Intake
from tests.browser.conftest import SCREENSHOTS, assert_accessible, log_in
from tests.conftest import PASSWORD
from tests.consultations.conftest import consulted
from tests.consultations.course_fixtures import a_thursday_from

SHOTS = Path("/work/shots/series")


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"series-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(path, SHOTS / f"{name}.png")


@pytest.fixture
def infusion_clinic(patient, clinician):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.APPROVED)
    provider = Provider.objects.create(
        user=clinician, display_name="Dr. Lee", supervises_infusions=True
    )
    location = Location.objects.filter(kind="clinic").first()
    for weekday in range(5):
        WorkingHours.objects.create(
            provider=provider, weekday=weekday, start=dt.time(8), end=dt.time(18)
        )
        OpeningHours.objects.create(
            location=location, weekday=weekday, start=dt.time(8), end=dt.time(18)
        )
    for name in ("Chair 1", "Chair 2"):
        Chair.objects.get_or_create(location=location, name=name)
    consultation = consulted(patient, provider, start=timezone.now() - dt.timedelta(days=7))
    ConsultationOutcome.objects.create(
        appointment=consultation,
        patient=patient,
        decision="proceed",
        decided_by=clinician,
        decided_at=timezone.now() - dt.timedelta(days=6),
    )
    return provider


def test_coordinator_books_a_six_infusion_series_and_the_patient_sees_it(
    page, phone_page, patient, coordinator, infusion_clinic
):
    log_in(page, coordinator.email, PASSWORD)
    page.goto(f"/schedule/patients/{patient.pk}/course/")
    assert_accessible(page)
    first = page.get_by_label("Earliest date")
    first.fill(a_thursday_from(dt.date.fromisoformat(first.input_value())).isoformat())
    page.get_by_role("button", name="Show the earliest times").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Proposed series and alternatives").is_visible()
    assert page.get_by_role("button", name="Book these 6").count() == 3
    assert_accessible(page)
    shot(page, "plan")
    page.get_by_role("button", name="Book these 6").first.click()
    page.wait_for_load_state()
    assert "Booked: 6 infusions" in page.content()
    assert_accessible(page)
    shot(page, "course")
    assert Appointment.objects.filter(patient=patient, kind="infusion").count() == 6

    log_in(phone_page, patient.email, PASSWORD)
    phone_page.goto("/appointments/")
    assert phone_page.get_by_role("heading", name="Your infusion series").is_visible()
    assert phone_page.get_by_role("link", name="Add to calendar").count() == 6
    assert_accessible(phone_page)
    shot(phone_page, "portal-phone")
