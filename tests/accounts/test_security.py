"""Lockout that cannot be sidestepped, sessions, browser policy headers, CSV formulas,
and owner-only development files."""

import os
import stat
import subprocess
import time

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from clinic.accounts.emails import normalise_email
from clinic.accounts.middleware import LOGIN_TIME_SESSION_KEY
from clinic.core.exports import safe_cell
from intake import demo
from tests.conftest import PASSWORD


def _login(client, email, password, ip="10.0.0.1", **extra):
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=ip,
        **extra,
    )


def test_one_normal_form_for_lookup_and_lockout():
    assert normalise_email(" ALICE@Example.COM ") == "alice@example.com"
    assert normalise_email("ａlice@example.com") == "alice@example.com"  # full-width a
    assert normalise_email("alıce@example.com") != "alice@example.com"  # dotless ı: not Alice


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lookalike", ["alıce@example.com", "ALİCE@example.com", "ａlice@example.com"]
)
def test_lookalike_email_buys_no_extra_guesses_and_never_logs_in(client, patient, lookalike):
    # Runs on SQLite and, in CI, on PostgreSQL, where UPPER('ı') = 'I' made iexact match.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, patient.email, "wrong")
    assert _login(client, patient.email, PASSWORD).status_code == 429
    response = _login(client, lookalike, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


@pytest.mark.django_db
def test_lookalike_spelling_is_not_another_account(client, patient):
    response = _login(client, "alıce@example.com", PASSWORD, ip="10.0.0.7")
    assert response.status_code == 200 and "_auth_user_id" not in client.session


@pytest.mark.django_db
@override_settings(AXES_IP_FAILURE_LIMIT=8)
def test_password_spraying_from_one_address_is_stopped_across_accounts(client, patient):
    for n in range(8):  # two guesses each at four accounts: no single account is locked
        _login(client, f"person{n // 2}@example.com", "Winter2026!", ip="10.9.9.9")
    assert _login(client, patient.email, PASSWORD, ip="10.9.9.9").status_code == 429
    assert "_auth_user_id" not in client.session
    # Someone else, from another address, is not affected.
    assert _login(client, patient.email, PASSWORD, ip="10.1.1.1").status_code == 302


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_lock_follows_the_client_not_the_proxy_or_a_forged_header(
    client, patient, other_patient
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(
            client,
            patient.email,
            "wrong",
            ip="10.0.0.254",
            HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5",
        )
    # A forged left-most hop does not make a new address: the proxy-added hop is used.
    locked = _login(
        client,
        patient.email,
        PASSWORD,
        ip="10.0.0.254",
        HTTP_X_FORWARDED_FOR="7.7.7.7, 203.0.113.5",
    )
    assert locked.status_code == 429
    # Another client behind the same proxy logs in.
    ok = _login(
        client, patient.email, PASSWORD, ip="10.0.0.254", HTTP_X_FORWARDED_FOR="198.51.100.2"
    )
    assert ok.status_code == 302


def test_staff_session_ends_after_its_absolute_lifetime_however_active(login, clinician):
    client = login(clinician)
    assert client.get(reverse("staff:dashboard")).status_code == 200
    session = client.session
    session[LOGIN_TIME_SESSION_KEY] = int(time.time()) - settings.STAFF_SESSION_MAX_SECONDS - 5
    session.save()
    response = client.get(reverse("staff:dashboard"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url
    assert "_auth_user_id" not in client.session


def test_patient_sessions_have_no_absolute_limit(login, patient):
    client = login(patient)
    session = client.session
    session[LOGIN_TIME_SESSION_KEY] = int(time.time()) - settings.STAFF_SESSION_MAX_SECONDS - 5
    session.save()
    assert client.get(reverse("intake:portal")).status_code in (200, 302)
    assert "_auth_user_id" in client.session


PRODUCTION = {"DEBUG": False, "SECURE_SSL_REDIRECT": False}


@pytest.fixture
def intake(patient):
    return demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)


@override_settings(**PRODUCTION)
def test_policy_headers_on_a_sample_of_pages(client, login, clinician, patient, intake):
    anonymous = [reverse("landing"), reverse("accounts:login"), reverse("accounts:signup")]
    for url in anonymous:
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, url
        assert "frame-ancestors 'none'" in csp
        assert "camera=()" in response["Permissions-Policy"]
    staff = login(clinician)
    for url in [
        reverse("staff:dashboard"),
        reverse("staff:intake", args=[intake.pk]),
        reverse("staff:intake_export", args=[intake.pk]),
        reverse("schedule:today"),
    ]:
        response = staff.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert "Permissions-Policy" in response
    staff.logout()
    portal = login(patient).get(reverse("intake:portal"), follow=True)
    assert "no-store" in portal["Cache-Control"]


def test_no_page_template_has_an_inline_handler_script_or_style():
    bad = []
    for root, _dirs, files in os.walk(settings.BASE_DIR / "templates"):
        for name in files:
            with open(os.path.join(root, name), encoding="utf-8") as handle:
                text = handle.read()
            for marker in (
                " onclick=",
                " onload=",
                " onchange=",
                " onsubmit=",
                ' style="',
                "<script>",
                "javascript:",
            ):
                if marker in text:
                    bad.append((name, marker))
    assert not bad


@pytest.mark.parametrize(
    "payload",
    [
        '=HYPERLINK("http://evil.example","x")',
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|x",
        "@SUM(1+1)*cmd|x",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_csv_cells_that_would_be_formulas_are_neutralised(payload):
    assert safe_cell(payload) == "'" + payload
    assert safe_cell("plain text") == "plain text" and safe_cell(None) == ""


def test_intake_export_neutralises_formula_answers(login, clinician, patient):
    answers = {**demo.BASE, "legal_first_name": '=HYPERLINK("http://evil.example")'}
    intake = demo.seed_intake(patient=patient, answers=answers, submit=True)
    body = login(clinician).get(reverse("staff:intake_export", args=[intake.pk])).content.decode()
    assert "'=HYPERLINK" in body
    assert ",=HYPERLINK" not in body and '"=HYPERLINK' not in body


def test_var_and_the_development_database_are_created_owner_only(tmp_path):
    # `make` (the var step of install, so of `make run` and `make test`) creates them.
    makefile = settings.BASE_DIR / "Makefile"
    subprocess.run(["make", "-s", "-C", str(tmp_path), "-f", str(makefile), "var"], check=True)
    assert stat.S_IMODE(os.stat(tmp_path / "var").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "var" / "clinic.sqlite3").st_mode) == 0o600
