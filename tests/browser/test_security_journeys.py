"""Two-step login from first enrolment to a used-up recovery code; the page policy holds
in a real browser; typing kept on the device does not outlive the session."""

import re

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts.models import User
from clinic.accounts.roles import Role
from tests.browser.conftest import assert_accessible, shoot
from tests.conftest import PASSWORD


def _code_from_secret(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the secret on the page (RFC 6238)."""
    from base64 import b32decode

    totp = TOTP(b32decode(secret))
    totp.time = totp.time + steps_ahead * 30
    return f"{totp.token():06d}"


def _password(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Start your intake").wait_for()


def test_clinician_enrols_logs_in_with_a_code_and_uses_a_recovery_code_once(page, db):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    User.objects.create_user("sam@example.com", PASSWORD, role=Role.CLINICIAN, first_name="Sam")

    _password(page, "sam@example.com")
    page.get_by_role("heading", name="Set up two-step login").wait_for()
    assert page.locator("figure.qr-code svg").is_visible()
    assert_accessible(page)
    shoot(page, "two-step-01-setup")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code").fill(_code_from_secret(secret))
    page.get_by_role("button", name="Turn on two-step login").click()

    page.get_by_role("heading", name="Your recovery codes").wait_for()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    shoot(page, "two-step-02-recovery-codes")
    page.get_by_role("link", name="I have kept them: continue").click()
    page.get_by_role("heading", name="Dashboard", exact=True).wait_for()
    _log_out(page)

    # Password, then the app's code (the next one: the current one was used to enrol).
    _password(page, "sam@example.com")
    page.get_by_role("heading", name="Two-step login").wait_for()
    assert page.goto("/staff/").url.split("?")[0].endswith("/accounts/two-step/")
    assert_accessible(page)
    shoot(page, "two-step-03-verify")
    page.get_by_label("Code").fill(_code_from_secret(secret, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Dashboard", exact=True).wait_for()
    _log_out(page)

    # A recovery code works once.
    _password(page, "sam@example.com")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Dashboard", exact=True).wait_for()
    _log_out(page)
    TOTPDevice.objects.filter(user__email="sam@example.com").update(throttling_failure_count=0)
    _password(page, "sam@example.com")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("alert").get_by_text("already used").wait_for()
    assert "/accounts/two-step/" in page.url
    shoot(page, "two-step-04-recovery-code-used")
    assert not errors, errors


def test_typing_kept_on_the_device_is_gone_after_log_out(page, patient):
    _password(page, patient.email)
    page.get_by_role("heading", name=f"Hello, {patient.first_name}").wait_for()
    page.get_by_role("button", name="Start your intake").click()
    page.get_by_label("Legal first name").wait_for()
    # Offline: autosave fails, so the typing is kept on the device.
    page.context.set_offline(True)
    page.get_by_label("Legal first name").fill("Alice")
    # A function, not an expression: Playwright polls an expression with eval(), which the
    # page's CSP forbids, so it only passed when the backup was already there at once.
    backed_up = "() => Object.keys(localStorage).some(k => k.startsWith('intake-backup-'))"
    page.wait_for_function(backed_up)
    keys = page.evaluate("Object.keys(localStorage)")
    assert any(re.match(rf"intake-backup-{patient.pk}-\d+-about", k) for k in keys), keys
    page.context.set_offline(False)
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Start your intake").wait_for()
    assert not [k for k in page.evaluate("Object.keys(localStorage)") if "intake-backup" in k]


def test_another_users_backup_is_removed_when_someone_else_logs_in(page, patient, other_patient):
    page.goto("/")
    page.evaluate(
        f"localStorage.setItem('intake-backup-{patient.pk}-1-about', JSON.stringify("
        "{at: Date.now(), entries: [['mood_notes', 'private']]}))"
    )
    page.evaluate(
        f"localStorage.setItem('intake-backup-{other_patient.pk}-1-pain', JSON.stringify("
        "{at: Date.now() - 8 * 24 * 3600 * 1000, entries: []}))"
    )
    _password(page, other_patient.email)
    page.get_by_role("heading", name=f"Hello, {other_patient.first_name}").wait_for()
    assert not [k for k in page.evaluate("Object.keys(localStorage)") if "intake-backup" in k]


def test_clinic_admin_changes_a_role_and_resets_a_factor_under_the_policy(page, people):
    from clinic.audit.models import AuditEvent
    from tests.browser.conftest import log_in

    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    coordinator = people["coordinator"]
    log_in(page, people["clinic_admin"].email, PASSWORD)
    page.get_by_role("heading", name="Clinic admin", exact=True).wait_for()
    page.get_by_role("link", name=coordinator.get_full_name()).click()
    page.get_by_role("heading", name=coordinator.get_full_name()).wait_for()
    page.locator("#id_role").select_option(label="Clinician")
    page.locator("#id_reason").fill("Qualified as a nurse practitioner")
    page.get_by_role("button", name="Change role").click()
    page.get_by_text("is now clinician").wait_for()
    assert_accessible(page)
    shoot(page, "staff-detail")
    page.locator("#id_reset-reason").fill("Lost phone")
    page.get_by_role("button", name="Reset two-step login").click()
    page.get_by_text("will set up a new authenticator").wait_for()
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "staff.role_changed",
        "staff.second_factor_reset",
    }
    page.goto("/django-admin/")
    page.get_by_role("heading", name="Site administration").wait_for()
    assert "Users" not in page.locator("#content-main").inner_text()
    assert not errors, errors
