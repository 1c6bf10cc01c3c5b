"""The calendar's week and day time grids at a desktop size (1366×768), with axe-core, and
the time-off and public-holiday pages that feed them."""

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from consultations.models import (
    Appointment,
    AppointmentType,
    DateOverride,
    Location,
    Provider,
    WorkingHours,
)
from tests.browser.conftest import SCREENSHOTS, assert_accessible, log_in
from tests.conftest import PASSWORD, make_user

NY = ZoneInfo("America/New_York")
SHOTS = Path(os.environ.get("CALENDAR_SHOTS", SCREENSHOTS / "calendar"))


@pytest.fixture
def desk(browser, live_server, django_db_serialized_rollback):
    """A 1366×768 laptop screen, the front desk's."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def shoot(page, name: str, *, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def _book(patient, provider, day, hour, minute=0, kind="follow_up", mode="in_person", **extra):
    t = AppointmentType.objects.get(kind=kind)
    start = dt.datetime.combine(day, dt.time(hour, minute), NY)
    end = start + t.duration
    extra.setdefault("uses_chair", t.uses_chair)
    if t.uses_chair:
        extra.setdefault("chair_end", end + dt.timedelta(minutes=t.chair_recovery_minutes))
    return Appointment.objects.create(
        patient=patient,
        provider=provider,
        appointment_type=t,
        kind=t.kind,
        location=Location.objects.get(kind="telehealth" if mode == "telehealth" else "clinic"),
        mode=mode,
        start=start,
        end=end,
        block_start=start - dt.timedelta(minutes=t.buffer_before_minutes),
        block_end=end + dt.timedelta(minutes=t.buffer_after_minutes),
        **extra,
    )


@pytest.fixture
def clinic_week(provider, patient, other_patient):
    """Next week: two clinicians, a morning of bookings, infusions, time off and a closure."""
    today = timezone.now().astimezone(NY).date()
    monday = today + dt.timedelta(days=7 - today.weekday())
    tuesday = monday + dt.timedelta(days=1)
    patel = Provider.objects.create(
        user=make_user("dr.patel@example.com", "clinician", "Priya", "Patel"),
        display_name="Dr. Patel",
    )
    for weekday in range(5):
        WorkingHours.objects.create(
            provider=patel, weekday=weekday, start=dt.time(8), end=dt.time(14)
        )
    dan = make_user("dan@example.com", "patient", "Dan", "Diaz")
    erin = make_user("erin@example.com", "patient", "Erin", "Evans")
    _book(patient, provider, tuesday, 9)  # initial consultation by default: follow-up here
    _book(other_patient, provider, tuesday, 10, 30, kind="initial")
    _book(dan, provider, tuesday, 14, mode="telehealth")
    _book(erin, patel, tuesday, 8, 30, kind="infusion")
    _book(dan, patel, tuesday, 12, 30, kind="infusion")
    _book(
        make_user("fay@example.com", "patient", "Fay", "Foster"),
        provider,
        tuesday,
        12,
        15,
        kind="infusion",
    )  # ends (with recovery) before Dan's 2 PM call with the same clinician
    _book(patient, patel, monday, 9, kind="initial")
    _book(other_patient, provider, monday + dt.timedelta(days=3), 15)
    DateOverride.objects.create(
        kind="time_off",
        provider=provider,
        start_date=tuesday,
        end_date=tuesday + dt.timedelta(days=1),
        start=dt.time(15),
        end=dt.time(17),
        note="Conference",
    )
    friday = monday + dt.timedelta(days=4)
    DateOverride.objects.create(
        kind="closure", start_date=friday, end_date=friday, note="Staff day"
    )
    return {"monday": monday, "tuesday": tuesday, "patel": patel}


def test_week_and_day_grids_render_with_future_appointments_movable(
    desk, coordinator, provider, clinic_week
):
    tuesday = clinic_week["tuesday"]
    log_in(desk, coordinator.email, PASSWORD)

    desk.goto(f"/schedule/calendar/week/?date={tuesday:%Y-%m-%d}")
    grid = desk.locator(".cal-grid")
    assert grid.is_visible()
    assert desk.locator(".cal-grid thead .cal-day").count() == 7
    assert grid.get_by_text("Clinic closed: Staff day").first.is_visible()
    assert grid.get_by_text("Time off: Conference").first.is_visible()
    assert grid.locator(".cal-appt").count() == 8
    # Every booking, all of them still to come, has its Move and Cancel links.
    assert grid.locator(".cal-appt-actions a", has_text="Move").count() == 8
    assert grid.locator(".cal-appt-actions a", has_text="Cancel").count() == 8
    assert not desk.locator(".cal-list-small").is_visible()  # the list is for small screens
    assert_accessible(desk)
    shoot(desk, "week-grid")
    shoot(desk, "week-grid-first-screen", full_page=False)

    desk.goto(f"/schedule/calendar/?date={tuesday:%Y-%m-%d}")
    heads = desk.locator(".cal-grid thead th.cal-col-head").all_inner_texts()
    assert heads == ["Dr. Lee", "Dr. Patel", "Infusion chairs (Main clinic)"]
    assert desk.locator(".cal-grid .cal-chairs-count").first.inner_text() == "1/4"
    assert desk.locator(".cal-grid").get_by_text("2/4").count() >= 1  # two infusions overlap
    assert_accessible(desk)
    shoot(desk, "day-grid")
    shoot(desk, "day-grid-first-screen", full_page=False)

    # Move is a link on every future booking; it opens the move page for that appointment.
    charlie = Appointment.objects.get(patient__first_name="Charlie", kind="initial")
    desk.locator(f"#appt-{charlie.pk} a", has_text="Move").click()
    desk.wait_for_load_state()
    assert f"/schedule/appointments/{charlie.pk}/move/?next=" in desk.url

    desk.goto(f"/schedule/calendar/?date={tuesday:%Y-%m-%d}&view=list")
    assert not desk.locator(".cal-grid").count()
    row = desk.locator(f"#appt-{charlie.pk}")
    assert row.locator("a", has_text="Cancel").is_visible()
    assert row.locator("a", has_text="Move").is_visible()
    assert_accessible(desk)
    shoot(desk, "day-list")


def test_time_off_range_and_public_holidays_pages(desk, coordinator, provider, clinic_week):
    log_in(desk, coordinator.email, PASSWORD)
    desk.goto("/schedule/overrides/")
    monday = clinic_week["monday"] + dt.timedelta(days=7)
    desk.select_option("#id_kind", label="Time off")
    desk.select_option("#id_provider", label="Dr. Lee")
    desk.fill("#id_start_date", f"{monday:%Y-%m-%d}")
    desk.fill("#id_end_date", f"{monday - dt.timedelta(days=2):%Y-%m-%d}")  # before the start
    desk.fill("#id_note", "Vacation")
    desk.get_by_role("button", name="Add", exact=True).click()
    desk.wait_for_load_state()
    assert desk.locator("#id_end_date").evaluate("e => e.classList.contains('is-invalid')")
    assert desk.get_by_text("The last day must be on or after the first day").first.is_visible()
    assert desk.locator("#id_note").input_value() == "Vacation"
    desk.fill("#id_end_date", f"{monday + dt.timedelta(days=11):%Y-%m-%d}")
    desk.get_by_role("button", name="Add", exact=True).click()
    desk.wait_for_load_state()
    shoot(desk, "time-off-range")
    assert desk.get_by_text("12 days").is_visible()
    assert_accessible(desk)

    desk.goto(f"/schedule/overrides/holidays/?year={monday.year + 1}")
    assert desk.get_by_text("Thanksgiving Day").is_visible()
    assert_accessible(desk)
    desk.get_by_label(f"Thu Nov {_thanksgiving(monday.year + 1).day}", exact=False).check()
    shoot(desk, "holidays")
    desk.get_by_role("button", name="Close the clinic on the ticked holidays").click()
    desk.wait_for_load_state()
    assert desk.get_by_text("closed on 1 more holiday").is_visible()
    assert DateOverride.objects.filter(note="Thanksgiving Day", kind="closure").count() == 1


def _thanksgiving(year: int) -> dt.date:
    november = dt.date(year, 11, 1)
    first_thursday = november + dt.timedelta(days=(3 - november.weekday()) % 7)
    return first_thursday + dt.timedelta(weeks=3)
