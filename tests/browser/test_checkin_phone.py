"""A follow-up check-in on a phone (375×812): the emailed link, log in, land on the form,
answer in a couple of minutes, see the thanks. axe on each page; screenshots to look at."""

from pathlib import Path

import pytest
from django.urls import reverse

from intake import demo
from intake.models import Intake
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path("/work/shots/checkins")


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


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_patient_fills_in_her_one_week_check_in_on_a_phone(phone):
    from clinic.accounts.roles import Role
    from consultations.models import Provider
    from tests.consultations.checkin_helpers import course, follow_up

    alice = make_user("alice@example.com", Role.PATIENT, "Alice", "Anderson")
    intake = demo.seed_intake(patient=alice, answers=demo.BASE, submit=True)
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.APPROVED)
    lee = make_user("dr.lee@example.com", Role.CLINICIAN, "Morgan", "Lee")
    provider = Provider.objects.create(user=lee, display_name="Dr. Lee")
    check_in = follow_up(alice, course(alice, provider), weeks_ago=0)
    url = reverse("consultations:checkin", args=[check_in.pk])

    phone.goto(url)  # the link in the email: log in first, then straight to the form
    phone.get_by_label("Email address").fill(alice.email)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    phone.wait_for_url(f"**{url}")
    assert phone.get_by_role("heading", name="How are you doing?").is_visible()
    assert_accessible(phone)
    _no_sideways_scroll(phone)
    shot(phone, "01-form")

    for key in ("peg_pain", "peg_enjoyment", "peg_activity"):
        phone.locator(f'input[name="{key}"][value="3"]').check()
    for n in range(1, 10):
        phone.locator(f'input[name="phq9_{n}"][value="0"]').check()
    for n in range(1, 8):
        phone.locator(f'input[name="gad7_{n}"][value="1"]').check()
    phone.get_by_label("No change since last time").check()
    # Submitting without the last answer: the message sits next to it, answers kept.
    phone.get_by_role("button", name="Send my answers").click()
    assert phone.locator("#error-summary").is_visible()
    assert phone.locator('input[name="peg_pain"][value="3"]').is_checked()
    assert_accessible(phone)
    shot(phone, "02-missing-answer")

    phone.get_by_label("Much improved", exact=True).check()
    phone.get_by_role("button", name="Send my answers").click()
    phone.wait_for_url("**/appointments/check-ins/")
    assert phone.get_by_text("your answers are saved").is_visible()
    assert_accessible(phone)
    _no_sideways_scroll(phone)
    shot(phone, "03-thanks")
    check_in.refresh_from_db()
    assert check_in.scores["peg"] == 3.0 and check_in.scores["pgic"] == 2
