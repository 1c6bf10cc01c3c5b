import re

from django.core import mail

from clinic.accounts.models import User
from tests.browser.conftest import assert_accessible, log_in, shoot
from tests.conftest import PASSWORD

NEW_PASSWORD = "my knees hurt on rainy days"


def test_new_patient_signs_up_verifies_email_logs_in_and_out(page):
    page.goto("/")
    assert_accessible(page)
    shoot(page, "landing")
    page.get_by_role("link", name="Start your intake").click()

    page.get_by_label("First name").fill("Erin")
    page.get_by_label("Last name").fill("Evans")
    page.get_by_label("Email address").fill("erin@example.com")
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill(NEW_PASSWORD)
    assert_accessible(page)
    page.get_by_role("button", name="Create account").click()

    # The same page whether or not the address already had an account (issue 10 §3).
    page.get_by_role("heading", name="Check your email").wait_for()
    assert "erin@example.com" in page.content()
    assert_accessible(page)
    shoot(page, "signup-check-your-email")

    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    page.goto(re.sub(r"^https?://[^/]+", "", link))
    page.get_by_text("your email address is confirmed").wait_for()
    assert User.objects.get(email="erin@example.com").email_verified

    log_in(page, "erin@example.com", NEW_PASSWORD)
    page.get_by_role("heading", name="Hello, Erin").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Log out").click()
    page.goto("/portal/")
    assert "/accounts/login/" in page.url


def test_signup_mistakes_are_explained_and_typing_is_kept(page, patient):
    page.goto("/accounts/signup/")
    page.get_by_label("First name").fill("Alice")
    page.get_by_label("Last name").fill("Again")
    page.get_by_label("Email address").fill("alice@example.com")
    page.locator("#id_password1").fill("short")
    page.get_by_label("Password again").fill("short")
    page.get_by_role("button", name="Create account").click()
    summary = page.get_by_role("alert")
    assert "already exists" not in summary.inner_text()  # never tells who has an account
    assert "at least 12 characters" in summary.inner_text()
    assert page.get_by_label("Last name").input_value() == "Again"
    assert_accessible(page)
    shoot(page, "signup-errors")


STAFF = [
    ("coordinator", "Dashboard", "/accounts/clinic-admin/"),
    ("clinician", "Dashboard", "/portal/"),
    ("clinic_admin", "Clinic admin", "/portal/"),
]


def test_each_staff_role_reaches_its_home_and_is_refused_elsewhere(page, people):
    for role, heading, forbidden in STAFF:
        log_in(page, people[role].email, PASSWORD)
        page.get_by_role("heading", name=heading, exact=True).wait_for()
        assert_accessible(page)
        shoot(page, f"home-{role}")
        response = page.goto(forbidden)
        assert response.status == 403
        assert "You do not have access to this page" in page.content()
        page.get_by_role("button", name="Log out").click()
        page.get_by_role("link", name="Start your intake").wait_for()
