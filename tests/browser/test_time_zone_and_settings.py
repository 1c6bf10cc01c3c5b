"""In a real browser: sign-up picks up the browser's time zone, and a clinic admin finds
every clinic setting under one menu entry."""

import pytest

from clinic.accounts.models import User
from clinic.core.models import ClinicSettings
from tests.browser.conftest import assert_accessible, log_in, shoot
from tests.conftest import PASSWORD

NEW_PASSWORD = "my knees hurt on rainy days"


@pytest.fixture
def denver_page(browser, live_server, django_db_serialized_rollback):
    """A browser whose clock is set to Denver time."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        timezone_id="America/Denver",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_sign_up_stores_the_browsers_time_zone(denver_page):
    page = denver_page
    page.goto("/accounts/signup/")
    page.get_by_label("First name").fill("Erin")
    page.get_by_label("Last name").fill("Evans")
    page.get_by_label("Email address").fill("erin@example.com")
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    user = User.objects.get(email="erin@example.com")
    assert user.contact_preference.time_zone == "America/Denver"


def test_clinic_admin_edits_a_setting_from_the_one_settings_entry(page, clinic_admin):
    log_in(page, clinic_admin.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clinic settings").click()
    page.get_by_role("heading", name="Clinic settings", level=1).wait_for()
    assert_accessible(page)
    shoot(page, "clinic-settings-overview")
    page.get_by_role("link", name="Cancellation window").first.click()
    page.get_by_label("Cancellation window (hours)").fill("48")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Cancellation window saved.").wait_for()
    assert ClinicSettings.load().cancellation_window_hours == 48
    page.get_by_role("link", name="Overview").click()
    page.get_by_text("Cancellation window (hours): 24 → 48").wait_for()
    assert_accessible(page)
