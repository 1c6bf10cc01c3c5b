"""Booking on a phone: a compact month grid (keyboard and touch), closed on the clinic's
holidays, with the days and times the intake says suit the patient suggested first."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consultations.models import DateOverride, Provider, WorkingHours
from tests.browser.conftest import assert_accessible, log_in
from tests.conftest import PASSWORD

SHOTS = Path("/work/shots/phone")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def phone(browser, live_server, django_db_serialized_rollback):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _next(weekday: int, after: dt.date) -> dt.date:
    return after + dt.timedelta(days=(weekday - after.weekday()) % 7 or 7)


def _fits(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 812})
    scroll = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll <= width, f"{scroll}px wide at {width}px"
    assert_accessible(page)


def test_a_phone_books_from_a_month_grid_with_suggestions_first(phone, approved_patient, clinician):
    provider = Provider.objects.create(user=clinician, display_name="Dr. Morgan Lee")
    for weekday in range(5):
        WorkingHours.objects.create(
            provider=provider, weekday=weekday, start=dt.time(8), end=dt.time(17)
        )
    today = timezone.localdate()
    # A closure in the window on a weekday, entered as the holiday button enters them.
    closed = _next(2, today + dt.timedelta(days=7))  # a Wednesday next week or after
    DateOverride.objects.create(
        kind="closure", start_date=closed, end_date=closed, note="Staff training"
    )

    log_in(phone, approved_patient.email, PASSWORD)
    phone.goto("/appointments/book/")
    phone.get_by_label("Initial consultation (45 minutes)").tap()
    phone.get_by_label("In person at the clinic").tap()
    phone.get_by_role("button", name="Show available days").tap()
    phone.get_by_role("heading", name="2. Choose a day").wait_for()

    # Suggested first: Tuesday and Thursday mornings (her intake), each one tap from booking.
    suggested = phone.get_by_role("group", name="Suggested for you")
    links = suggested.get_by_role("link")
    expect(links).to_have_count(4)
    for text in links.all_inner_texts():
        assert re.match(r"^(Tue|Thu), \w+ \d+, (8|9|10):\d\d AM", text), text
    # Focus follows what appeared: the next Tab after the heading is the first suggestion.
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.closest('#suggested') !== null")

    # The grid: each day a link named with its full date; the closed day is named, no link.
    tuesday = _next(1, today + dt.timedelta(days=2))
    day = phone.get_by_role(
        "link",
        name=re.compile(rf"^{tuesday:%A, %B} {tuesday.day} ?: \d+ times, a day that suits you$"),
    )
    expect(day).to_be_visible()
    expect(
        phone.get_by_role("link", name=re.compile(rf"^{closed:%A, %B} {closed.day}\b"))
    ).to_have_count(0)
    expect(phone.locator(".month-grid")).to_contain_text(
        f"{closed:%A, %B} {closed.day}: closed (Staff training)"
    )
    expect(phone.locator("#closures")).to_contain_text("Staff training")
    box = day.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24, box  # WCAG 2.5.8 target size
    _fits(phone, 375)
    shot(phone, "booking-grid-375")
    _fits(phone, 320)
    shot(phone, "booking-grid-320")
    phone.set_viewport_size({"width": 375, "height": 812})

    # Keyboard: Enter on a day opens its times, and Tab goes on from the times' heading.
    day.focus()
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    times = phone.get_by_role("group", name=re.compile(r"^3\. Choose a time on"))
    expect(times).to_be_visible()
    expect(phone.locator(".month-grid a[aria-current=date]")).to_have_count(1)
    expect(times.get_by_role("group", name="Times that suit you")).to_be_visible()
    phone.keyboard.press("Tab")
    assert phone.evaluate(
        "document.activeElement.closest('[aria-labelledby=times-suggested-h]') !== null"
    )
    _fits(phone, 375)
    shot(phone, "booking-times-375")

    # Touch: a suggested time, then the confirmation page.
    first = times.get_by_role("group", name="Times that suit you").get_by_role("link").first
    label = first.inner_text().split(" · ")[0]
    first.tap()
    phone.get_by_role("heading", name="Confirm your appointment").wait_for()
    assert label in phone.content()
    _fits(phone, 320)
