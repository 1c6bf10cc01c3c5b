"""The idle clock: pushed back by every request, written to the session at most once a minute,
and still exact: a session ends its role's idle time after its latest request, not after the
latest write."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.accounts.middleware import IDLE_COOKIE, IDLE_WRITE_SECONDS
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db

START = dt.datetime(2027, 1, 5, 14, 0, tzinfo=dt.UTC)
IDLE = {"clinician": settings.STAFF_IDLE_SECONDS, "patient": settings.PATIENT_IDLE_SECONDS}
PAGE = {"clinician": "staff:dashboard", "patient": "intake:portal"}


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)

    def at(seconds: float) -> None:
        time_machine.move_to(START + dt.timedelta(seconds=seconds), tick=False)

    return at


def session_writes(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response
    table = Session._meta.db_table
    return [
        q["sql"]
        for q in queries.captured_queries
        if table in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("role", ["clinician", "patient"])
def test_a_second_request_within_a_minute_does_not_write_the_session(login, people, clock, role):
    client = login(people[role])  # logging in starts the idle clock, written with it
    url = reverse(PAGE[role])
    assert session_writes(client, url) == []
    clock(IDLE_WRITE_SECONDS - 1)
    assert session_writes(client, url) == []


@pytest.mark.parametrize("role", ["clinician", "patient"])
def test_a_request_more_than_a_minute_later_writes_the_session_and_its_expiry(
    login, people, clock, role
):
    client = login(people[role])
    url = reverse(PAGE[role])
    client.get(url)
    clock(IDLE_WRITE_SECONDS + 1)
    writes = session_writes(client, url)
    assert len(writes) == 1 and writes[0].lstrip().upper().startswith("UPDATE"), writes
    # Stored with a minute to spare, so the row never ends the session before this
    # middleware does; the cookie says when the latest request was.
    stored = Session.objects.get(session_key=client.session.session_key)
    expected = START + dt.timedelta(
        seconds=IDLE_WRITE_SECONDS + 1 + IDLE[role] + IDLE_WRITE_SECONDS
    )
    assert stored.expire_date == expected
    assert IDLE_COOKIE in client.cookies


@pytest.mark.parametrize("role", ["clinician", "patient"])
@pytest.mark.parametrize(("idle_after", "still_in"), [(-1, True), (1, False)])
def test_the_idle_time_counts_from_the_latest_request_even_when_it_wrote_nothing(
    login, people, clock, role, idle_after, still_in
):
    client = login(people[role])
    url = reverse(PAGE[role])
    client.get(url)  # at 0 s, with the login
    clock(50)
    assert session_writes(client, url) == []  # the latest request, at 50 s: not written
    clock(50 + IDLE[role] + idle_after)
    response = client.get(url)
    assert logged_in(client) is still_in
    if not still_in:
        assert response.status_code == 302 and reverse("accounts:login") in response.url


@pytest.mark.parametrize("role", ["clinician", "patient"])
def test_an_idle_session_ends_even_if_every_request_was_written(login, people, clock, role):
    client = login(people[role])
    url = reverse(PAGE[role])
    client.get(url)
    clock(IDLE[role] + 1)
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response.url
    assert not logged_in(client)


def test_a_latest_request_cookie_from_another_session_does_not_keep_a_session_alive(
    login, people, clock
):
    idle = IDLE["clinician"]
    url = reverse(PAGE["clinician"])
    client = login(people["clinician"])
    client.get(url)  # the idle clock as written at login, 0 s
    other = staff_login(Client(), people["coordinator"])
    clock(idle - 10)
    other.get(reverse(PAGE["clinician"]))  # the other session's latest request, signed for it
    client.cookies[IDLE_COOKIE] = other.cookies[IDLE_COOKIE].value
    clock(idle + 1)
    client.get(url)
    assert not logged_in(client)


def test_a_missing_cookie_counts_from_the_last_write(login, people, clock):
    client = login(people["patient"])
    url = reverse(PAGE["patient"])
    client.get(url)  # the idle clock as written at login, 0 s
    clock(50)
    client.get(url)  # not written
    del client.cookies[IDLE_COOKIE]
    clock(IDLE["patient"] + 1)
    client.get(url)
    assert not logged_in(client)
