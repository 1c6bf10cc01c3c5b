import re

import pytest
from django.core import mail
from django.urls import reverse

from clinic.accounts.middleware import IDLE_WRITE_SECONDS
from clinic.accounts.models import User
from clinic.accounts.roles import Role
from tests.conftest import PASSWORD

SIGNUP = {
    "first_name": "Erin",
    "last_name": "Evans",
    "email": "Erin@Example.com",
    "password1": "a long and memorable phrase",
    "password2": "a long and memorable phrase",
}


def _link_in(message):
    return re.search(r"https?://\S+", message.body).group(0)


@pytest.mark.django_db
def test_patient_signs_up_confirms_the_address_then_logs_in(
    client, django_capture_on_commit_callbacks
):
    # Sign-up no longer logs in at once: an address that already has an account must end
    # on the same page, so both wait for the emailed link (issue 10 §3).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), SIGNUP, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:signup_done")
    assert b"Check your email" in response.content and b"erin@example.com" in response.content
    assert "_auth_user_id" not in client.session
    user = User.objects.get(email="erin@example.com")
    assert user.has_role(Role.PATIENT) and not user.email_verified
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["erin@example.com"]

    path = _link_in(mail.outbox[0]).split("8000", 1)[-1]
    client.get(path)
    user.refresh_from_db()
    assert user.email_verified
    response = client.post(
        reverse("accounts:login"),
        {"username": "erin@example.com", "password": SIGNUP["password1"]},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("intake:portal")


@pytest.mark.django_db
def test_signup_with_an_existing_address_looks_the_same_and_tells_the_owner(
    client, patient, django_capture_on_commit_callbacks
):
    new = {**SIGNUP, "email": "someone.new@example.com"}
    taken = {**SIGNUP, "email": "Alice@Example.com"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("accounts:signup"), new, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(reverse("accounts:signup"), taken, follow=True)
    assert first.redirect_chain == [(reverse("accounts:signup_done"), 302)]
    assert second.redirect_chain == first.redirect_chain
    strip = lambda r, email: r.content.decode().replace(email, "EMAIL")  # noqa: E731
    assert strip(first, "someone.new@example.com") == strip(second, "alice@example.com")
    assert User.objects.filter(email="alice@example.com").count() == 1
    assert not User.objects.get(email="alice@example.com").check_password(SIGNUP["password1"])
    owner_mail = [m for m in mail.outbox if m.to == ["alice@example.com"]]
    assert len(owner_mail) == 1 and "already has an account" in owner_mail[0].body


@pytest.mark.django_db
def test_verification_link_cannot_be_forged(client, patient):
    patient.email_verified_at = None
    patient.save()
    response = client.get(reverse("accounts:verify_email", args=["MQ", "bad-token"]))
    assert response.status_code == 400
    patient.refresh_from_db()
    assert not patient.email_verified


@pytest.mark.django_db
def test_signup_errors_are_shown_next_to_fields_and_keep_what_was_typed(client, patient):
    data = {**SIGNUP, "email": "alice@example.com", "password1": "short", "password2": "other"}
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "email" not in form.errors  # never "already exists": that would reveal Alice
    assert "at least 12 characters" in " ".join(form.errors["password1"])
    assert "not the same" in form.errors["password2"][0]
    assert b'value="Erin"' in response.content
    assert b"Please check these answers" in response.content
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_common_password_is_refused(client):
    data = {**SIGNUP, "password1": "qwerty123456", "password2": "qwerty123456"}
    response = client.post(reverse("accounts:signup"), data)
    assert "too common" in " ".join(response.context["form"].errors["password1"])


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(patient):
    assert patient.password.startswith("argon2")


def test_production_hashes_with_argon2_at_its_default_cost():
    # Tests hash with a cheap Argon2 (tests/conftest.py); the settings module itself names
    # Django's Argon2 hasher first, with its default (expensive) parameters.
    import clinic.settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.django_db
def test_forgotten_password_is_reset_by_email(client, patient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    assert len(mail.outbox) == 1
    path = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    response = client.get(path, follow=True)
    new = "a different long passphrase"
    client.post(response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    patient.refresh_from_db()
    assert patient.check_password(new)


@pytest.mark.django_db
def test_password_reset_for_unknown_email_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302 and len(mail.outbox) == 0


def _fail_login(client, email, ip):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": "wrong"}, REMOTE_ADDR=ip
    )


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_that_user_from_that_address_only(
    client, patient, other_patient
):
    for attempt in range(5):
        # Changing the case of the email does not buy extra guesses.
        _fail_login(client, patient.email.upper() if attempt % 2 else patient.email, "10.0.0.1")
    locked = client.post(
        reverse("accounts:login"),
        {"username": patient.email, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert locked.status_code == 429
    assert b"Too many attempts" in locked.content

    # Another patient on the same network still gets in: the lock is username + IP.
    other = client.post(
        reverse("accounts:login"),
        {"username": other_patient.email, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert other.status_code == 302
    client.logout()
    # And Alice from her own phone is not locked out by someone guessing elsewhere.
    elsewhere = client.post(
        reverse("accounts:login"),
        {"username": patient.email, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
    )
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_four_wrong_passwords_do_not_lock(client, patient):
    for _ in range(4):
        _fail_login(client, patient.email, "10.0.0.1")
    ok = client.post(
        reverse("accounts:login"),
        {"username": patient.email, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert ok.status_code == 302


@pytest.mark.django_db
def test_wrong_password_message_is_plain_and_keeps_email(client, patient):
    response = _fail_login(client, patient.email, "10.0.0.9")
    assert response.status_code == 200
    assert b"do not match an account" in response.content
    assert b'value="alice@example.com"' in response.content


@pytest.mark.parametrize(
    ("role", "seconds"),
    [("clinician", 900), ("coordinator", 900), ("clinic_admin", 900), ("patient", 3600)],
)
def test_sessions_end_after_the_roles_idle_time(login, people, role, seconds):
    client = login(people[role])
    client.get(reverse("home"))
    # Stored with the minute the idle clock may go unwritten (IDLE_WRITE_SECONDS); the
    # middleware ends it exactly `seconds` after the latest request (test_idle_sessions.py).
    assert client.session.get_expiry_age() == seconds + IDLE_WRITE_SECONDS


def test_logout_ends_the_session(login, patient):
    client = login(patient)
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("intake:portal")).status_code == 302


@pytest.mark.django_db
def test_deactivated_account_cannot_log_in(client, patient):
    patient.is_active = False
    patient.save()
    response = client.post(
        reverse("accounts:login"), {"username": patient.email, "password": PASSWORD}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session
