"""Hostile data to every endpoint of every role never gets a server error.

The endpoints are read from the URL resolver, so a new page is covered the day it is
added; path parameters are filled with the ids of real objects (a route under a path
segment this file does not know fails loudly: add its id to `ids_by_segment`). Field names
come from the page itself (every `name="…"` its forms render, formset prefixes included)
plus names many views read. Values: 1 MB strings, NUL bytes, invalid UTF-8, unknown and
duplicated fields, huge formset counts, odd `next` values. Requests go through the real
middleware stack with `raise_request_exception=False`, as in production, and anything
at or above 500 fails with the traceback the server logged.

The intake steps have their own deeper test (tests/intake/test_hostile_input.py); they are
included here too, briefly, because "every endpoint" includes them. Django's own admin
(`/django-admin/`) is left out: Django's code, reached by clinic admins only, and its
hundreds of routes would take this test far past a few minutes.

Examples per endpoint and role: `HOSTILE_EXAMPLES` (default 3; raise it locally to dig).
"""

import datetime as dt
import os
import re
import traceback
from urllib.parse import quote, urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import got_request_exception
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from clinic.documents.services import store_document
from clinic.notifications.models import Message
from consultations.models import (
    Appointment,
    AppointmentType,
    BoosterRequest,
    BoosterSnooze,
    Chair,
    CheckIn,
    Course,
    DateOverride,
    Location,
)
from consultations.record_views import PARTS
from consultations.schedule_chairs import CHANGES
from intake import checklist, demo
from intake.questionnaire import SECTIONS
from intake.staff_views import DONE
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "3"))
HOSTILE_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # the data differs per run (ids); replaying old examples means nothing
    # World and clients come from function-scoped fixtures, shared on purpose: every
    # example only needs *some* state, and "no 500" must hold in any of them.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
SKIPPED_PREFIXES = ("django-admin/",)
STAFF_ROLES = ("coordinator", "clinician", "clinic_admin")
ROLES = ["anonymous", "patient", "other_patient", "coordinator", "clinician", "clinic_admin"]

MEGABYTE = "x" * 1_000_000
NASTY = (
    "",
    " ",
    "0",
    "-1",
    "1e999",
    "NaN",
    "Infinity",
    "9" * 40,
    "99999999999999999999",
    "2027-02-30",
    "0000-00-00",
    "9999-12-31",
    "24:61",
    "on",
    "true",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%",
    "_",
    "\\",
    "\x00",
    "a\x00b",
    "\ufffd",
    "\ud7ff\ue000",
    "🙂" * 50,
    "../../etc/passwd",
    "{}",
    "[]",
    "null",
    "x" * 5000,
)
NEXT_VALUES = (
    "NaN",
    "",
    "/",
    "//evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\\evil.example",
    "staff:dashboard",
    "/staff/\r\nSet-Cookie: x=1",
    "\x00",
    "/" + "a" * 3000,
)
# Names read by views (search, filters, paging, actions) that no form on a GET may show.
COMMON_NAMES = (
    "next",
    "q",
    "page",
    "per_page",
    "sort",
    "action",
    "date",
    "day",
    "week",
    "provider",
    "type",
    "mode",
    "slot",
    "start",
    "status",
    "patient",
    "return",
    "goto",
    "csrfmiddlewaretoken",
)
# A 1 MB value goes in one field per request at most: two would pass Django's 2.5 MB body
# limit, which is a clean 400 that would hide what the views do with the data.
INVALID_UTF8 = (b"%ff%fe", b"%c3%28", b"%ed%a0%80", b"\xff\xfe", b"%e2%82")


def endpoints() -> list[tuple[str, list[tuple[str, str]]]]:
    """(route, [(converter, name), …]) for every URL pattern, admin excepted."""
    out = []

    def walk(patterns, prefix):
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                out.append((route, re.findall(r"<(?:(\w+):)?(\w+)>", route)))

    walk(get_resolver().url_patterns, "")
    return out


ENDPOINTS = endpoints()


