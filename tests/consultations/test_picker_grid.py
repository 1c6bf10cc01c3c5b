"""The booking page's month grid: full dates read out, closed days named, and the days and
times the intake says suit the patient suggested first."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.models import (
    Appointment,
    AppointmentType,
    DateOverride,
    Location,
    Provider,
    WorkingHours,
)
from intake.models import Intake
from tests.conftest import make_user

from .conftest import NOW, NY

pytestmark = pytest.mark.django_db
MLK_DAY = dt.date(2027, 1, 18)


@pytest.fixture
def on_the_day(time_machine):
    time_machine.move_to(NOW, tick=False)  # Tuesday, January 5, 2027, 9:00 AM Eastern


def _page(client, initial, **extra) -> str:
    query = {"type": initial.pk, "mode": "in_person", "provider": "any", **extra}
    return re.sub(r"\s+", " ", client.get(reverse("consultations:book"), query).content.decode())


def _said(html: str) -> str:
    """The page's text as a screen reader reads it (tags dropped)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _suggested(html: str) -> list[str]:
    block = html.split('id="suggested"', 1)[1].split("</div> </div>", 1)[0]
    return re.findall(r">((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \w+ \d+, [\d:]+ [AP]M) <", block)


def test_the_days_are_a_month_grid_of_links_named_with_their_full_date(
    login, approved_patient, initial, provider, on_the_day
):
    html = _page(login(approved_patient), initial)
    assert "<caption>January 2027</caption>" in html
    assert "<caption>March 2027</caption>" in html  # the 60-day window reaches March
    assert re.search(r'<a class="day btn [^"]*" href="\?[^"]*date=2027-01-12#times-h"', html)
    said = _said(html)
    assert "Tuesday, January 12: 24 times, a day that suits you" in said
    assert "Wednesday, January 13: 24 times Thursday" in said
    # Before the minimum notice and on weekends: no link, and said in words.
    assert "Tuesday, January 5: not bookable online" in html
    assert "Saturday, January 9: no free times" in html
    assert '<th scope="col" abbr="Sunday">' in html


def test_a_closure_on_a_public_holiday_is_closed_with_the_holiday_named(
    login, approved_patient, initial, provider, on_the_day
):
    DateOverride.objects.create(kind="closure", start_date=MLK_DAY, end_date=MLK_DAY)
    DateOverride.objects.create(
        kind="closure",
        start_date=dt.date(2027, 2, 3),
        end_date=dt.date(2027, 2, 3),
        note="Staff training",
    )
    html = _page(login(approved_patient), initial)
    assert "Monday, January 18: closed (Martin Luther King Jr. Day)" in html
    assert "date=2027-01-18" not in html
    assert "Wednesday, February 3: closed (Staff training)" in html
    assert (
        "Clinic closed: Mon, Jan 18 (Martin Luther King Jr. Day); Wed, Feb 3 (Staff training)."
        in html
    )


def test_suggested_for_you_are_tuesday_and_thursday_mornings_from_the_intake(
    login, approved_patient, initial, provider, on_the_day
):
    # The demo intake says Tuesdays and Thursdays, mornings.
    html = _page(login(approved_patient), initial)
    assert "Suggested for you" in html
    assert _suggested(html) == [
        "Thu, Jan 7, 9:00 AM",
        "Tue, Jan 12, 9:00 AM",
        "Thu, Jan 14, 9:00 AM",
        "Tue, Jan 19, 9:00 AM",
    ]
    # Each goes straight to confirming that time.
    assert re.search(
        r'href="/[^"]*confirm/\?type=\d+&amp;mode=in_person&amp;provider=\d+&amp;start=2027-01-07T14%3A00',
        html,
    )


def test_on_a_chosen_day_the_times_that_suit_come_first(
    login, approved_patient, initial, provider, on_the_day
):
    html = _page(login(approved_patient), initial, date="2027-01-12")
    suits, others = html.split('id="times-suggested-h"', 1)[1].split('id="times-other-h"', 1)
    # Mornings (before 11:00) suit; the rest of the day follows.
    morning = ["9:00 AM", "9:15 AM", "9:30 AM", "9:45 AM", "10:00 AM", "10:15 AM", "10:30 AM"]
    assert re.findall(r"(\d+:\d\d [AP]M)", suits) == [*morning, "10:45 AM"]
    assert "11:00 AM" in others and "1:00 PM" in others and "9:00 AM" not in others
    assert 'aria-current="date"' in html


