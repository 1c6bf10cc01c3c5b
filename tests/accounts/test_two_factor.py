"""Second factor: enrol on first login, a code at every login, one gate for every page."""

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts.models import User
from clinic.accounts.roles import Role
from clinic.audit.models import AuditEvent
from tests.accounts.test_access import PRIVATE, PUBLIC, _reverse_with_dummies
from tests.conftest import PASSWORD, current_code, make_user, staff_login

OPEN_BEFORE_SECOND_FACTOR = {
    "accounts:logout",
    "accounts:second_factor",
    "accounts:second_factor_setup",
}


def _password_only(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "clinician", "clinic_admin"])
def test_every_staff_page_and_the_django_admin_refuse_a_password_only_session(client, people, role):
    client = _password_only(client, people[role])
    names = [(n, g) for n, g in PRIVATE if n not in OPEN_BEFORE_SECOND_FACTOR] + [("home", ())]
    for name, groups in names:
        url = _reverse_with_dummies(name, groups)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, (name, response.status_code)
            assert response.url.startswith(reverse("accounts:second_factor")), name
    for url in ("/django-admin/", "/django-admin/notifications/message/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/two-step/" in response.url


def test_public_pages_stay_open_and_patients_without_a_factor_are_not_asked(client, patient):
    client = _password_only(client, patient)
    assert client.get(reverse("intake:portal")).status_code in (200, 302)
    assert "two-step" not in (client.get(reverse("intake:portal")).get("Location") or "")
    assert "landing" in PUBLIC


def test_superuser_needs_the_second_factor_for_the_django_admin(client, db):
    ops = User.objects.create_superuser("ops@example.com", PASSWORD)
    response = _password_only(client, ops).get("/django-admin/")
    assert response.status_code == 302 and "/accounts/two-step/setup/" in response.url
    assert staff_login(client, ops).get("/django-admin/").status_code == 200


def _unthrottle(user):
    # A wrong code makes django-otp wait (1 s, doubling) before the next try; tests move on.
    TOTPDevice.objects.filter(user=user).update(throttling_failure_count=0)
    StaticDevice.objects.filter(user=user).update(throttling_failure_count=0)


def _code(device, offset_steps=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():06d}"


@pytest.mark.django_db
def test_new_staff_member_enrols_on_first_login_and_gets_recovery_codes_once(client):
    sam = User.objects.create_user("sam@example.com", PASSWORD, role=Role.CLINICIAN)
    response = client.post(
        reverse("accounts:login"), {"username": sam.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:second_factor_setup"))
    page = response.content.decode()
    assert "<svg" in page and 'id="totp-secret"' in page
    device = TOTPDevice.objects.get(user=sam, confirmed=False)
    assert client.get(reverse("staff:dashboard")).status_code == 302  # not yet

    wrong = client.post(response.redirect_chain[-1][0], {"code": "000000"})
    assert wrong.status_code == 400
    _unthrottle(sam)
    done = client.post(response.redirect_chain[-1][0], {"code": _code(device)})
    codes = done.context["codes"]
    assert len(codes) == 10 and codes[0] in done.content.decode()
    assert client.get(reverse("staff:dashboard")).status_code == 200
    assert TOTPDevice.objects.get(user=sam).confirmed
    # The codes are not shown again anywhere.
    assert codes[0] not in client.get(reverse("accounts:second_factor_setup")).content.decode()


@pytest.mark.django_db
def test_login_needs_the_current_code_and_each_recovery_code_works_once(client, clinician):
    def log_in(code):
        client.logout()
        client.post(reverse("accounts:login"), {"username": clinician.email, "password": PASSWORD})
        return client.post(reverse("accounts:second_factor"), {"code": code})

    assert log_in("123456").status_code == 400
    assert client.get(reverse("staff:dashboard")).status_code == 302
    _unthrottle(clinician)
    assert log_in(current_code(clinician)).status_code == 302
    assert client.get(reverse("staff:dashboard")).status_code == 200

    from clinic.accounts import two_factor

    recovery = two_factor.new_recovery_codes(user=clinician)[0]
    assert log_in(recovery.upper()).status_code == 302
    assert client.get(reverse("staff:dashboard")).status_code == 200
    _unthrottle(clinician)
    assert log_in(recovery).status_code == 400
    assert not StaticToken.objects.filter(token=recovery).exists()


def test_clinic_admin_resets_a_lost_factor_with_a_reason(login, clinic_admin, clinician):
    client = login(clinic_admin)
    url = reverse("accounts:staff_reset_second_factor", args=[clinician.pk])
    client.post(url, {"reset-reason": ""})
    assert TOTPDevice.objects.filter(user=clinician).exists()
    client.post(url, {"reset-reason": "Lost phone; identity confirmed by phone call"})
    assert not TOTPDevice.objects.filter(user=clinician).exists()
    event = AuditEvent.objects.get(action="staff.second_factor_reset")
    assert event.actor == clinic_admin and event.target_id == str(clinician.pk)
    assert event.detail["reason"] == "Lost phone; identity confirmed by phone call"
    # Their own factor only another clinic admin may reset.
    client.post(
        reverse("accounts:staff_reset_second_factor", args=[clinic_admin.pk]),
        {"reset-reason": "x"},
    )
    assert TOTPDevice.objects.filter(user=clinic_admin, confirmed=True).exists()


def test_after_a_reset_the_staff_member_enrols_again(client, clinician):
    from clinic.accounts import two_factor

    two_factor.remove_all(user=clinician)
    response = client.post(
        reverse("accounts:login"),
        {"username": clinician.email, "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:second_factor_setup"))


def test_a_patient_may_turn_on_a_second_factor_and_is_then_asked_for_it(client, patient):
    client.post(reverse("accounts:login"), {"username": patient.email, "password": PASSWORD})
    page = client.get(reverse("accounts:second_factor_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=patient)
    client.post(reverse("accounts:second_factor_setup"), {"code": _code(device)})
    client.logout()
    client.post(reverse("accounts:login"), {"username": patient.email, "password": PASSWORD})
    response = client.get(reverse("intake:portal"))
    assert response.status_code == 302 and "/accounts/two-step/" in response.url
    client.post(reverse("accounts:second_factor"), {"code": _code(device, 1)})
    assert "two-step" not in (client.get(reverse("intake:portal")).get("Location") or "")


def test_make_user_gives_staff_an_enrolled_authenticator(db):
    assert TOTPDevice.objects.filter(user=make_user("x@example.com", Role.COORDINATOR)).exists()


def test_a_next_that_is_not_a_path_on_this_site_goes_home(login, clinician):
    client = login(clinician)
    for bad in ("NaN", "https://evil.example/", "//evil.example"):
        response = client.post(reverse("accounts:second_factor"), {"next": bad, "code": "1"})
        assert response.status_code == 302 and response.url == reverse("home"), bad
