"""A coordinator moves and cancels future appointments with a reason, and undoes a
no-show: every step through its confirmation page, in Chromium, with axe on each page."""

import datetime as dt
import re
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from consultations import services
from consultations.models import (
    Appointment,
    AppointmentEvent,
    AppointmentType,
    Location,
    Provider,
    WorkingHours,
)
from intake import demo
from intake.models import Intake
from tests.browser.conftest import SCREENSHOTS, assert_accessible, log_in
from tests.conftest import PASSWORD
from tests.consultations.conftest import consulted

SHOTS = Path("/work/shots/appt-actions")
S = Appointment.Status


def shot(page, name: str) -> None:
    """A screenshot where the session looks at them, and where the suite keeps them."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"appt-actions-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(path, SHOTS / f"{name}.png")


@pytest.fixture
def clinic(patient, clinician, coordinator):
    """Dr. Lee works 8:00-20:00 every day but Tuesday-in-three-days' weekday; Alice is
    approved and has two bookings on that weekday (outside the hours now set) and one
    that started half an hour ago."""
    zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.APPROVED)
    provider = Provider.objects.create(user=clinician, display_name="Dr. Lee")
    for weekday in range(7):
        WorkingHours.objects.create(
            provider=provider, weekday=weekday, start=dt.time(8), end=dt.time(20)
        )
    follow_up = AppointmentType.objects.get(kind="follow_up")
    # Follow-ups come after a completed consultation: Alice had hers a week ago.
    consulted(patient, provider, start=timezone.now() - dt.timedelta(days=7))
    day = timezone.now().astimezone(zone).date() + dt.timedelta(days=3)
    future = [
        services.book_appointment(
            patient=patient,
            appointment_type=follow_up,
            provider=provider,
            start=dt.datetime.combine(day, dt.time(hour), zone),
            mode="in_person",
            actor=coordinator,
        )
        for hour in (10, 14)
    ]
    # The clinic changes Dr. Lee's hours: that day's bookings are now outside them.
    WorkingHours.objects.filter(provider=provider, weekday=day.weekday()).delete()
    start = (timezone.now() - dt.timedelta(minutes=30)).replace(second=0, microsecond=0)
    started = Appointment.objects.create(
        patient=patient,
        provider=provider,
        appointment_type=follow_up,
        kind=follow_up.kind,
        location=Location.objects.get(kind="clinic"),
        mode="in_person",
        start=start,
        end=start + follow_up.duration,
        block_start=start,
        block_end=start + follow_up.duration,
    )
    AppointmentEvent.objects.create(appointment=started, actor=coordinator, to_status=S.BOOKED)
    return {"move": future[0], "cancel": future[1], "started": started, "zone": zone}


def test_coordinator_moves_and_cancels_future_bookings_and_undoes_a_no_show(
    page, coordinator, clinic
):
    moving, cancelling, started = clinic["move"], clinic["cancel"], clinic["started"]
    log_in(page, coordinator.email, PASSWORD)

    # The warning list: each booking outside the hours has its Move and Cancel right there.
    page.goto("/schedule/")
    warning = page.locator("#outside-hours-title").locator("..")
    assert warning.locator("tbody tr").count() == 2
    assert_accessible(page)
    shot(page, "1-outside-hours-list")
    warning.locator(f'a[href^="/schedule/appointments/{moving.pk}/move/"]').click()
    page.get_by_role("heading", name=re.compile("Move the appointment")).wait_for()
    page.get_by_role("button", name="Show available days").click()
    page.locator(".day-list a").first.click()
    page.get_by_role("group", name=re.compile("Choose a time")).get_by_role("button").first.click()
    page.get_by_text("Moved.").wait_for()
    moving.refresh_from_db()
    assert moving.status == S.BOOKED and moving.events.last().action == "move"
    assert page.url.endswith(f"#appt-{moving.pk}")

    # Cancel the other with a reason: the confirmation first, and a reason is required.
    page.goto("/schedule/")
    page.locator(f'a[href^="/schedule/appointments/{cancelling.pk}/cancel/"]').click()
    page.get_by_role("heading", name="Cancel the appointment?").wait_for()
    assert "reminders stopped" in page.content()
    assert_accessible(page)
    shot(page, "2-cancel-confirmation")
    page.get_by_role("button", name="Cancel the appointment").click()
    page.get_by_text("Choose a reason.").first.wait_for()
    assert_accessible(page)
    shot(page, "3-cancel-missing-reason")
    cancelling.refresh_from_db()
    assert cancelling.status == S.BOOKED
    page.get_by_label("The provider is unavailable").check()
    page.get_by_label("More detail (optional)").fill("Dr. Lee at a conference")
    page.get_by_role("button", name="Cancel the appointment").click()
    page.get_by_text("cancelled; now cancelled by the clinic").wait_for()
    cancelling.refresh_from_db()
    assert cancelling.status == S.CANCELLED_CLINIC
    event = cancelling.events.last()
    assert (event.reason, event.note, event.actor) == (
        "provider_unavailable",
        "Dr. Lee at a conference",
        coordinator,
    )
    # Back on the warning list, which no longer lists it.
    assert page.locator(f'a[href^="/schedule/appointments/{cancelling.pk}/"]').count() == 0

    # The appointment that started half an hour ago: a no-show, then undone.
    day = started.start.astimezone(clinic["zone"]).date().isoformat()
    page.goto(f"/schedule/calendar/?date={day}&view=list")
    row = page.locator(f"#appt-{started.pk}")
    row.get_by_role("link", name=re.compile("^No-show")).click()
    page.get_by_role("heading", name="Mark a no-show?").wait_for()
    assert_accessible(page)
    shot(page, "4-no-show-confirmation")
    page.get_by_label("No driver or transport").check()
    page.get_by_role("button", name="Mark no-show").click()
    page.get_by_text("marked a no-show").wait_for()
    started.refresh_from_db()
    assert started.status == S.NO_SHOW
    assert page.url.endswith(f"#appt-{started.pk}")
    shot(page, "5-after-no-show")
    row = page.locator(f"#appt-{started.pk}")
    row.get_by_role("link", name=re.compile("^Undo no-show")).click()
    page.get_by_role("heading", name="Undo the last change?").wait_for()
    assert "goes back to" in page.content() and "a reason is needed" not in page.content()
    assert_accessible(page)
    shot(page, "6-undo-confirmation")
    page.get_by_role("button", name="Undo").click()
    page.get_by_text("put back; now booked").wait_for()
    started.refresh_from_db()
    assert started.status == S.BOOKED
    assert list(started.events.values_list("action", flat=True)) == ["", "no_show", "undo"]


def test_patient_confirms_her_own_cancellation_after_reading_the_window(page, patient, clinic):
    appointment = clinic["cancel"]
    log_in(page, patient.email, PASSWORD)
    page.goto(f"/appointments/{appointment.pk}/")
    page.get_by_role("link", name="Cancel appointment").click()
    page.get_by_role("heading", name="Cancel your appointment?").wait_for()
    assert "until 24 hours before it starts" in page.content()
    assert_accessible(page)
    shot(page, "7-patient-cancel-confirmation")
    appointment.refresh_from_db()
    assert appointment.status == S.BOOKED  # opening the page changed nothing
    page.get_by_role("button", name="Yes, cancel my appointment").click()
    page.get_by_text("Your appointment is cancelled.").wait_for()
    appointment.refresh_from_db()
    assert (appointment.status, appointment.late_cancellation) == (S.CANCELLED_PATIENT, False)