@pytest.fixture
def world(people, provider, initial, clinic_admin):
    """One of everything a path can point at, belonging to Alice (the patient)."""
    patient = people["patient"]
    intake = demo.seed_intake(patient=patient, answers=demo.FIBROMYALGIA, submit=True)
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    appointment = Appointment.objects.create(
        patient=patient,
        provider=provider,
        appointment_type=initial,
        kind=initial.kind,
        location=Location.objects.get(kind="clinic"),
        mode="in_person",
        start=start,
        end=start + initial.duration,
        block_start=start,
        block_end=start + initial.duration,
    )
    closed_on = timezone.localdate() + dt.timedelta(days=30)
    override = DateOverride.objects.create(
        kind=DateOverride.Kind.CLOSURE, start_date=closed_on, end_date=closed_on
    )
    message = Message.objects.create(
        kind="verify_email",
        channel="email",
        recipient=patient,
        due_at=timezone.now(),
        status=Message.Status.FAILED,
        idempotency_key="hostile:1",
    )
    document = store_document(
        patient=patient,
        kind="referral_letter",
        upload=SimpleUploadedFile("r.pdf", b"%PDF-1.7\n%%EOF\n"),
        actor=people["coordinator"],
    )
    course = Course.objects.create(patient=patient, planned_count=6)
    check_in = CheckIn.objects.create(
        patient=patient,
        course=course,
        kind=CheckIn.Kind.WEEK_1,
        due_at=timezone.now(),
        closes_at=timezone.now() + dt.timedelta(days=14),
    )
    booster_request = BoosterRequest.objects.create(
        patient=patient, course=course, requested_at=timezone.now()
    )
    snooze = BoosterSnooze.objects.create(
        patient=patient,
        until=timezone.localdate() + dt.timedelta(days=30),
        reason="Travelling",
        created_by=people["coordinator"],
    )
    ids_by_segment = {
        "check-ins": check_in.pk,
        "booster": booster_request.pk,
        "requests": booster_request.pk,
        "chairs": Chair.objects.first().pk,
        "courses": course.pk,
        "boosters": patient.pk,
        "set-aside": snooze.pk,
        "mine": document.pk,
        "intake": intake.pk,
        "intakes": intake.pk,
        "flags": intake.flags.first().pk,
        "alerts": intake.alerts.first().pk,
        "appointments": appointment.pk,
        "providers": provider.pk,
        "overrides": override.pk,
        "types": AppointmentType.objects.first().pk,
        "locations": Location.objects.first().pk,
        "patients": patient.pk,
        "staff": people["coordinator"].pk,
        "messages": message.pk,
        "documents": document.pk,
    }
    slugs = {
        "key": [s.key for s in SECTIONS] + ["no-such-step"],
        "action": sorted(DONE) + sorted(CHANGES) + ["delete-everything"],
        "part": [*PARTS, "no-such-part"],
        "uidb64": [urlsafe_base64_encode(force_bytes(patient.pk)), "MQ", "%00"],
        "token": ["set-password", "abc-123", "x" * 300],
        "code": [item.code for item in checklist.ITEMS] + ["no-such-item"],
    }
    return {"ids": ids_by_segment, "slugs": slugs, "people": people}


def fill(route: str, params, world, pick) -> str:
    """The route with each parameter replaced by a real id (or a plausible slug)."""
    path = route
    for converter, name in params:
        if converter == "int" or name.endswith("pk"):
            segment = route.split(f"<{converter}:{name}>")[0].rstrip("/").rsplit("/", 1)[-1]
            assert segment in world["ids"], (
                f"{route}: no fixture id for a path under “{segment}/”. Add one to "
                "world()'s ids_by_segment so this new page is tried with hostile data."
            )
            value = str(world["ids"][segment])
        else:
            assert name in world["slugs"], f"{route}: add sample values for <{name}>"
            value = quote(pick(world["slugs"][name]), safe="")
        path = path.replace(f"<{converter}:{name}>" if converter else f"<{name}>", value, 1)
    return "/" + path


def _client(role: str, people) -> Client:
    """A client logged in as the role, staff past their second factor (else every staff
    page would only answer with the two-step login and nothing behind it would be tried)."""
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        staff_login(client, people[role])
    return client


def page_names(client: Client, path: str) -> list[str]:
    """Every field name the page's forms render, as the person would post them."""
    response = client.get(path)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    return sorted(set(re.findall(r'name="([^"]+)"', response.content.decode(errors="replace"))))


def values(names: list[str]):
    value = st.one_of(
        st.sampled_from(NASTY),
        st.sampled_from(NEXT_VALUES),
        st.text(max_size=30),
        st.integers(min_value=-(10**20), max_value=10**20).map(str),
    )
    name = st.one_of(
        st.sampled_from(names),
        st.sampled_from(COMMON_NAMES),
        st.text(max_size=12),  # unknown fields
    )
    return st.fixed_dictionaries(
        {
            "fields": st.dictionaries(name, st.lists(value, min_size=1, max_size=3), max_size=20),
            "megabyte": st.one_of(st.none(), st.sampled_from(names or COMMON_NAMES)),
            "huge_counts": st.booleans(),
            "next": st.sampled_from(NEXT_VALUES),
            "raw": st.sampled_from(INVALID_UTF8),
            "method": st.sampled_from(["GET", "POST", "POST", "RAW"]),
        }
    )


