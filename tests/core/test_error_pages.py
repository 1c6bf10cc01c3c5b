"""Error pages work when the database does not: the clinic's page with its phone number,
never the server's bare empty 500."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import OperationalError, connections
from django.test import Client
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from clinic.core import views
from tests.conftest import staff_login

PHONE = settings.CLINIC["phone"]


@pytest.fixture
def database_down(monkeypatch):
    """Call it to make every query from then on fail as a lost PostgreSQL connection does."""

    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    def go():
        monkeypatch.setattr(connections["default"], "cursor", refuse)
        monkeypatch.setattr(connections["default"], "chunked_cursor", refuse)

    return go


@pytest.mark.django_db
def test_a_signed_in_staff_page_during_an_outage_gets_the_clinic_500_page(
    coordinator, database_down
):
    # Signed in before the outage: the session and the user must come from the database.
    client = Client(raise_request_exception=False)
    client.cookies = _signed_in_cookies(coordinator)
    database_down()
    response = client.get(reverse("staff:dashboard"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert PHONE in html
    assert settings.CLINIC["name"] in html


@pytest.mark.django_db
def test_health_during_an_outage_gets_the_clinic_500_page(database_down):
    database_down()
    response = Client(raise_request_exception=False).get(reverse("health"))
    assert response.status_code == 500
    assert PHONE in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_page_during_an_outage_is_still_a_404_with_the_phone_number(database_down):
    database_down()
    response = Client(raise_request_exception=False).get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We cannot find that page" in html
    assert PHONE in html


@pytest.mark.parametrize(
    ("handler", "status", "words"),
    [
        (views.page_not_found, 404, "We cannot find that page"),
        (views.permission_denied, 403, "You do not have access to this page"),
    ],
)
def test_404_and_403_fall_back_to_the_plain_page_when_the_user_cannot_be_loaded(
    rf, handler, status, words
):
    # The database went away after the middleware ran: loading the user now fails.
    def lost():
        raise OperationalError("server closed the connection unexpectedly")

    request = rf.get("/somewhere/")
    request.user = SimpleLazyObject(lost)
    response = handler(request)
    assert response.status_code == status
    assert words in response.content.decode()
    assert PHONE in response.content.decode()


@pytest.mark.django_db
def test_the_404_page_keeps_the_navigation_when_the_database_answers(login, coordinator):
    response = login(coordinator).get("/no-such-page/")
    assert response.status_code == 404
    assert "Sign out" in response.content.decode() or "Log out" in response.content.decode()


@pytest.mark.django_db
def test_a_request_too_big_to_read_gets_the_clinic_400_page(client):
    response = Client(raise_request_exception=False).post(
        reverse("accounts:login"), {"username": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    )
    assert response.status_code == 400
    assert PHONE in response.content.decode()


def test_with_postgresql_unreachable_the_app_answers_with_the_clinic_500_page():
    """A real outage: a separate process whose database is a closed port."""
    # As under pytest-django: settings read with DEBUG on (plain static files storage), then
    # DEBUG off at run time so the clinic's handler answers, not Django's debug page.
    script = (
        "import django; django.setup();"
        "from django.conf import settings; settings.DEBUG = False;"
        "from django.test import Client;"
        "c = Client(raise_request_exception=False);"
        "c.cookies['sessionid'] = 'x' * 32;"
        "r = c.get('/home/');"
        "print(r.status_code); print(r.content.decode())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/clinic",
        "DEBUG": "true",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    status, _, html = result.stdout.partition("\n")
    assert status == "500", result.stderr[-2000:]
    assert PHONE in html
    assert "Something went wrong on our side" in html


def _signed_in_cookies(user):
    client = staff_login(Client(), user)  # staff also past the second factor
    return client.cookies