def test_without_preferences_there_is_nothing_to_suggest(
    login, approved_patient, initial, provider, on_the_day
):
    intake = Intake.objects.get(patient=approved_patient)
    answers = {**intake.answers, "preferred_days": [], "preferred_times": []}
    Intake.objects.filter(pk=intake.pk).update(answers=answers)
    html = _page(login(approved_patient), initial, date="2027-01-12")
    assert "Suggested for you" not in html
    assert "a day that suits" not in html
    assert "9:00 AM" in html


def test_staff_booking_shows_the_same_grid_with_the_patients_preferences(
    login, coordinator, approved_patient, initial, provider, on_the_day
):
    client = login(coordinator)
    url = reverse("schedule:book", args=[approved_patient.pk])
    query = {"type": initial.pk, "mode": "in_person", "provider": "any"}
    html = re.sub(r"\s+", " ", client.get(url, query).content.decode())
    assert "<caption>January 2027</caption>" in html
    assert "the patient said suit them" in html
    assert ", a day that suits the patient" in _said(html)


def _queries(client, url, query) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(ctx), response.content.decode()


def _more_to_pick_from(provider, patient):
    """Two more clinicians with hours, bookings on most days, a time off and a closure."""
    for i in range(2):
        user = make_user(f"dr{i}@example.com", "clinician", f"Doc{i}", "Extra")
        other = Provider.objects.create(user=user, display_name=f"Dr. Extra {i}")
        WorkingHours.objects.bulk_create(
            WorkingHours(provider=other, weekday=day, start=dt.time(8), end=dt.time(16))
            for day in range(6)
        )
    follow_up = AppointmentType.objects.get(kind="follow_up")
    location = Location.objects.get(kind="clinic")
    rows = []
    for n in range(30):
        start = dt.datetime.combine(NOW.date() + dt.timedelta(days=3 + n), dt.time(10), NY)
        rows.append(
            Appointment(
                patient=patient,
                provider=provider,
                appointment_type=follow_up,
                kind=follow_up.kind,
                location=location,
                mode="in_person",
                start=start,
                end=start + follow_up.duration,
                block_start=start,
                block_end=start + follow_up.duration,
            )
        )
    Appointment.objects.bulk_create(rows)
    day_off = dt.date(2027, 1, 20)
    DateOverride.objects.create(
        kind="time_off", provider=provider, start_date=day_off, end_date=day_off
    )
    DateOverride.objects.create(kind="closure", start_date=MLK_DAY, end_date=MLK_DAY)


@pytest.mark.parametrize("date", ["", "2027-01-12"])
def test_the_picker_asks_as_many_queries_for_a_full_calendar_as_for_an_empty_one(
    login, approved_patient, other_patient, initial, provider, on_the_day, date
):
    client = login(approved_patient)
    url = reverse("consultations:book")
    query = {"type": initial.pk, "mode": "in_person", "provider": "any", "date": date}
    few, _ = _queries(client, url, query)
    _more_to_pick_from(provider, other_patient)
    AppointmentType.objects.filter(pk=initial.pk).update(horizon_days=120)  # twice the days
    many, html = _queries(client, url, query)
    assert many == few
    assert "Dr. Extra 1" in html and "closed (Martin Luther King Jr. Day)" in html
    assert "<caption>May 2027</caption>" in html  # the 120 days reach May
    # Session, user and roles; consent; the patient's history, zone and intake answers;
    # types; clinicians; their hours, overrides (closures too) and bookings.
    assert many == 10


def test_staff_booking_asks_as_many_queries_for_a_full_calendar_as_for_an_empty_one(
    login, coordinator, approved_patient, other_patient, initial, provider, on_the_day
):
    client = login(coordinator)
    url = reverse("schedule:book", args=[approved_patient.pk])
    query = {"type": initial.pk, "mode": "in_person", "provider": "any", "date": "2027-01-12"}
    few, _ = _queries(client, url, query)
    _more_to_pick_from(provider, other_patient)
    many, html = _queries(client, url, query)
    assert many == few
    assert "Dr. Extra 1" in html
    # The picker's (patient facts, types, clinicians, hours, overrides, bookings) after
    # session, user, second factor, roles, the patient, the audit row and urgent alerts;
    # the own-time form's clinician list reads them twice more.
    assert many == 15


