"""Who reaches what: every role's home, every role refused elsewhere, anonymous to login."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import current_code, staff_login

# Pages anyone may open.
PUBLIC = {
    "landing",
    "health",
    "accounts:login",
    "accounts:logout",
    "accounts:signup",
    "accounts:signup_done",
    "accounts:verify_email",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "messages:sms_inbound",  # Twilio's webhook: authenticated by its signature instead
}


def _named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the Django admin has its own login; tested separately below
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_urls(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.pattern.regex.groupindex


def _reverse_with_dummies(name, groups):
    return reverse(name, kwargs=dict.fromkeys(groups, 1)) if groups else reverse(name)


PRIVATE = sorted((n, tuple(g)) for n, g in _named_urls() if n not in PUBLIC and n != "home")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "groups"), PRIVATE, ids=[n for n, _ in PRIVATE])
def test_anonymous_user_is_sent_to_login_from_every_private_url(client, name, groups):
    url = _reverse_with_dummies(name, groups)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:login")), url


def test_private_url_list_covers_the_app():
    names = {n for n, _ in PRIVATE}
    assert {"intake:portal", "staff:dashboard", "accounts:admin_home"} <= names


@pytest.mark.django_db
def test_anonymous_user_is_sent_to_admin_login_from_django_admin(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response.url


HOMES = {
    "patient": "intake:portal",  # with an intake in progress: its current step
    "coordinator": "staff:dashboard",
    "clinician": "staff:dashboard",
    "clinic_admin": "accounts:admin_home",
}


@pytest.mark.parametrize("role", HOMES)
def test_each_role_lands_on_its_own_home_after_login(client, people, role):
    user = people[role]
    response = client.post(
        reverse("accounts:login"),
        {"username": user.email.upper(), "password": "correct horse battery staple"},
        follow=True,
    )
    if role != "patient":  # staff give the code from their authenticator next
        assert response.redirect_chain[-1][0].startswith(reverse("accounts:second_factor"))
        response = client.post(
            response.redirect_chain[-1][0], {"code": current_code(user)}, follow=True
        )
    assert response.redirect_chain[-1][0] == reverse(HOMES[role])
    assert response.status_code == 200


# (url name, roles allowed); everybody else logged in gets 403.
REACH = [
    ("intake:portal", {"patient", "other_patient"}),
    ("staff:dashboard", {"coordinator", "clinician", "clinic_admin"}),
    ("accounts:admin_home", {"clinic_admin"}),
]


@pytest.mark.parametrize(("name", "allowed"), REACH, ids=[n for n, _ in REACH])
def test_every_role_reaches_only_its_pages(client, people, name, allowed):
    for role, user in people.items():
        staff_login(client, user)
        status = client.get(reverse(name)).status_code
        assert status == (200 if role in allowed else 403), (role, name, status)


def test_django_admin_is_open_to_clinic_admins_only(client, people):
    for role, user in people.items():
        staff_login(client, user)
        response = client.get(reverse("admin:index"))
        expected = 200 if role == "clinic_admin" else 302  # others are sent to the admin login
        assert response.status_code == expected, role


def test_forbidden_page_uses_the_clinic_layout(login, patient):
    response = login(patient).get(reverse("staff:dashboard"))
    assert response.status_code == 403
    assert b"You do not have access to this page" in response.content
    assert b"Skip to main content" in response.content
