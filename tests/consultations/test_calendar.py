"""The staff calendar: day and week views, today's list and its buttons, day sheet, search."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.models import User
from consultations import selectors
from consultations.models import Appointment, AppointmentType, Location, Provider
from tests.conftest import make_user

NY = ZoneInfo("America/New_York")
DAY = dt.date(2027, 1, 12)  # a Tuesday, far from DST
S = Appointment.Status


def book(patient, provider, day, hour, minute=0, kind="follow_up", mode="in_person", **extra):
    """An appointment made straight in the database, as the booking service would store it."""
    t = AppointmentType.objects.get(kind=kind)
    start = dt.datetime.combine(day, dt.time(hour, minute), NY)
    end = start + t.duration
    location = Location.objects.get(kind="telehealth" if mode == "telehealth" else "clinic")
    return Appointment.objects.create(
        patient=patient,
        provider=provider,
        appointment_type=t,
        kind=t.kind,
        location=location,
        mode=mode,
        start=start,
        end=end,
        block_start=start - dt.timedelta(minutes=t.buffer_before_minutes),
        block_end=end + dt.timedelta(minutes=t.buffer_after_minutes),
        **extra,
    )


def today() -> dt.date:
    return timezone.now().astimezone(NY).date()


@pytest.fixture
def dr_patel(db):
    user = make_user("dr.patel@example.com", "clinician", "Priya", "Patel")
    return Provider.objects.create(user=user, display_name="Dr. Patel", time_zone="America/Chicago")


# --------------------------------------------------------------------------- access

CALENDAR_PAGES = [
    "schedule:day",
    "schedule:week",
    "schedule:today",
    "schedule:day_sheet",
    "schedule:search",
]
CALENDAR_ROLES = {"coordinator", "clinician", "clinic_admin"}


@pytest.mark.parametrize("name", CALENDAR_PAGES)
def test_calendar_is_for_staff_who_manage_bookings(client, login, people, name):
    url = reverse(name)
    assert client.get(url).status_code == 302
    for role, user in people.items():
        expected = 200 if role in CALENDAR_ROLES else 403
        assert login(user).get(url).status_code == expected, role


def test_status_buttons_are_refused_to_patients(client, login, people, provider, patient):
    a = book(patient, provider, today(), 10)
    url = reverse("schedule:change_status", args=[a.pk])
    assert client.post(url, {"action": "check_in"}).status_code == 302  # to the login page
    for role in ("patient", "other_patient"):
        assert login(people[role]).post(url, {"action": "check_in"}).status_code == 403
    # GET is the confirmation page: it changes nothing.
    assert login(people["coordinator"]).get(url, {"action": "check_in"}).status_code == 200
    a.refresh_from_db()
    assert a.status == S.BOOKED and not a.events.exists()


# The status changes themselves (every legal and illegal one, and their time rules) are
# tested in test_status.py (the table) and test_actions.py (the services and pages).


# --------------------------------------------------------------------------- today


def test_today_check_in_then_completed(login, clinician, provider, patient, time_machine):
    time_machine.move_to(dt.datetime.combine(DAY, dt.time(10, 5), NY), tick=False)
    a = book(patient, provider, DAY, 10)
    client = login(clinician)
    html = client.get(reverse("schedule:today")).content.decode()
    no_show = f"{reverse('schedule:change_status', args=[a.pk])}?action=no_show"
    assert 'value="check_in"' in html and no_show in html  # no-show: its confirmation page
    assert 'value="complete"' not in html and "csrfmiddlewaretoken" in html
    url = reverse("schedule:change_status", args=[a.pk])
    response = client.post(url, {"action": "check_in", "next": "/schedule/calendar/today/"})
    assert response.url == "/schedule/calendar/today/"
    a.refresh_from_db()
    assert a.status == S.CHECKED_IN
    response = client.get(reverse("schedule:today"))
    html = response.content.decode()
    assert 'value="complete"' in html and 'value="check_in"' not in html
    assert "Checked in" in html and "bi-person-check" in html  # text and icon
    client.post(url, {"action": "complete"})
    a.refresh_from_db()
    assert a.status == S.COMPLETED
    assert list(a.events.values_list("to_status", "actor")) == [
        (S.CHECKED_IN, clinician.pk),
        (S.COMPLETED, clinician.pk),
    ]


def test_an_illegal_button_press_is_a_message(login, coordinator, provider, patient):
    a = book(patient, provider, today(), 10, status=S.COMPLETED)
    client = login(coordinator)
    response = client.post(
        reverse("schedule:change_status", args=[a.pk]), {"action": "no_show"}, follow=True
    )
    assert "is completed; marking a no-show is not possible" in response.content.decode()
    response = client.post(
        reverse("schedule:change_status", args=[a.pk]), {"action": "delete"}, follow=True
    )
    assert "not something this button can do" in response.content.decode()
    a.refresh_from_db()
    assert a.status == S.COMPLETED


def test_status_change_never_redirects_off_site(login, coordinator, provider, patient):
    a = book(patient, provider, today(), 10)
    response = login(coordinator).post(
        reverse("schedule:change_status", args=[a.pk]),
        {"action": "check_in", "next": "https://evil.example/"},
    )
    assert response.url == f"{reverse('schedule:day')}?date={today().isoformat()}#appt-{a.pk}"


def test_future_appointments_can_be_moved_and_cancelled_from_the_day_list_and_grid(
    login, coordinator, provider, patient, other_patient
):
    next_month = today() + dt.timedelta(days=30)
    future = book(patient, provider, next_month, 10)
    done = book(other_patient, provider, next_month, 14, status=S.CANCELLED_CLINIC)
    client = login(coordinator)
    for view in ("grid", "list"):
        response = client.get(
            reverse("schedule:day"),
            {"date": next_month.isoformat(), "cancelled": "on", "view": view},
        )
        html = response.content.decode()
        assert f'href="{reverse("schedule:move", args=[future.pk])}?next=' in html, view
        assert f'href="{reverse("schedule:cancel", args=[future.pk])}?next=' in html, view
        assert reverse("schedule:move", args=[done.pk]) not in html  # cancelled: nothing to move
        assert 'value="check_in"' not in html  # no checking in next month's patient
    week = client.get(reverse("schedule:week"), {"date": next_month.isoformat()}).content.decode()
    assert week.count(f'href="{reverse("schedule:move", args=[future.pk])}?') == 2  # grid, list


def test_no_buttons_for_future_days_or_on_the_day_sheet(login, coordinator, provider, patient):
    tomorrow = today() + dt.timedelta(days=1)
    book(patient, provider, tomorrow, 10)
    book(patient, provider, today(), 10)
    client = login(coordinator)
    html = client.get(reverse("schedule:day"), {"date": tomorrow.isoformat()}).content.decode()
    assert 'value="check_in"' not in html
    html = client.get(reverse("schedule:day"), {"date": today().isoformat()}).content.decode()
    assert 'value="check_in"' in html
    html = client.get(reverse("schedule:day_sheet"), {"date": today().isoformat()}).content.decode()
    assert 'value="check_in"' not in html and str(patient) in html


# --------------------------------------------------------------------------- day and week


def test_day_view_shows_each_appointment_in_clinic_time(
    login, coordinator, provider, dr_patel, patient, other_patient
):
    book(patient, provider, DAY, 10)
    book(other_patient, dr_patel, DAY, 14, 30, mode="telehealth")
    book(patient, provider, DAY + dt.timedelta(days=1), 9)  # another day
    response = login(coordinator).get(reverse("schedule:day"), {"date": "2027-01-12"})
    html = response.content.decode()
    assert len(response.context["rows"]) == 2
    assert "10:00 AM–10:20 AM" in html and "2:30 PM–2:50 PM" in html
    # Dr. Patel works in Chicago: her own time is noted beside the clinic's.
    assert "Provider's time: 1:30 PM–1:50 PM CST (Central time)" in html
    assert "Alice Anderson" in html and "Charlie Chen" in html and "Follow-up" in html
    assert "Telehealth" in html and "In person" in html and "Booked" in html
    assert f"{reverse('schedule:search')}?patient={patient.pk}" in html
    assert "Time (Eastern time)" in html and "America/New_York" not in html


def test_day_view_for_one_provider(login, clinician, provider, dr_patel, patient, other_patient):
    mine = book(patient, provider, DAY, 10)
    book(other_patient, dr_patel, DAY, 11)
    response = login(clinician).get(
        reverse("schedule:day"), {"date": "2027-01-12", "provider": provider.pk}
    )
    assert [e.appointment for e in response.context["rows"]] == [mine]
    assert "Charlie Chen" not in response.content.decode()


def test_cancelled_appointments_are_hidden_unless_asked_for(login, coordinator, provider, patient):
    book(patient, provider, DAY, 10, status=S.CANCELLED_PATIENT)
    client = login(coordinator)
    assert client.get(reverse("schedule:day"), {"date": "2027-01-12"}).context["rows"] == []
    response = client.get(reverse("schedule:day"), {"date": "2027-01-12", "cancelled": "on"})
    assert len(response.context["rows"]) == 1
    assert "Cancelled by patient" in response.content.decode()


def test_day_edges_are_clinic_midnights(login, coordinator, provider, patient):
    late = book(patient, provider, DAY, 23, 30)  # 04:30 UTC the next day
    early = book(patient, provider, DAY, 0, 15)
    rows = login(coordinator).get(reverse("schedule:day"), {"date": "2027-01-12"}).context["rows"]
    assert [e.appointment for e in rows] == [early, late]


def test_day_bounds_on_dst_days_are_23_and_25_hours():
    def length(day):
        start, end = selectors.day_bounds(day)
        return end.astimezone(dt.UTC) - start.astimezone(dt.UTC)  # real, not wall-clock, time

    assert length(dt.date(2027, 3, 14)) == dt.timedelta(hours=23)
    assert length(dt.date(2027, 11, 7)) == dt.timedelta(hours=25)
    assert length(DAY) == dt.timedelta(hours=24)


@pytest.mark.parametrize(
    "query",
    [
        {"date": "2027-02-30"},
        {"date": "next tuesday"},
        {"provider": "abc"},
        {"provider": "99999999999999999999"},
        {"date": "<script>alert(1)</script>"},
        {"date": "0001-01-01"},
        {"date": "9999-12-31"},
    ],
)
@pytest.mark.parametrize("name", ["schedule:day", "schedule:week", "schedule:day_sheet"])
def test_bad_calendar_filters_are_explained_and_kept(login, coordinator, provider, name, query):
    response = login(coordinator).get(reverse(name), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "error-summary" in html and response.context["filters"] is None
    field, typed = next(iter(query.items()))
    assert response.context["form"][field].value() == typed


def test_a_nul_date_filter_is_stripped_and_shows_today(login, coordinator, provider):
    # NUL is removed from every request before views see it (clinic.core.middleware).
    response = login(coordinator).get(reverse("schedule:day"), {"date": "\x00"})
    assert response.status_code == 200
    assert response.context["form"]["date"].value() == ""


def test_week_view_groups_by_day_monday_to_sunday(
    login, coordinator, provider, dr_patel, patient, other_patient
):
    book(patient, provider, DAY, 10)  # Tuesday
    book(other_patient, dr_patel, DAY + dt.timedelta(days=3), 9)  # Friday
    book(patient, provider, DAY + dt.timedelta(days=7), 9)  # next week
    response = login(coordinator).get(reverse("schedule:week"), {"date": "2027-01-14"})
    days = response.context["days"]
    assert [d for d, _ in days] == [dt.date(2027, 1, 11) + dt.timedelta(days=i) for i in range(7)]
    assert [len(entries) for _, entries in days] == [0, 1, 0, 0, 1, 0, 0]
    html = response.content.decode()
    assert "Week of Monday, January 11, 2027, whole clinic" in html
    assert "?date=2027-01-04" in html and "?date=2027-01-18" in html  # previous / next


def test_week_view_for_one_provider(login, coordinator, provider, dr_patel, patient):
    book(patient, dr_patel, DAY, 10)
    response = login(coordinator).get(
        reverse("schedule:week"), {"date": "2027-01-12", "provider": provider.pk}
    )
    assert all(not entries for _, entries in response.context["days"])


def test_day_sheet_is_clean_for_printing(login, coordinator, provider, patient):
    book(patient, provider, DAY, 10)
    html = (
        login(coordinator)
        .get(reverse("schedule:day_sheet"), {"date": "2027-01-12", "provider": provider.pk})
        .content.decode()
    )
    assert "day sheet" in html and "Tuesday, January 12, 2027" in html and "Dr. Lee" in html
    assert "Alice Anderson" in html and "10:00 AM–10:20 AM" in html
    assert 'class="d-flex flex-wrap align-items-baseline gap-3 mb-3 no-print"' in html
    assert "clinic/print.css" in html


def _bulk_appointments(n, provider, day=DAY, start_index=0, **extra):
    """n appointments for n patients, back to back from 10:00 (no overlap, even on PostgreSQL)."""
    numbers = range(start_index, start_index + n)
    patients = User.objects.bulk_create(
        User(email=f"p{i}@example.com", first_name=f"P{i}") for i in numbers
    )
    for i, p in enumerate(patients, start=start_index):
        book(p, provider, day, 10 + i // 2, 30 * (i % 2), **extra)  # 20 min + 10 min buffer


@pytest.mark.parametrize("name", ["schedule:day", "schedule:week", "schedule:day_sheet"])
def test_query_count_does_not_grow_with_appointments(login, coordinator, provider, name):
    client = login(coordinator)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(name), {"date": "2027-01-12"})
        assert response.status_code == 200
        return len(ctx), response

    _bulk_appointments(2, provider)
    small, _ = queries()
    _bulk_appointments(18, provider, start_index=2)
    large, response = queries()
    assert small == large
    assert "P19" in response.content.decode()  # the last of the 20 is shown


def test_week_reads_in_one_round_trip_and_lists_its_patients_in_one_audit_row(
    login, coordinator, provider
):
    """Providers, appointments, the grid's inputs and the alerts banner's probe go to the
    database together (PostgreSQL; one after another elsewhere); one audit row a page."""
    from clinic.audit.models import AuditEvent

    client = login(coordinator)
    _bulk_appointments(3, provider)
    client.get(reverse("schedule:week"), {"date": "2027-01-12"})
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("schedule:week"), {"date": "2027-01-12"})
    assert response.status_code == 200 and response.context["grid"] is not None
    sqls = [q["sql"] for q in ctx.captured_queries]
    page = [s for s in sqls if "consultations_" in s or "urgentalert" in s]
    audit = [s for s in sqls if "audit_auditevent" in s]
    together = 1 if connection.vendor == "postgresql" else 4
    assert len(page) == together and len(audit) == 1
    assert len(sqls) - len(page) - len(audit) == BARE_QUERIES  # session, user, device, roles
    assert AuditEvent.objects.count() == before + 1
    # In the list view there is no grid: its inputs are not read.
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("schedule:week"), {"date": "2027-01-12", "view": "list"})
    assert response.context["grid"] is None
    assert len(ctx) == BARE_QUERIES + 1 + (1 if connection.vendor == "postgresql" else 3)


BARE_QUERIES = 4  # what any logged-in staff page reads: session, user, OTP device, roles


def test_week_shows_the_alerts_banner_its_probe_found(login, coordinator, provider, patient):
    from intake.models import Intake, UrgentAlert

    intake = Intake.objects.create(patient=patient)
    UrgentAlert.objects.create(intake=intake, kind=UrgentAlert.Kind.PHQ9_ITEM9)
    client = login(coordinator)
    page = client.get(reverse("schedule:week"), {"date": "2027-01-12"}).content.decode()
    assert 'aria-label="Urgent safety alerts"' in page
    assert f'href="{reverse("staff:intake", args=[intake.pk])}"' in page


def test_week_with_a_chosen_provider_draws_its_choices_after_reading_them(
    login, coordinator, provider, dr_patel
):
    client = login(coordinator)
    book(make_user("pp@example.com", "patient", "Pat"), dr_patel, DAY, 9)
    response = client.get(reverse("schedule:week"), {"date": "2027-01-12", "provider": dr_patel.pk})
    html = response.content.decode()
    assert response.context["filters"].provider == dr_patel
    assert f'<option value="{dr_patel.pk}" selected>Dr. Patel</option>' in html
    assert f'<option value="{provider.pk}">' in html and "Pat " in html
    bad = client.get(reverse("schedule:week"), {"date": "2027-01-12", "provider": "999999"})
    assert bad.context["filters"] is None
    assert f'<option value="{dr_patel.pk}">Dr. Patel</option>' in bad.content.decode()


def test_today_query_count_does_not_grow_with_appointments(login, coordinator, provider):
    client = login(coordinator)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("schedule:today"))
        assert response.status_code == 200
        return len(ctx)

    _bulk_appointments(2, provider, day=today(), status=S.CHECKED_IN)
    small = queries()
    _bulk_appointments(18, provider, day=today(), start_index=2)
    assert queries() == small


# --------------------------------------------------------------------------- time grid


def _cells(grid, column):
    """(first row's wall time, kind, rows spanned, label or patients) of one grid column."""
    out = []
    for row in grid.rows:
        cell = row.cells[column]
        if cell is not None:
            what = [str(e.appointment.patient) for e in cell.entries] or cell.label
            out.append((f"{row.start:%H:%M}", cell.kind, cell.rows, what))
    return out


def test_day_grid_has_a_column_per_provider_with_blocks_sized_by_duration(
    login, coordinator, provider, dr_patel, patient, other_patient
):
    from consultations.models import WorkingHours

    WorkingHours.objects.create(provider=dr_patel, weekday=1, start=dt.time(9), end=dt.time(11))
    book(patient, provider, DAY, 10)  # 20 minutes: two quarter-hour rows
    book(other_patient, dr_patel, DAY, 10, 30, kind="initial")  # 09:30-10:15 Chicago time
    response = login(coordinator).get(reverse("schedule:day"), {"date": "2027-01-12"})
    grid = response.context["grid"]
    assert [(c.title, c.provider_id) for c in grid.columns] == [
        ("Dr. Lee", provider.pk),
        ("Dr. Patel", dr_patel.pk),
        ("Infusion chairs (Main clinic)", None),
    ]
    assert f"{grid.rows[0].start:%H:%M}" == "09:00" and f"{grid.rows[-1].start:%H:%M}" == "16:45"
    assert _cells(grid, 0) == [
        ("09:00", "free", 4, "Free"),
        ("10:00", "busy", 2, ["Alice Anderson"]),
        ("10:30", "free", 6, "Free"),
        ("12:00", "shut", 4, "Not working"),
        ("13:00", "free", 16, "Free"),
    ]
    initial = AppointmentType.objects.get(kind="initial").duration_minutes
    patel = _cells(grid, 1)
    # She works 09:00-11:00 in Chicago: 10:00-12:00 in the clinic's (New York) time.
    assert patel[:3] == [
        ("09:00", "shut", 4, "Not working"),
        ("10:00", "free", 2, "Free"),
        ("10:30", "busy", -(-initial // 15), ["Charlie Chen"]),
    ]
    html = response.content.decode()
    assert 'rowspan="2" class="cal-busy"' in html and "10:00 AM–10:20 AM" in html
    assert '<th scope="col" class="cal-col-head cal-day-start">Dr. Lee</th>' in html


def test_grid_shows_time_off_and_closures_labelled(login, coordinator, provider, patient):
    from consultations.models import DateOverride

    DateOverride.objects.create(
        kind="time_off",
        provider=provider,
        start_date=DAY,
        end_date=DAY,
        start=dt.time(13),
        end=dt.time(15),
        note="Dentist",
    )
    friday = DAY + dt.timedelta(days=3)
    DateOverride.objects.create(kind="closure", start_date=friday, end_date=friday, note="Snow")
    client = login(coordinator)
    grid = client.get(reverse("schedule:day"), {"date": "2027-01-12"}).context["grid"]
    assert ("13:00", "off", 8, "Time off: Dentist") in _cells(grid, 0)
    assert ("15:00", "free", 8, "Free") in _cells(grid, 0)
    response = client.get(reverse("schedule:week"), {"date": "2027-01-12"})
    grid = response.context["grid"]
    friday_column = next(i for i, c in enumerate(grid.columns) if c.day == friday)
    assert _cells(grid, friday_column)[0][1:] == (
        "off",
        len(grid.rows),
        "Clinic closed: Snow",
    )
    assert "Clinic closed: Snow" in response.content.decode()


def test_grid_counts_infusion_chairs_over_recovery(login, coordinator, provider, dr_patel, patient):
    infusion = AppointmentType.objects.get(kind="infusion")
    start = dt.datetime.combine(DAY, dt.time(10), NY)
    chair_end = start + infusion.duration + dt.timedelta(minutes=infusion.chair_recovery_minutes)
    for who, p in ((provider, patient), (dr_patel, make_user("p2@example.com", "patient"))):
        book(p, who, DAY, 10, kind="infusion", uses_chair=True, chair_end=chair_end)
    response = login(coordinator).get(reverse("schedule:day"), {"date": "2027-01-12"})
    grid = response.context["grid"]
    chairs = [c for c in _chairs(grid) if c[1]]
    rows = -(-int((chair_end - start).total_seconds() // 60) // 15)
    assert chairs == [("10:00", 2, 4, rows)]
    assert "2/4" in response.content.decode()
    # One provider's calendar does not show the clinic's shared chairs.
    grid = (
        login(coordinator)
        .get(reverse("schedule:day"), {"date": "2027-01-12", "provider": provider.pk})
        .context["grid"]
    )
    assert [c.provider_id for c in grid.columns] == [provider.pk]


def _chairs(grid):
    column = next(i for i, c in enumerate(grid.columns) if c.provider_id is None)
    return [
        (
            f"{row.start:%H:%M}",
            row.cells[column].used,
            row.cells[column].capacity,
            row.cells[column].rows,
        )
        for row in grid.rows
        if row.cells[column] is not None
    ]


def test_week_grid_has_each_day_and_provider_and_a_list_for_small_screens(
    login, coordinator, provider, dr_patel, patient
):
    book(patient, provider, DAY, 10)
    response = login(coordinator).get(reverse("schedule:week"), {"date": "2027-01-12"})
    grid = response.context["grid"]
    # Weekdays: a column each for Dr. Lee and Dr. Patel; the weekend, nobody works: one.
    assert [span for _, span in grid.day_heads] == [2, 2, 2, 2, 2, 1, 1]
    assert [d for d, _ in grid.day_heads] == [
        dt.date(2027, 1, 11) + dt.timedelta(i) for i in range(7)
    ]
    assert [c.title for c in grid.columns[-2:]] == ["Nobody works", "Nobody works"]
    html = response.content.decode()
    assert 'class="cal-grid-wrap cal-week"' in html and "cal-list-small" in html
    assert html.count(f"?patient={patient.pk}") == 2  # once in the grid, once in the list
    listed = login(coordinator).get(
        reverse("schedule:week"), {"date": "2027-01-12", "view": "list"}
    )
    assert listed.context["grid"] is None and "cal-grid" not in listed.content.decode()
    assert "view=list" in listed.content.decode()  # paging keeps the list


def test_week_escapes_the_names_it_writes(login, coordinator, provider, patient):
    # The week's grid, list and buttons are written as f-strings (calendar_cells.py,
    # appointment_actions.py), from plain rows (calendar_rows.py): every name is escaped.
    patient.first_name, patient.last_name = "<script>x</script>", "O'Hara & Sons"
    patient.save()
    provider.display_name = '<b onclick="x">Dr</b>'
    provider.save()
    a = book(patient, provider, DAY, 10)
    a.appointment_type.name = "<i>Follow-up</i>"
    a.appointment_type.save()
    html = login(coordinator).get(reverse("schedule:week"), {"date": "2027-01-12"}).content
    html = html.decode()
    for raw in ("<script>x", "<b onclick", "<i>Follow-up", "O'Hara & Sons"):
        assert raw not in html
    name = "&lt;script&gt;x&lt;/script&gt; O&#x27;Hara &amp; Sons"
    # The patient's link in the grid and the list, and each button's screen-reader words.
    assert html.count(f">{name}</a>") == 2 and f": {name}, 10:00 AM" in html
    assert "&lt;b onclick=&quot;x&quot;&gt;Dr&lt;/b&gt;" in html
    assert "&lt;i&gt;Follow-up&lt;/i&gt;" in html


def test_week_writes_its_dashes_and_dots_as_entities_so_the_page_stays_ascii(
    login, coordinator, provider, dr_patel, patient
):
    """The grid's and list's "10:00 AM–10:20 AM" and " · " are written as &ndash; and
    &middot;: ASCII is copied and encoded a byte a character, where one en dash would make
    Python hold the whole half-megabyte week at two bytes each (and widen every piece
    joined to it). So is the layout's " · " (title and footer): one anywhere in the page
    made encoding the response walk it a character at a time (1.1 ms for the week, against
    0.02 ms for ASCII). What a reader sees is the same text."""
    from html import unescape

    book(patient, provider, DAY, 10, mode="telehealth")
    book(patient, dr_patel, DAY, 11, kind="infusion")
    html = login(coordinator).get(reverse("schedule:week"), {"date": "2027-01-12"}).content
    html = html.decode()
    assert html.isascii()  # the names here are ASCII: nothing else in the page is not
    text = unescape(html)
    assert text.count("10:00 AM–10:20 AM") >= 2  # in the grid and in the list
    assert "Follow-up · " in text and " · Dr. Patel" in text and " · Telehealth" in text
    assert "Provider's time: 10:00 AM–11:00 AM CST" in text
    assert "<title>Week of Jan 11, 2027 · " in text and '</a> · <a href="mailto:' in text


def test_grid_inputs_are_one_query_of_the_models_rows(provider, dr_patel):
    """calendar_rows.grid_inputs reads hours, time off, closures and chairs in one compiled
    statement: an inactive provider's hours and time off are left out, another provider's
    time off too, and the cuts come in the model's order (start date, start, id), which
    decides the label a row shows where two overlap."""
    from consultations import calendar_rows
    from consultations.models import Chair, DateOverride, WorkingHours

    def off(who, kind, start=None, end=None, note="", day=DAY):
        DateOverride.objects.create(
            kind=kind, provider=who, start_date=day, end_date=day, start=start, end=end, note=note
        )

    retired = Provider.objects.create(
        user=make_user("dr.old@example.com", "clinician"), display_name="Dr. Old", active=False
    )
    WorkingHours.objects.create(provider=retired, weekday=1, start=dt.time(8), end=dt.time(9))
    off(retired, "time_off", note="Retired")
    off(provider, "time_off", dt.time(14), dt.time(15), "Later")
    off(provider, "time_off", dt.time(13), dt.time(15), "Dentist")
    off(dr_patel, "time_off", note="Away")
    off(None, "closure", note="Snow", day=DAY + dt.timedelta(days=3))
    off(provider, "time_off", note="Far off", day=DAY + dt.timedelta(days=30))
    room = Location.objects.get(kind="clinic")
    rooms = Chair.objects.filter(active=True, location=room).count()
    Chair.objects.create(location=room, name="Spare", active=False)
    active = [p for p in Provider.objects.all() if p.active]
    week = (DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=5))
    for who in (None, provider):
        with CaptureQueriesContext(connection) as queries:
            inputs = calendar_rows.grid_inputs(
                provider=who, first=week[0], last=week[1], active=active
            )
        assert len(queries) == 1
        assert [pk for pk, _ in inputs["providers"]] == [p.pk for p in ([who] if who else active)]
        assert retired.pk not in inputs["working"] and retired.pk not in inputs["cuts"]
        labels = [label for _, label in inputs["cuts"][provider.pk]]
        assert labels == ["Time off: Dentist", "Time off: Later", "Clinic closed: Snow"]
        assert inputs["chair_capacity"] == rooms
        assert inputs["chair_title"] == f"Infusion chairs ({room.name})"
        # Dr. Lee's weekday hours start at 09:00: the Tuesday's first working interval.
        start, end = next(
            i for i in inputs["working"][provider.pk] if i[0].astimezone(NY).date() == DAY
        )
        assert (f"{start.astimezone(NY):%H:%M}", f"{end.astimezone(NY):%H:%M}") == (
            "09:00",
            "12:00",
        )
    every = calendar_rows.grid_inputs(provider=None, first=week[0], last=week[1], active=active)
    assert [label for _, label in every["cuts"][dr_patel.pk]] == [
        "Time off: Away",
        "Clinic closed: Snow",
    ]


def test_grid_cuts_come_in_the_models_order_whole_days_where_the_database_puts_them(
    provider,
):
    """The grid's time off and closures are labelled in DateOverride's order (start date,
    start, id), a whole day's empty start placed where this database orders NULL, and an
    entry from before the week that runs into it first."""
    from consultations import calendar_rows
    from consultations.models import DateOverride

    def off(day, start=None, end=None, note="", kind="time_off", last=None):
        DateOverride.objects.create(
            kind=kind,
            provider=None if kind == "closure" else provider,
            start_date=day,
            end_date=last or day,
            start=start,
            end=end,
            note=note,
        )

    later = DAY + dt.timedelta(days=1)
    off(later, dt.time(15), dt.time(16), "C")
    off(later, note="Whole")
    off(DAY, dt.time(13), dt.time(14), "B")
    off(later, dt.time(9), dt.time(10), "A", kind="closure")
    off(DAY - dt.timedelta(days=9), note="Long", last=DAY)
    off(later, dt.time(9), dt.time(10), "A again")
    first, last = DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=5)
    inputs = calendar_rows.grid_inputs(provider=provider, first=first, last=last, active=[provider])
    labels = list(dict.fromkeys(label for _, label in inputs["cuts"][provider.pk]))
    model = DateOverride.objects.overlapping(first - dt.timedelta(days=1), last)
    assert labels == [calendar_rows._override_label(o.kind, o.note) for o in model]
    assert len(labels) == 6


@pytest.mark.parametrize("name", ["schedule:day", "schedule:week"])
def test_grid_query_count_is_constant_in_appointments_providers_and_time_off(
    login, coordinator, provider, name
):
    from consultations.models import DateOverride, WorkingHours

    client = login(coordinator)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(name), {"date": "2027-01-12"})
        assert response.status_code == 200 and response.context["grid"] is not None
        return len(ctx), response

    _bulk_appointments(2, provider)
    small, _ = queries()
    _bulk_appointments(18, provider, start_index=2)
    for i in range(3):
        user = make_user(f"dr{i}@example.com", "clinician", f"Doc{i}", "Extra")
        other = Provider.objects.create(user=user, display_name=f"Dr. Extra {i}")
        WorkingHours.objects.create(provider=other, weekday=1, start=dt.time(8), end=dt.time(18))
        DateOverride.objects.create(
            kind="time_off", provider=other, start_date=DAY, end_date=DAY + dt.timedelta(days=9)
        )
        for hour in (9, 11, 14):
            book(make_user(f"q{i}{hour}@example.com", "patient"), other, DAY, hour)
    large, response = queries()
    assert small == large
    assert len({c.provider_id for c in response.context["grid"].columns}) >= 4
    assert "P19" in response.content.decode()


# --------------------------------------------------------------------------- search


def test_search_by_name_or_email_lists_that_patients_appointments(
    login, clinician, provider, patient, other_patient
):
    mine = book(patient, provider, DAY, 10)
    older = book(patient, provider, DAY - dt.timedelta(days=30), 10, status=S.COMPLETED)
    book(other_patient, provider, DAY, 11)
    client = login(clinician)
    for q in ("alice", "Anderson", "ALICE ANDERSON", "alice@example"):
        response = client.get(reverse("schedule:search"), {"q": q})
        assert [e.appointment for e in response.context["entries"]] == [mine, older], q
    html = response.content.decode()
    assert "Charlie" not in html and "Completed" in html
    assert f"?date=2027-01-12#appt-{mine.pk}" in html


def test_search_by_patient_link(login, coordinator, provider, patient, other_patient):
    book(patient, provider, DAY, 10)
    theirs = book(other_patient, provider, DAY, 11)
    response = login(coordinator).get(reverse("schedule:search"), {"patient": other_patient.pk})
    assert [e.appointment for e in response.context["entries"]] == [theirs]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"q": "a"}, "Type at least 2 letters"),
        ({"q": "x" * 101}, "at most 100 characters"),
        ({"patient": "²"}, "Enter a whole number"),
        ({"patient": "99999999999999999999"}, "less than or equal to"),
    ],
)
def test_bad_search_input_is_explained(login, coordinator, query, message):
    response = login(coordinator).get(reverse("schedule:search"), query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not response.context["searched"]


def test_search_with_no_match(login, coordinator, provider, patient):
    book(patient, provider, DAY, 10)
    response = login(coordinator).get(reverse("schedule:search"), {"q": "nobody-here"})
    assert "No appointments found" in response.content.decode()


def test_today_is_always_today(login, coordinator, provider, patient):
    a = book(patient, provider, today(), 10)
    response = login(coordinator).get(reverse("schedule:today"), {"date": "2020-01-01x"})
    assert [e.appointment for e in response.context["rows"]] == [a]
    assert "error-summary" not in response.content.decode()


def test_grid_on_the_night_clocks_spring_forward_reads_every_row_in_wall_time():
    """2026-03-08, New York: 02:00-03:00 does not exist. Its rows are still drawn (the grid
    is wall time) and each is free, busy or shut as the intervals overlap it."""
    from consultations import calendar_grid

    night = dt.date(2026, 3, 8)

    class Booked:
        def __init__(self, start, minutes):
            self.appointment = type("A", (), {"provider_id": 1, "patient": "Pat"})()
            self.start = start
            self.end = start + dt.timedelta(minutes=minutes)

    def wall(hour, minute=0):
        return dt.datetime.combine(night, dt.time(hour, minute), NY)

    entry = Booked(wall(4), 30)  # 04:00-04:30 EDT
    grid = calendar_grid.build(
        days=[night],
        providers=[(1, "Dr. Lee")],
        entries=[entry],
        working={1: [(wall(1).astimezone(dt.UTC), wall(5).astimezone(dt.UTC))]},
        cuts={},
        time_zone="America/New_York",
    )
    column = _cells(grid, 0)
    assert column[0] == ("01:00", "free", 12, "Free")  # 01:00 ... 03:45 wall rows, all free
    assert ("04:00", "busy", 2, ["Pat"]) in column
    assert column[-1] == ("04:30", "free", 2, "Free")


def test_grid_cells_that_read_alike_are_one_and_a_grid_without_columns_keeps_its_rows():
    """Cells without appointments that say and span the same are one object (the grid is
    read, never written); a grid with no provider and no chairs still has its time rows."""
    from consultations import calendar_grid

    def at(hour):
        return dt.datetime.combine(DAY, dt.time(hour), NY)

    hours = [(at(9), at(17))]
    grid = calendar_grid.build(
        days=[DAY],
        providers=[(1, "Dr. Lee"), (2, "Dr. Patel")],
        entries=[],
        working={1: hours, 2: hours},
        cuts={},
        time_zone="America/New_York",
    )
    assert _cells(grid, 0) == _cells(grid, 1)
    assert all(row.cells[0] is row.cells[1] for row in grid.rows)
    empty = calendar_grid.build(
        days=[DAY], providers=[], entries=[], working={}, cuts={}, time_zone="America/New_York"
    )
    assert len(empty.rows) == 40 and all(row.cells == [] for row in empty.rows)  # 8 to 18


def test_grid_reads_intervals_across_midnight_on_each_day_they_touch():
    """A night's working hours, a time off over several days and an infusion's chair time
    past midnight each show on every day of the grid they reach, and only there."""
    from consultations import calendar_grid

    first = dt.date(2027, 1, 12)

    def at(day, hour, minute=0):
        return dt.datetime.combine(first + dt.timedelta(days=day), dt.time(hour, minute), NY)

    grid = calendar_grid.build(
        days=[first, first + dt.timedelta(days=1), first + dt.timedelta(days=2)],
        providers=[(1, "Dr. Lee")],
        entries=[],
        working={1: [(at(0, 20), at(1, 2))]},  # 20:00 to 02:00 the next morning
        cuts={1: [((at(1, 12), at(3, 0)), "Time off")]},  # noon on day 2 to the end of day 3
        time_zone="America/New_York",
        chair_windows=[(at(0, 23), at(1, 1))],
        chair_capacity=2,
    )
    assert [c.kind for c in grid.columns] == ["provider", "chairs"] * 3
    assert grid.rows[0].start.hour == 0 and grid.rows[-1].start.hour == 23  # the whole day
    day1, day2, day3 = (_cells(grid, i) for i in (0, 2, 4))
    assert day1 == [("00:00", "shut", 80, "Not working"), ("20:00", "free", 16, "Free")]
    assert day2 == [
        ("00:00", "free", 8, "Free"),
        ("02:00", "shut", 40, "Not working"),
        ("12:00", "off", 48, "Time off"),
    ]
    assert day3 == [("00:00", "off", 96, "Time off")]
    chairs = [
        [(c.rows, c.used) for row in grid.rows if (c := row.cells[i]) is not None]
        for i in (1, 3, 5)
    ]
    assert chairs == [[(92, 0), (4, 1)], [(4, 1), (92, 0)], [(96, 0)]]


def test_week_rows_read_each_appointments_times_exactly(provider, patient):
    """calendar_rows reads the times as epoch seconds on PostgreSQL: to the microsecond."""
    from consultations import calendar_rows

    a = book(patient, provider, DAY, 10)
    odd = dt.timedelta(microseconds=123457)
    Appointment.objects.filter(pk=a.pk).update(
        start=a.start + odd, end=a.end + odd, chair_end=a.end + 2 * odd
    )
    a.refresh_from_db()
    start, end = selectors.day_bounds(DAY)
    (row,) = calendar_rows.week(start=start, end=end)
    assert (row.pk, row.start, row.end, row.chair_end) == (a.pk, a.start, a.end, a.chair_end)
    assert row.start.microsecond == 123457 and row.start.tzinfo == NY  # clinic time
    assert (row.appointment, row.day, row.when) == (row, DAY, "10:00 AM–10:20 AM")
    assert str(row.patient) == str(a.patient) and str(row.provider) == str(a.provider)


def test_week_rows_from_the_compiled_statement_are_the_querysets(
    provider, dr_patel, patient, other_patient
):
    """calendar_rows compiles the week's query once a shape (one provider or all, cancelled
    or not) and puts each week's values in: the rows are the queryset's."""
    from consultations import calendar_rows

    book(patient, provider, DAY, 10)
    book(other_patient, dr_patel, DAY + dt.timedelta(days=1), 11)
    book(patient, dr_patel, DAY + dt.timedelta(days=2), 9, status=S.CANCELLED_CLINIC)
    book(other_patient, provider, DAY + dt.timedelta(days=7), 14)  # the week after
    for first in (DAY, DAY + dt.timedelta(days=7), DAY):
        start, end = selectors.day_bounds(first, first + dt.timedelta(days=6))
        for who in (None, provider, dr_patel):
            for cancelled in (False, True):
                shape = {"provider": who, "include_cancelled": cancelled}
                rows = calendar_rows.week(start=start, end=end, **shape)
                expected = selectors.appointments(start=start, end=end, **shape)
                assert [(r.pk, r.status, r.start, r.end, r.provider_id) for r in rows] == [
                    (a.pk, a.status, a.start, a.end, a.provider_id) for a in expected
                ], (first, who, cancelled)


def test_the_week_works_out_each_appointments_words_and_buttons_once(
    login, coordinator, provider, patient, other_patient, monkeypatch
):
    """The grid and the list under it share one page _Sheet (calendar_cells._sheet)."""
    from consultations.templatetags import appointment_actions, calendar_cells

    made = []
    drawn = []
    words, draw = calendar_cells._Words, appointment_actions._draw
    monkeypatch.setattr(calendar_cells, "_Words", lambda e, s: made.append(e) or words(e, s))
    monkeypatch.setattr(appointment_actions, "_draw", lambda *a: drawn.append(a) or draw(*a))
    book(patient, provider, DAY, 10)
    book(other_patient, provider, DAY, 11)
    html = login(coordinator).get(reverse("schedule:week"), {"date": "2027-01-12"}).content
    assert html.decode().count('id="appt-') == 2  # the grid's blocks (the list has none)
    assert len(made) == 2 and len(drawn) == 2