def test_time_buttons_and_closed_days_escape_what_staff_typed(
    login, approved_patient, initial, provider, on_the_day
):
    Provider.objects.filter(pk=provider.pk).update(display_name="<script>x</script>")
    DateOverride.objects.create(
        kind="closure", start_date=MLK_DAY, end_date=MLK_DAY, note='<script>y</script>"'
    )
    html = _page(login(approved_patient), initial, date="2027-01-12")
    assert "<script>" not in html
    assert "Monday, January 18: closed (&lt;script&gt;y&lt;/script&gt;&quot;)" in html
    # Each time of the day and each suggested one is named with who it is with.
    assert html.count("· &lt;script&gt;x&lt;/script&gt;</span>") >= 24 + 4


def test_moving_offers_each_time_as_a_form_that_moves_it(
    client, login, approved_patient, initial, provider, on_the_day
):
    from consultations import services

    start = dt.datetime(2027, 1, 12, 9, tzinfo=NY)
    appointment = services.book_appointment(
        patient=approved_patient,
        appointment_type=initial,
        provider=provider,
        start=start,
        mode="in_person",
        actor=approved_patient,
        now=NOW,
    )
    url = reverse("consultations:reschedule", args=[appointment.pk])
    login(approved_patient)
    client.handler.enforce_csrf_checks = True  # the form must carry its own token
    html = re.sub(r"\s+", " ", client.get(url, {"date": "2027-01-14"}).content.decode())
    form = re.search(
        rf'<form method="post" action="{url}">'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"> '
        r'<input type="hidden" name="start" value="2027-01-14T19:00:00\+00:00">'
        rf'<input type="hidden" name="provider" value="{provider.pk}"> '
        r'<button class="btn btn-outline-primary">2:00 PM <span class="small">· Dr. Lee</span>'
        r"</button></form>",
        html,
    )
    assert form
    moved = client.post(
        url,
        {
            "csrfmiddlewaretoken": form[1],
            "start": "2027-01-14T19:00:00+00:00",
            "provider": provider.pk,
        },
    )
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == dt.datetime(2027, 1, 14, 14, tzinfo=NY)


def test_closed_days_read_from_the_slots_overrides_are_those_read_on_their_own(provider):
    from consultations import picker, selectors

    DateOverride.objects.create(kind="closure", start_date=MLK_DAY, end_date=MLK_DAY)
    DateOverride.objects.create(
        kind="closure", start_date=dt.date(2027, 2, 3), end_date=dt.date(2027, 2, 4), note="Move"
    )
    DateOverride.objects.create(  # part of a day: not a closed day
        kind="closure",
        start_date=dt.date(2027, 2, 8),
        start=dt.time(9),
        end=dt.time(12),
        end_date=dt.date(2027, 2, 8),
    )
    DateOverride.objects.create(
        kind="time_off",
        provider=provider,
        start_date=dt.date(2027, 2, 9),
        end_date=dt.date(2027, 2, 9),
    )
    first, last = dt.date(2027, 1, 6), dt.date(2027, 2, 3)
    loaded = selectors.schedule_inputs([provider.pk], first, last)["overrides"]
    read = picker._closed_days(first, last)
    assert picker._closed_days(first, last, loaded) == read
    assert read == {MLK_DAY: "Martin Luther King Jr. Day", dt.date(2027, 2, 3): "Move"}


def test_what_the_picker_reads_about_the_patient_is_one_query(
    approved_patient, other_patient, django_assert_num_queries
):
    from clinic.notifications.models import ContactPreference
    from consultations import selectors

    ContactPreference.objects.update_or_create(
        user=approved_patient, defaults={"time_zone": "America/Chicago"}
    )
    with django_assert_num_queries(1):
        facts = selectors.booking_facts(approved_patient)
    intake = Intake.objects.get(patient=approved_patient)
    assert facts.answers == intake.answers and facts.answers["preferred_days"]
    assert facts.time_zone == "America/Chicago"
    assert facts.history == selectors.patient_history(approved_patient)
    assert facts.history.approved_intake and not facts.history.completed_consultation
    nothing = selectors.booking_facts(other_patient)
    assert (nothing.answers, nothing.time_zone) == ({}, "")
    assert not nothing.history.approved_intake


def test_the_clinician_chosen_stays_selected(
    login, approved_patient, initial, provider, on_the_day
):
    client = login(approved_patient)
    html = _page(client, initial, provider=str(provider.pk))
    assert f'<option value="{provider.pk}" selected>Dr. Lee</option>' in html
    assert '<option value="any">Any clinician' in html
    html = _page(client, initial)
    assert f'<option value="{provider.pk}">Dr. Lee</option>' in html
    assert '<option value="any" selected>Any clinician' in html
