"""The chair pages at a desktop size, with axe-core: a location's chairs, the refusal to
deactivate a chair that still holds an infusion (with the booking listed), and the
opening hours."""

import datetime as dt

from django.utils import timezone

from consultations.models import Appointment, AppointmentType, Chair, Location
from tests.browser.conftest import assert_accessible, log_in, shoot
from tests.conftest import PASSWORD


def _infusion_on(chair, patient, provider):
    infusion = AppointmentType.objects.get(kind="infusion")
    start = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)
    return Appointment.objects.create(
        patient=patient,
        provider=provider,
        appointment_type=infusion,
        kind=infusion.kind,
        location=chair.location,
        chair=chair,
        mode="in_person",
        start=start,
        end=start + infusion.duration,
        block_start=start,
        block_end=start + infusion.duration,
        uses_chair=True,
        chair_end=start + dt.timedelta(minutes=120),
    )


def test_chair_pages_list_refuse_with_the_bookings_and_edit_opening_hours(
    page, clinic_admin, patient, provider
):
    clinic = Location.objects.get(kind="clinic")
    chair = Chair.objects.get(location=clinic, name="Chair 1")
    _infusion_on(chair, patient, provider)
    log_in(page, clinic_admin.email, PASSWORD)

    page.goto("/schedule/locations/")
    page.get_by_role("link", name="Chairs at Main clinic").click()
    page.get_by_role("heading", name="Infusion chairs: Main clinic").wait_for()
    assert page.get_by_role("row", name="Chair 1").get_by_text("1", exact=True).is_visible()
    assert_accessible(page)
    shoot(page, "chairs")

    page.get_by_role("link", name="Deactivate Chair 1").click()
    refusal = page.locator("#refusal")
    assert "1 infusion is still booked on this chair" in refusal.inner_text()
    assert page.get_by_role("cell", name="Alice Anderson", exact=True).is_visible()
    assert page.get_by_role("button", name="Deactivate the chair").count() == 0
    assert_accessible(page)
    shoot(page, "chair-deactivate-refused")

    page.goto(f"/schedule/chairs/{Chair.objects.get(name='Chair 4').pk}/deactivate/")
    page.get_by_label("Reason").fill("Broken recliner")
    page.get_by_role("button", name="Deactivate the chair").click()
    page.get_by_text("Chair 4 deactivated. Activate it again to undo.").wait_for()
    assert not Chair.objects.get(name="Chair 4").active

    page.goto(f"/schedule/locations/{clinic.pk}/hours/")
    page.get_by_role("heading", name="Opening hours: Main clinic").wait_for()
    assert_accessible(page)
    shoot(page, "opening-hours")