def request_for(example, names: list[str]):
    """(method, query string or body) for one example."""
    fields = dict(example["fields"])
    fields["next"] = [example["next"]]
    if example["megabyte"]:
        fields[example["megabyte"]] = [MEGABYTE]
    if example["huge_counts"]:
        for n in names:
            if n.endswith("-TOTAL_FORMS") or n.endswith("-INITIAL_FORMS"):
                fields[n] = ["999999999999"]
    encoded = urlencode([(k, v) for k, vs in fields.items() for v in vs]).encode()
    # Invalid UTF-8 both as a name and as a value, in the query string or the body.
    raw = encoded + b"&" + example["raw"] + b"=" + example["raw"] + b"&q=" + example["raw"]
    return example["method"], encoded, raw


@pytest.fixture
def server_errors():
    """The tracebacks of exceptions the stack turned into 500s, for the failure message."""
    seen = []

    def record(sender, request=None, **kwargs):
        seen.append(traceback.format_exc())

    got_request_exception.connect(record)
    yield seen
    got_request_exception.disconnect(record)


@pytest.mark.parametrize("role", ROLES)
def test_hostile_data_to_every_endpoint_never_gets_a_server_error(role, world, server_errors):
    only = os.environ.get("HOSTILE_ROUTES", "")  # e.g. "schedule/" to dig into one area
    if role in STAFF_ROLES:  # a client stopped at the two-step page would try nothing behind it
        landing = _client(role, world["people"]).get("/staff/")
        assert "two-step" not in landing.get("Location", ""), f"{role} stopped at the two-step page"
    for route, params in ENDPOINTS:
        if only in route:
            hammer(role, route, params, world, server_errors)


def fixed_examples(names: list[str]) -> list[dict]:
    """Sent before the random ones, so every kind of hostile data reaches every endpoint."""
    every = names or list(COMMON_NAMES)
    return [
        {
            "fields": {n: ["NaN", "-1"] for n in every},
            "megabyte": None,
            "huge_counts": True,
            "next": "NaN",
            "raw": b"%ff",
            "method": "POST",
        },
        {
            "fields": {n: ["a\x00b"] for n in every},
            "megabyte": every[0],
            "huge_counts": False,
            "next": "//evil.example/",
            "raw": b"%ff",
            "method": "POST",
        },
        {
            "fields": {n: ["\x00", "9" * 40] for n in every},
            "megabyte": None,
            "huge_counts": True,
            "next": "\x00",
            "raw": b"%c3%28",
            "method": "GET",
        },
        {
            "fields": {n: ["x"] for n in every},
            "megabyte": None,
            "huge_counts": False,
            "next": "https://evil.example/",
            "raw": b"\xff\xfe",
            "method": "RAW",
        },
    ]


def hammer(role, route, params, world, server_errors) -> None:
    """Fixed, then random, hostile examples at one endpoint as one role."""
    people = world["people"]
    client = _client(role, people)
    names = page_names(client, fill(route, params, world, lambda options: options[0]))

    def send(example, target):
        nonlocal client
        method, encoded, raw = request_for(example, names)
        if method == "GET":
            response = client.get(target, QUERY_STRING=encoded.decode("latin-1"))
        elif method == "POST":
            response = client.generic(
                "POST", target, encoded, content_type="application/x-www-form-urlencoded"
            )
        else:
            # WSGI carries the query string as bytes decoded as latin-1.
            response = client.generic(
                "POST",
                target,
                raw,
                content_type="application/x-www-form-urlencoded",
                QUERY_STRING=raw.decode("latin-1"),
            )
        detail = server_errors[-1] if server_errors else ""
        assert response.status_code < 500, f"{role} {method} {target}\n{detail}"
        if route.startswith("accounts/logout/") or response.status_code == 302:
            client = _client(role, people)  # logged out, or a login redirect: sign in again

    for example in fixed_examples(names):
        send(example, fill(route, params, world, lambda options: options[0]))

    @HOSTILE_SETTINGS
    @given(values(names or list(COMMON_NAMES)), st.data())
    def check(example, data):
        target = fill(route, params, world, lambda options: data.draw(st.sampled_from(options)))
        note(f"{role} {target}")
        send(example, target)

    check()
