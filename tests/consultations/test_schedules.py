"""Schedule pages: providers, working hours, date overrides, types, locations, settings."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from clinic.core.models import ClinicSettings
from consultations.models import (
    Appointment,
    AppointmentType,
    Chair,
    DateOverride,
    Location,
    Provider,
    WorkingHours,
)
from consultations.schedule_forms import MAX_HOURS_ROWS, WorkingHoursFormSet
from tests.conftest import make_user

NY = ZoneInfo("America/New_York")


def next_weekday(weekday: int, weeks_ahead: int = 1) -> dt.date:
    """A date `weeks_ahead` weeks from now falling on `weekday` (always in the future)."""
    today = timezone.now().astimezone(NY).date()
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


def book(patient, provider, day: dt.date, hour: int, minute: int = 0, kind="follow_up", **extra):
    """An appointment made straight in the database, as the booking service would store it."""
    t = AppointmentType.objects.get(kind=kind)
    start = dt.datetime.combine(day, dt.time(hour, minute), NY)
    end = start + t.duration
    return Appointment.objects.create(
        patient=patient,
        provider=provider,
        appointment_type=t,
        kind=t.kind,
        location=Location.objects.get(kind="clinic"),
        mode="in_person",
        start=start,
        end=end,
        block_start=start - dt.timedelta(minutes=t.buffer_before_minutes),
        block_end=end + dt.timedelta(minutes=t.buffer_after_minutes),
        **extra,
    )


# --------------------------------------------------------------------------- access

SCHEDULE_PAGES = [
    ("schedule:home", {}),
    ("schedule:providers", {}),
    ("schedule:provider_create", {}),
    ("schedule:provider_edit", {"pk": "PROVIDER"}),
    ("schedule:provider_hours", {"pk": "PROVIDER"}),
    ("schedule:overrides", {}),
    ("schedule:holidays", {}),
    ("schedule:types", {}),
    ("schedule:type_create", {}),
    ("schedule:type_edit", {"pk": "TYPE"}),
    ("schedule:locations", {}),
    ("schedule:location_create", {}),
    ("schedule:location_edit", {"pk": "LOCATION"}),
    ("schedule:chairs", {"pk": "LOCATION"}),
    ("schedule:opening_hours", {"pk": "LOCATION"}),
    ("schedule:chair_rename", {"pk": "CHAIR"}),
    ("schedule:chair_change", {"pk": "CHAIR", "action": "DEACTIVATE"}),
    ("schedule:chair_change", {"pk": "CHAIR", "action": "REMOVE"}),
]
ALLOWED = {"coordinator", "clinic_admin"}


def _url(name, kwargs, provider):
    ids = {
        "PROVIDER": provider.pk,
        "TYPE": AppointmentType.objects.first().pk,
        "LOCATION": Location.objects.first().pk,  # the main clinic (clinics sort first)
        "CHAIR": Chair.objects.first().pk,
        "DEACTIVATE": "deactivate",
        "REMOVE": "remove",
    }
    return reverse(name, kwargs={k: ids[v] for k, v in kwargs.items()})


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULE_PAGES)
def test_schedule_pages_are_for_coordinators_and_clinic_admins(
    client, login, people, provider, name, kwargs
):
    url = _url(name, kwargs, provider)
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for role, user in people.items():
        status = login(user).get(url).status_code
        assert status == (200 if role in ALLOWED else 403), (role, url)


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULE_PAGES)
def test_schedule_pages_refuse_posts_from_patients_and_clinicians(
    login, people, provider, name, kwargs
):
    url = _url(name, kwargs, provider)
    for role in ("patient", "other_patient", "clinician"):
        assert login(people[role]).post(url, {}).status_code == 403


def test_override_delete_is_post_only_and_for_schedulers(login, people, provider):
    o = DateOverride.objects.create(
        kind="time_off", provider=provider, start_date=next_weekday(0), end_date=next_weekday(0)
    )
    url = reverse("schedule:override_delete", args=[o.pk])
    for role in ("patient", "other_patient", "clinician"):
        assert login(people[role]).post(url).status_code == 403
    assert login(people["coordinator"]).get(url).status_code == 405
    assert DateOverride.objects.filter(pk=o.pk).exists()


def test_clinic_settings_are_for_clinic_admins_only(client, login, people):
    url = reverse("clinic_settings:cancellation_window")
    assert client.get(url).status_code == 302
    for role, user in people.items():
        expected = 200 if role == "clinic_admin" else 403
        assert login(user).get(url).status_code == expected, role
        assert login(user).post(url, {"cancellation_window_hours": "1"}).status_code in (
            expected,
            302,
        )
    assert ClinicSettings.load().cancellation_window_hours == 1  # only the admin's post landed


def test_nav_links_follow_permissions(login, people):
    html = login(people["clinician"]).get(reverse("staff:dashboard")).content.decode()
    assert reverse("schedule:today") in html and 'href="/schedule/">Schedule' not in html
    html = login(people["coordinator"]).get(reverse("staff:dashboard")).content.decode()
    assert reverse("schedule:today") in html and 'href="/schedule/">Schedule' in html


# --------------------------------------------------------------------------- providers


def test_coordinator_adds_a_provider_for_a_clinician(login, coordinator, clinician):
    response = login(coordinator).post(
        reverse("schedule:provider_create"),
        {
            "user": clinician.pk,
            "display_name": "Dr. Morgan Lee",
            "time_zone": "America/Chicago",
            "active": "on",
        },
    )
    provider = Provider.objects.get(user=clinician)
    assert response.url == reverse("schedule:provider_hours", args=[provider.pk])
    assert provider.time_zone == "America/Chicago" and provider.active


def test_provider_form_offers_only_active_clinicians_without_a_schedule(
    login, coordinator, clinician, patient, provider
):
    free = make_user("dr.patel@example.com", "clinician", "Priya", "Patel")
    make_user("gone@example.com", "clinician", "Gone", "Away", is_active=False)
    form = login(coordinator).get(reverse("schedule:provider_create")).context["form"]
    assert list(form.fields["user"].queryset) == [free]
    response = login(coordinator).post(
        reverse("schedule:provider_create"),
        {"user": patient.pk, "display_name": "Alice", "time_zone": "America/New_York"},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Provider.objects.filter(user=patient).exists()


def test_provider_time_zone_defaults_to_the_clinics_and_lists_common_zones(login, coordinator):
    html = login(coordinator).get(reverse("schedule:provider_create")).content.decode()
    assert 'value="America/New_York"' in html  # the clinic's, pre-filled
    assert '<datalist id="time-zones">' in html and "America/Los_Angeles" in html


@pytest.mark.parametrize("bad", ["Mars/Olympus_Mons", "localtime", "../../etc/passwd", "EST5"])
def test_an_unknown_time_zone_is_refused_next_to_the_field_and_kept(
    login, coordinator, clinician, bad
):
    response = login(coordinator).post(
        reverse("schedule:provider_create"),
        {"user": clinician.pk, "display_name": "Dr. Lee", "time_zone": bad},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "is not a time zone name" in html and "error-summary" in html
    assert response.context["form"]["time_zone"].value() == bad
    assert not Provider.objects.exists()


def test_any_iana_zone_is_accepted(login, coordinator, provider):
    login(coordinator).post(
        reverse("schedule:provider_edit", args=[provider.pk]),
        {"user": provider.user_id, "display_name": "Dr. Lee", "time_zone": "Europe/London"},
    )
    provider.refresh_from_db()
    assert provider.time_zone == "Europe/London" and not provider.active  # box left unticked


# --------------------------------------------------------------------------- working hours


def _hours_post(provider, rows, existing=()):
    """Formset data: `existing` are (pk, fields, delete) rows, `rows` new ones."""
    data = {
        "hours-TOTAL_FORMS": str(len(existing) + len(rows)),
        "hours-INITIAL_FORMS": str(len(existing)),
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
    }
    all_rows = [(pk, fields, delete) for pk, fields, delete in existing] + [
        (None, fields, False) for fields in rows
    ]
    for i, (pk, fields, delete) in enumerate(all_rows):
        prefix = f"hours-{i}-"
        data[prefix + "provider"] = str(provider.pk)
        data[prefix + "id"] = str(pk) if pk else ""
        for key, value in fields.items():
            data[prefix + key] = value
        if delete:
            data[prefix + "DELETE"] = "on"
    return data


def _row(weekday, start, end, valid_from="", valid_to=""):
    return {
        "weekday": str(weekday),
        "start": start,
        "end": end,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


@pytest.fixture
def bare_provider(clinician):
    return Provider.objects.create(user=clinician, display_name="Dr. Lee")


def test_several_intervals_a_day_are_saved(login, coordinator, bare_provider):
    url = reverse("schedule:provider_hours", args=[bare_provider.pk])
    response = login(coordinator).post(
        url, _hours_post(bare_provider, [_row(0, "08:00", "12:00"), _row(0, "13:00", "17:00")])
    )
    assert response.status_code == 302
    assert [(h.start, h.end) for h in bare_provider.hours.all()] == [
        (dt.time(8), dt.time(12)),
        (dt.time(13), dt.time(17)),
    ]


def test_end_before_start_is_refused_next_to_the_field_with_typed_values_kept(
    login, coordinator, bare_provider
):
    url = reverse("schedule:provider_hours", args=[bare_provider.pk])
    response = login(coordinator).post(url, _hours_post(bare_provider, [_row(1, "14:00", "09:30")]))
    assert response.status_code == 200
    form = response.context["formset"].forms[0]
    assert form.errors["end"] == ["The end time must be after the start time."]
    html = response.content.decode()
    assert 'value="14:00"' in html and 'value="09:30"' in html and "error-summary" in html
    assert not WorkingHours.objects.exists()


def test_overlapping_intervals_on_one_weekday_are_refused(login, coordinator, bare_provider):
    url = reverse("schedule:provider_hours", args=[bare_provider.pk])
    response = login(coordinator).post(
        url, _hours_post(bare_provider, [_row(2, "08:00", "12:00"), _row(2, "11:00", "15:00")])
    )
    errors = response.context["formset"].forms[1].errors["start"]
    assert errors and "Overlaps Wednesday 08:00–12:00 (row 1)" in errors[0]
    assert not WorkingHours.objects.exists()


def test_overlapping_times_in_separate_date_ranges_are_allowed(login, coordinator, bare_provider):
    url = reverse("schedule:provider_hours", args=[bare_provider.pk])
    rows = [
        _row(2, "08:00", "12:00", valid_to="2027-05-31"),
        _row(2, "09:00", "17:00", valid_from="2027-06-01"),
        _row(3, "09:00", "17:00"),  # another weekday never clashes
    ]
    assert login(coordinator).post(url, _hours_post(bare_provider, rows)).status_code == 302
    assert bare_provider.hours.count() == 3


def test_overlap_with_an_existing_interval_counts_and_deleted_rows_do_not(
    login, coordinator, bare_provider
):
    old = WorkingHours.objects.create(
        provider=bare_provider, weekday=4, start=dt.time(9), end=dt.time(17)
    )
    url = reverse("schedule:provider_hours", args=[bare_provider.pk])
    existing = [(old.pk, _row(4, "09:00", "17:00"), False)]
    response = login(coordinator).post(
        url, _hours_post(bare_provider, [_row(4, "16:00", "18:00")], existing)
    )
    assert response.status_code == 200 and response.context["formset"].forms[1].errors
    existing = [(old.pk, _row(4, "09:00", "17:00"), True)]
    response = login(coordinator).post(
        url, _hours_post(bare_provider, [_row(4, "16:00", "18:00")], existing)
    )
    assert response.status_code == 302
    assert [(h.start, h.end) for h in bare_provider.hours.all()] == [(dt.time(16), dt.time(18))]


def test_valid_until_before_valid_from_is_refused(bare_provider):
    formset = WorkingHoursFormSet(
        _hours_post(bare_provider, [_row(0, "08:00", "12:00", "2027-02-01", "2027-01-01")]),
        instance=bare_provider,
        prefix="hours",
    )
    assert not formset.is_valid()
    assert "Valid until" in formset.forms[0].errors["valid_to"][0]


@pytest.mark.parametrize(
    "fields",
    [
        _row(9, "08:00", "12:00"),
        _row("x", "8am", "noon"),
        _row(0, "25:00", "26:00"),
        _row(0, "", "12:00"),
        _row(0, "08:00", "12:00", "2027-02-30", "yesterday"),
        _row(0, "08:00" * 200, "<script>", "\x00", "9" * 40),
    ],
)
def test_bad_hours_input_never_breaks_the_page(login, coordinator, bare_provider, fields):
    url = reverse("schedule:provider_hours", args=[bare_provider.pk])
    response = login(coordinator).post(url, _hours_post(bare_provider, [fields]))
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    assert not WorkingHours.objects.exists()


def test_broken_management_form_is_a_message_not_a_crash(login, coordinator, bare_provider):
    url = reverse("schedule:provider_hours", args=[bare_provider.pk])
    response = login(coordinator).post(url, {"hours-TOTAL_FORMS": "many"})
    assert response.status_code == 200 and "error-summary" in response.content.decode()


def test_bookings_outside_new_hours_are_listed_not_dropped(
    login, coordinator, provider, patient, other_patient
):
    monday = next_weekday(0)
    morning = book(patient, provider, monday, 10)
    afternoon = book(other_patient, provider, monday, 15)
    client = login(coordinator)
    url = reverse("schedule:provider_hours", args=[provider.pk])
    assert client.get(url).context["outside"] == []
    # Mondays become mornings only: the 3 pm booking no longer fits.
    afternoon_hours = provider.hours.get(weekday=0, start=dt.time(13))
    morning_hours = provider.hours.get(weekday=0, start=dt.time(9))
    existing = [
        (morning_hours.pk, _row(0, "09:00", "12:00"), False),
        (afternoon_hours.pk, _row(0, "13:00", "17:00"), True),
    ]
    response = client.post(url, _hours_post(provider, [], existing), follow=True)
    outside = response.context["outside"]
    assert [e.appointment for e in outside] == [afternoon]
    html = response.content.decode()
    assert "1 upcoming booking falls outside the hours now set" in html
    assert f"date={monday:%Y-%m-%d}&amp;provider={provider.pk}#appt-{afternoon.pk}" in html
    # Moved or cancelled straight from the warning, as from the calendar.
    assert f'href="{reverse("schedule:move", args=[afternoon.pk])}?' in html
    assert f'href="{reverse("schedule:cancel", args=[afternoon.pk])}?' in html
    afternoon.refresh_from_db()
    morning.refresh_from_db()
    # Still there, for a person to move.
    assert afternoon.status == morning.status == Appointment.Status.BOOKED


def test_schedule_overview_lists_bookings_of_every_provider_outside_hours(
    login, clinic_admin, provider, patient
):
    saturday = next_weekday(5)
    appointment = book(patient, provider, saturday, 10)
    response = login(clinic_admin).get(reverse("schedule:home"))
    assert [e.appointment for e in response.context["outside"]] == [appointment]


# --------------------------------------------------------------------------- overrides


def _override(**fields):
    base = {
        "kind": "time_off",
        "provider": "",
        "start_date": "",
        "end_date": "",
        "start": "",
        "end": "",
        "note": "",
    }
    return {**base, **fields}


def test_time_off_over_bookings_warns_with_the_list_then_adds_once_seen(
    login, coordinator, provider, patient
):
    tuesday = next_weekday(1)
    affected = book(patient, provider, tuesday, 10)
    book(patient, provider, tuesday, 15)  # the afternoon is still worked
    data = _override(
        provider=provider.pk,
        start_date=tuesday.isoformat(),
        start="09:00",
        end="12:00",
        note="Dentist",
    )
    client = login(coordinator)
    response = client.post(reverse("schedule:overrides"), data)
    assert response.status_code == 200 and not DateOverride.objects.exists()
    assert [e.appointment for e in response.context["affected"]] == [affected]
    html = response.content.decode()
    assert "1 booked appointment falls in this time off" in html and "Alice Anderson" in html
    assert response.context["form"]["note"].value() == "Dentist"  # the typing is kept
    response = client.post(
        reverse("schedule:overrides"), {**data, "affected_seen": str(affected.pk)}, follow=True
    )
    o = DateOverride.objects.get()
    assert (o.kind, o.provider, o.start, o.end) == ("time_off", provider, dt.time(9), dt.time(12))
    assert (o.start_date, o.end_date) == (tuesday, tuesday)  # an empty last day: one day
    assert [e.appointment for e in response.context["outside"]] == [affected]
    html = response.content.decode()
    assert "Dentist" in html and "1 booked appointment in it is still booked" in html


def test_a_confirmation_for_other_bookings_warns_again(login, coordinator, provider, patient):
    monday = next_weekday(0)
    first = book(patient, provider, monday, 10)
    book(patient, provider, monday + dt.timedelta(days=2), 10)
    data = _override(
        provider=provider.pk,
        start_date=monday.isoformat(),
        end_date=(monday + dt.timedelta(days=4)).isoformat(),
        affected_seen=str(first.pk),  # seen for Monday only; the range now covers Wednesday
    )
    response = login(coordinator).post(reverse("schedule:overrides"), data)
    assert len(response.context["affected"]) == 2 and not DateOverride.objects.exists()


def test_clinic_closure_is_clinic_wide(login, coordinator, provider, patient):
    day = next_weekday(3)
    affected = book(patient, provider, day, 10)
    client = login(coordinator)
    response = client.post(
        reverse("schedule:overrides"),
        _override(kind="closure", provider=provider.pk, start_date=day.isoformat(), note="Holiday"),
    )
    assert "A clinic closure applies to everyone" in response.content.decode()
    assert response.context["form"]["note"].value() == "Holiday"
    data = _override(kind="closure", start_date=day.isoformat(), note="Holiday")
    response = client.post(reverse("schedule:overrides"), data)
    assert [e.appointment for e in response.context["affected"]] == [affected]
    response = client.post(
        reverse("schedule:overrides"), {**data, "affected_seen": str(affected.pk)}, follow=True
    )
    assert DateOverride.objects.get().provider is None
    assert [e.appointment for e in response.context["outside"]] == [affected]


def test_a_two_week_vacation_is_one_entry_closing_every_day_of_it(
    login, coordinator, provider, patient
):
    from consultations import selectors

    monday = next_weekday(0)
    last = monday + dt.timedelta(days=11)  # Friday of the next week
    response = login(coordinator).post(
        reverse("schedule:overrides"),
        _override(
            provider=provider.pk,
            start_date=monday.isoformat(),
            end_date=last.isoformat(),
            note="Vacation",
        ),
        follow=True,
    )
    o = DateOverride.objects.get()
    assert (o.start_date, o.end_date, o.days) == (monday, last, 12)
    html = response.content.decode()
    assert f"{monday:%a %b %-d, %Y} – {last:%a %b %-d, %Y}" in html and "12 days" in html
    follow_up = AppointmentType.objects.get(kind="follow_up")
    now = timezone.now()
    slots = selectors.available_slots(
        appointment_type=follow_up,
        provider_ids=[provider.pk],
        start_date=monday - dt.timedelta(days=7),
        end_date=last + dt.timedelta(days=7),
        now=now,
    )
    days = {s.start.astimezone(NY).date() for s in slots}
    assert not days & {monday + dt.timedelta(days=i) for i in range(12)}
    assert monday - dt.timedelta(days=7) in days and last + dt.timedelta(days=3) in days


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"end_date": "FIRST-1"}, "end_date", "The last day must be on or after the first day"),
        ({"end_date": "FIRST+400"}, "end_date", "At most 366 days in one entry"),
    ],
)
def test_bad_ranges_are_explained_next_to_the_last_day(
    login, coordinator, provider, fields, field, message
):
    first = next_weekday(1)
    offset = int(fields["end_date"].removeprefix("FIRST"))
    data = _override(
        provider=provider.pk,
        start_date=first.isoformat(),
        end_date=(first + dt.timedelta(days=offset)).isoformat(),
        note="Typed",
    )
    response = login(coordinator).post(reverse("schedule:overrides"), data)
    assert response.status_code == 200 and not DateOverride.objects.exists()
    assert message in response.context["form"].errors[field][0]
    assert response.context["form"]["note"].value() == "Typed"
    assert "error-summary" in response.content.decode()


@pytest.mark.parametrize(
    ("existing", "new", "refused"),
    [
        # (kind, first offset, last offset, start, end) for the same provider
        (("time_off", 0, 4, None, None), ("time_off", 3, 8, None, None), True),
        (("time_off", 0, 4, None, None), ("extra_hours", 2, 2, "18:00", "19:00"), True),
        (("time_off", 0, 4, "09:00", "12:00"), ("time_off", 2, 6, "13:00", "17:00"), False),
        (("time_off", 0, 4, "09:00", "12:00"), ("time_off", 2, 6, "11:00", "13:00"), True),
        (("time_off", 0, 4, None, None), ("time_off", 5, 8, None, None), False),
        (("closure", 0, 0, None, None), ("time_off", 0, 0, None, None), False),
        (("closure", 0, 2, None, None), ("closure", 2, 3, None, None), True),
    ],
)
def test_overlapping_entries_are_refused_naming_the_one_they_overlap(
    login, coordinator, provider, existing, new, refused
):
    first = next_weekday(0)

    def fields(kind, a, b, start, end):
        return {
            "kind": kind,
            "provider": None if kind == "closure" else provider,
            "start_date": first + dt.timedelta(days=a),
            "end_date": first + dt.timedelta(days=b),
            "start": start and dt.time.fromisoformat(start),
            "end": end and dt.time.fromisoformat(end),
        }

    DateOverride.objects.create(**fields(*existing), note="Conference")
    data = {k: ("" if v is None else getattr(v, "pk", v)) for k, v in fields(*new).items()}
    data = _override(
        **{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}
    )
    response = login(coordinator).post(reverse("schedule:overrides"), data)
    if refused:
        error = response.context["form"].errors["start_date"][0]
        assert error.startswith("Overlaps ") and "(Conference), already entered" in error
        assert DateOverride.objects.count() == 1
    else:
        assert response.status_code == 302 and DateOverride.objects.count() == 2


def test_extra_hours_need_a_provider_and_times(login, coordinator, provider):
    day = next_weekday(5).isoformat()
    response = login(coordinator).post(
        reverse("schedule:overrides"), _override(kind="extra_hours", start_date=day)
    )
    errors = response.context["form"].errors
    assert "Choose whose time off" in errors["provider"][0]
    assert errors["start"] == errors["end"] == ["Extra hours need a start and an end time."]
    response = login(coordinator).post(
        reverse("schedule:overrides"),
        _override(
            kind="extra_hours", provider=provider.pk, start_date=day, start="10:00", end="14:00"
        ),
    )
    assert response.status_code == 302 and DateOverride.objects.get().kind == "extra_hours"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"start": "12:00", "end": "09:00"}, "end", "The end time must be after"),
        ({"start": "12:00"}, "end", "Give both times"),
        ({"end": "12:00"}, "start", "Give both times"),
        ({"start_date": "2020-01-01"}, "start_date", "Choose today or a later date"),
        ({"start_date": "tomorrow"}, "start_date", "Enter a valid date"),
        ({"end_date": "tomorrow"}, "end_date", "Enter a valid date"),
        ({"kind": "holiday"}, "kind", "Select a valid choice"),
        ({"provider": "99999999999999999999"}, "provider", "Select a valid choice"),
    ],
)
def test_bad_override_input_is_explained_next_to_the_field(
    login, coordinator, provider, fields, field, message
):
    data = _override(
        **{"provider": provider.pk, "start_date": next_weekday(1).isoformat(), **fields}
    )
    response = login(coordinator).post(reverse("schedule:overrides"), data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert not DateOverride.objects.exists()


def test_override_delete(login, coordinator, provider):
    o = DateOverride.objects.create(
        kind="time_off", provider=provider, start_date=next_weekday(2), end_date=next_weekday(2)
    )
    response = login(coordinator).post(reverse("schedule:override_delete", args=[o.pk]))
    assert response.url == reverse("schedule:overrides")
    assert not DateOverride.objects.exists()
    response = login(coordinator).post(reverse("schedule:override_delete", args=[o.pk]))
    assert response.status_code == 404


def test_override_list_shows_upcoming_only(login, coordinator, provider):
    DateOverride.objects.create(
        kind="closure",
        start_date=next_weekday(0),
        end_date=next_weekday(0),
        note="Upcoming closure",
    )
    DateOverride.objects.create(
        kind="closure",
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2020, 1, 1),
        note="Long ago",
    )
    html = login(coordinator).get(reverse("schedule:overrides")).content.decode()
    assert "Upcoming closure" in html and "Long ago" not in html and "Whole clinic" in html


# --------------------------------------------------------------------------- types


def _type_data(**fields):
    base = {
        "name": "Ketamine booster",
        "kind": "infusion",
        "active": "on",
        "duration_minutes": "40",
        "buffer_before_minutes": "10",
        "buffer_after_minutes": "10",
        "min_notice_hours": "48",
        "horizon_days": "30",
        "mode": "in_person",
        "bookable_by": "staff",
        "requires_approved_intake": "on",
        "uses_chair": "on",
        "chair_recovery_minutes": "30",
    }
    return {**base, **fields}


def test_create_and_edit_an_appointment_type(login, coordinator):
    client = login(coordinator)
    response = client.post(reverse("schedule:type_create"), _type_data())
    assert response.url == reverse("schedule:types")
    t = AppointmentType.objects.get(name="Ketamine booster")
    assert (t.duration_minutes, t.buffer_before_minutes, t.min_notice_hours, t.horizon_days) == (
        40,
        10,
        48,
        30,
    )
    assert t.bookable_by == "staff" and t.requires_approved_intake and t.uses_chair
    client.post(
        reverse("schedule:type_edit", args=[t.pk]),
        _type_data(
            mode="in_person", horizon_days="90", bookable_by="patient", requires_approved_intake=""
        ),
    )
    t.refresh_from_db()
    assert t.horizon_days == 90 and t.bookable_by == "patient" and not t.requires_approved_intake
    html = client.get(reverse("schedule:types")).content.decode()
    assert "Ketamine booster" in html and "Initial consultation" in html


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"duration_minutes": "0"}, "duration_minutes", "from 5 to 480"),
        ({"duration_minutes": "99999999"}, "duration_minutes", "from 5 to 480"),
        ({"duration_minutes": "forty"}, "duration_minutes", "Enter a whole number"),
        ({"buffer_after_minutes": "-5"}, "buffer_after_minutes", "from 0 to 240"),
        ({"horizon_days": "0"}, "horizon_days", "from 1 to 730"),
        ({"mode": "telehealth"}, "uses_chair", "Only in-person visits use an infusion chair"),
        ({"name": ""}, "name", "This field is required"),
    ],
)
def test_bad_type_input_is_explained_and_kept(login, coordinator, fields, field, message):
    response = login(coordinator).post(reverse("schedule:type_create"), _type_data(**fields))
    assert response.status_code == 200
    form = response.context["form"]
    assert message in form.errors[field][0]
    assert form["name"].value() == fields.get("name", "Ketamine booster")
    assert not AppointmentType.objects.filter(name="Ketamine booster").exists()


def test_type_form_groups_fields_in_fieldsets(login, coordinator):
    t = AppointmentType.objects.get(kind="initial")
    html = login(coordinator).get(reverse("schedule:type_edit", args=[t.pk])).content.decode()
    for legend in ("What it is", "Timing", "Who and how", "Infusion chair"):
        assert f'<legend class="h6">{legend}</legend>' in html


# --------------------------------------------------------------------------- locations


def test_edit_the_clinics_address(login, clinic_admin):
    clinic = Location.objects.get(kind="clinic")
    response = login(clinic_admin).post(
        reverse("schedule:location_edit", args=[clinic.pk]),
        {"name": "Main clinic", "kind": "clinic", "address": "1 New Road"},
    )
    assert response.url == reverse("schedule:locations")
    clinic.refresh_from_db()
    assert clinic.address == "1 New Road"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"address": "  "}, "address", "street address"),
        ({"kind": "telehealth"}, "kind", "This location has infusion chairs"),
    ],
)
def test_bad_location_input_is_explained(login, coordinator, fields, field, message):
    clinic = Location.objects.get(kind="clinic")
    data = {"name": "Main clinic", "kind": "clinic", "address": clinic.address}
    response = login(coordinator).post(
        reverse("schedule:location_edit", args=[clinic.pk]), {**data, **fields}
    )
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    clinic.refresh_from_db()
    assert (clinic.kind, clinic.address) == ("clinic", data["address"])


def test_add_a_location(login, coordinator):
    login(coordinator).post(
        reverse("schedule:location_create"),
        {"name": "Annex", "kind": "clinic", "address": "2 Side St"},
    )
    assert not Location.objects.get(name="Annex").chair_set.exists()


# --------------------------------------------------------------------------- settings


def test_clinic_admin_sets_the_cancellation_window(login, clinic_admin):
    client = login(clinic_admin)
    assert (
        client.get(reverse("clinic_settings:cancellation_window"))
        .context["form"]
        .initial["cancellation_window_hours"]
        == 24
    )
    response = client.post(
        reverse("clinic_settings:cancellation_window"), {"cancellation_window_hours": "48"}
    )
    assert response.status_code == 302
    assert ClinicSettings.load().cancellation_window_hours == 48


@pytest.mark.parametrize("bad", ["", "-1", "1000", "two days", "9" * 30])
def test_bad_cancellation_window_is_explained_and_kept(login, clinic_admin, bad):
    response = login(clinic_admin).post(
        reverse("clinic_settings:cancellation_window"), {"cancellation_window_hours": bad}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["cancellation_window_hours"] and "error-summary" in response.content.decode()
    assert form["cancellation_window_hours"].value() == bad
    assert ClinicSettings.load().cancellation_window_hours == 24


# --------------------------------------------------------------------------- hostile input

HOSTILE = ["", "<script>alert(1)</script>", "\x00", "9" * 40, "-1", "1e9", "' OR 1=1 --", "🙂"]


@pytest.mark.parametrize("value", HOSTILE)
def test_every_schedule_form_survives_hostile_input(login, clinic_admin, provider, value):
    client = login(clinic_admin)
    t, loc = AppointmentType.objects.first(), Location.objects.first()
    urls = [
        reverse("schedule:provider_create"),
        reverse("schedule:provider_edit", args=[provider.pk]),
        reverse("schedule:overrides"),
        reverse("schedule:type_edit", args=[t.pk]),
        reverse("schedule:location_edit", args=[loc.pk]),
        reverse("clinic_settings:cancellation_window"),
        reverse("schedule:provider_hours", args=[provider.pk]),
    ]
    fields = [
        "user",
        "display_name",
        "time_zone",
        "kind",
        "provider",
        "date",
        "start_date",
        "end_date",
        "start",
        "end",
        "note",
        "name",
        "duration_minutes",
        "mode",
        "address",
        "cancellation_window_hours",
        "hours-TOTAL_FORMS",
        "hours-INITIAL_FORMS",
        "hours-0-weekday",
        "hours-0-start",
    ]
    for url in urls:
        response = client.post(url, dict.fromkeys(fields, value))
        assert response.status_code in (200, 302), (url, response.status_code)


def test_deactivating_a_provider_lists_their_upcoming_bookings(
    login, coordinator, provider, patient
):
    appointment = book(patient, provider, next_weekday(0), 10)
    login(coordinator).post(
        reverse("schedule:provider_edit", args=[provider.pk]),
        {"user": provider.user_id, "display_name": "Dr. Lee", "time_zone": "America/New_York"},
    )
    response = login(coordinator).get(reverse("schedule:provider_hours", args=[provider.pk]))
    assert [e.appointment for e in response.context["outside"]] == [appointment]
    assert "This provider is inactive" in response.content.decode()


def test_a_huge_posted_row_count_builds_at_most_the_row_limit(login, coordinator, bare_provider):
    url = reverse("schedule:provider_hours", args=[bare_provider.pk])
    data = _hours_post(bare_provider, [_row(0, "08:00", "12:00")])
    data["hours-TOTAL_FORMS"] = "999999999999"
    response = login(coordinator).post(url, data)
    assert response.status_code == 200
    assert len(response.context["formset"].forms) <= MAX_HOURS_ROWS
    assert f"At most {MAX_HOURS_ROWS} rows of hours" in response.content.decode()
    assert not WorkingHours.objects.exists()


# --------------------------------------------------------------------------- two tabs


def _as_posted(bound_field):
    """What the browser posts for one rendered field, left as it was."""
    widget, value = bound_field.field.widget, bound_field.value()
    if isinstance(widget, forms.CheckboxInput):
        return "on" if value else None
    shown = widget.format_value(value)
    if isinstance(shown, list):
        return shown[0] if shown else ""
    return "" if shown is None else str(shown)


def _opened(client, url) -> dict:
    """Open the page in a tab: the data its form (or formset) posts if saved unchanged."""
    context = client.get(url).context
    if "formset" in context:
        forms_ = [context["formset"].management_form, *context["formset"]]
    else:
        forms_ = [context["form"]]
    data = {}
    for form in forms_:
        for bound_field in form:
            value = _as_posted(bound_field)
            if value is not None:
                data[bound_field.html_name] = value
    return data


@pytest.fixture
def infusion():
    return AppointmentType.objects.get(kind="infusion")


def test_two_tabs_editing_different_fields_of_a_type_keep_both_changes(
    login, coordinator, infusion
):
    client = login(coordinator)
    url = reverse("schedule:type_edit", args=[infusion.pk])
    tab1, tab2 = _opened(client, url), _opened(client, url)
    old_buffer = infusion.buffer_after_minutes
    assert client.post(url, {**tab1, "duration_minutes": "95"}).status_code == 302
    # Tab 2 still posts the old length it was opened with, and a new name.
    assert client.post(url, {**tab2, "name": "Infusion (long)"}).status_code == 302
    infusion.refresh_from_db()
    assert infusion.duration_minutes == 95 and infusion.name == "Infusion (long)"
    assert infusion.buffer_after_minutes == old_buffer


def test_two_tabs_changing_the_same_field_refuse_the_second_and_say_why(
    login, coordinator, infusion
):
    client = login(coordinator)
    url = reverse("schedule:type_edit", args=[infusion.pk])
    tab1, tab2 = _opened(client, url), _opened(client, url)
    client.post(url, {**tab1, "duration_minutes": "95"})
    response = client.post(url, {**tab2, "duration_minutes": "45"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Changed in another tab or by a colleague after you opened this page" in html
    assert "it is now “95”" in html
    assert response.context["form"]["duration_minutes"].value() == "45"  # typing kept
    infusion.refresh_from_db()
    assert infusion.duration_minutes == 95
    # Shown the other value, the person saves again: theirs is used.
    again = {k: _as_posted(b) for b in response.context["form"] if (k := b.html_name)}
    again = {k: v for k, v in again.items() if v is not None}
    assert client.post(url, again).status_code == 302
    infusion.refresh_from_db()
    assert infusion.duration_minutes == 45


def test_two_tabs_setting_the_same_value_is_not_a_conflict(login, coordinator, infusion):
    client = login(coordinator)
    url = reverse("schedule:type_edit", args=[infusion.pk])
    tab1, tab2 = _opened(client, url), _opened(client, url)
    client.post(url, {**tab1, "duration_minutes": "95"})
    assert client.post(url, {**tab2, "duration_minutes": "95"}).status_code == 302


def test_a_location_saved_in_another_tab_is_not_undone(login, coordinator):
    client = login(coordinator)
    location = Location.objects.get(kind="clinic")
    url = reverse("schedule:location_edit", args=[location.pk])
    tab1, tab2 = _opened(client, url), _opened(client, url)
    client.post(url, {**tab1, "address": "7 Other Street"})
    assert client.post(url, {**tab2, "name": "Main clinic"}).status_code == 302
    location.refresh_from_db()
    assert (location.address, location.name) == ("7 Other Street", "Main clinic")


def test_a_provider_saved_in_another_tab_is_not_undone(login, coordinator, bare_provider):
    client = login(coordinator)
    url = reverse("schedule:provider_edit", args=[bare_provider.pk])
    tab1, tab2 = _opened(client, url), _opened(client, url)
    client.post(url, {**tab1, "time_zone": "America/Chicago"})
    client.post(url, {**tab2, "display_name": "Dr. M. Lee"})
    bare_provider.refresh_from_db()
    assert bare_provider.time_zone == "America/Chicago"
    assert bare_provider.display_name == "Dr. M. Lee"


def _hours_row(formset_data, pk):
    """The prefix ("hours-N-") of the row holding WorkingHours `pk`."""
    ids = (k for k, v in formset_data.items() if k.endswith("-id") and v == str(pk))
    return next(ids)[: -len("id")]


def test_hours_rows_changed_in_two_tabs_keep_both_changes(login, coordinator, provider):
    client = login(coordinator)
    url = reverse("schedule:provider_hours", args=[provider.pk])
    monday, tuesday = (provider.hours.filter(weekday=d, start=dt.time(9)).get() for d in (0, 1))
    tab1, tab2 = _opened(client, url), _opened(client, url)
    m, t = _hours_row(tab1, monday.pk), _hours_row(tab2, tuesday.pk)
    assert client.post(url, {**tab1, m + "end": "11:00"}).status_code == 302
    # Tab 2 still carries Monday 09:00–12:00 as it was opened; it changes Tuesday only.
    assert client.post(url, {**tab2, t + "end": "11:30"}).status_code == 302
    monday.refresh_from_db()
    tuesday.refresh_from_db()
    assert (monday.end, tuesday.end) == (dt.time(11), dt.time(11, 30))


def test_the_same_hours_row_changed_in_two_tabs_is_refused_with_the_typing_kept(
    login, coordinator, provider
):
    client = login(coordinator)
    url = reverse("schedule:provider_hours", args=[provider.pk])
    monday = provider.hours.get(weekday=0, start=dt.time(9))
    tab1, tab2 = _opened(client, url), _opened(client, url)
    m = _hours_row(tab1, monday.pk)
    client.post(url, {**tab1, m + "end": "11:00"})
    response = client.post(url, {**tab2, m + "end": "10:30"})
    assert response.status_code == 200
    assert "it is now “11:00”" in response.content.decode()
    monday.refresh_from_db()
    assert monday.end == dt.time(11)


def test_an_hours_row_removed_in_another_tab_is_explained_not_an_error(
    login, coordinator, provider
):
    client = login(coordinator)
    url = reverse("schedule:provider_hours", args=[provider.pk])
    monday = provider.hours.get(weekday=0, start=dt.time(9))
    tab1, tab2 = _opened(client, url), _opened(client, url)
    m = _hours_row(tab1, monday.pk)
    client.post(url, {**tab1, m + "DELETE": "on"})
    response = client.post(url, tab2)
    assert response.status_code == 200
    assert "This row was removed in another tab" in response.content.decode()
    assert not WorkingHours.objects.filter(pk=monday.pk).exists()  # not brought back unseen
    # Letting it go: tick its Delete box and the rest saves.
    assert client.post(url, {**tab2, m + "DELETE": "on"}).status_code == 302


def test_hours_added_in_another_tab_are_checked_for_overlaps(login, coordinator, bare_provider):
    client = login(coordinator)
    url = reverse("schedule:provider_hours", args=[bare_provider.pk])
    tab1, tab2 = _opened(client, url), _opened(client, url)
    first = {f"hours-0-{k}": v for k, v in _row(0, "09:00", "12:00").items()}
    client.post(url, {**tab1, **first})
    response = client.post(
        url, {**tab2, **{f"hours-0-{k}": v for k, v in _row(0, "11:00", "13:00").items()}}
    )
    assert response.status_code == 200
    assert "Overlaps Monday 09:00–12:00 (saved in another tab)" in response.content.decode()
    assert bare_provider.hours.count() == 1


def test_an_old_page_without_the_opened_values_still_saves(login, coordinator, infusion):
    url = reverse("schedule:type_edit", args=[infusion.pk])
    data = _opened(login(coordinator), url)
    del data["loaded"]
    response = login(coordinator).post(url, {**data, "duration_minutes": "95"})
    assert response.status_code == 302


# --------------------------------------------------------------------------- migration


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_turns_each_one_day_override_into_a_one_day_range():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("consultations", "0008_main_clinic_city_and_zip")]
    after = [("consultations", "0009_override_date_range")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("consultations", "DateOverride")
    old.objects.create(kind="closure", date=dt.date(2027, 7, 5), note="Independence Day")
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("consultations", "DateOverride")
    row = new.objects.get()
    assert (row.start_date, row.end_date, row.note) == (
        dt.date(2027, 7, 5),
        dt.date(2027, 7, 5),
        "Independence Day",
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


# --------------------------------------------------------------------------- public holidays

JAN_2027 = dt.datetime(2027, 1, 5, 9, 0, tzinfo=NY)


def test_public_holidays_are_closed_in_one_step(
    login, coordinator, provider, patient, time_machine, settings
):
    from consultations import selectors

    time_machine.move_to(JAN_2027, tick=False)
    settings.CLINIC_HOLIDAYS_COUNTRY, settings.CLINIC_HOLIDAYS_SUBDIVISION = "US", ""
    thanksgiving, july_5 = dt.date(2027, 11, 25), dt.date(2027, 7, 5)
    booked = book(patient, provider, thanksgiving, 10)
    client = login(coordinator)
    response = client.get(reverse("schedule:holidays"), {"year": "2027"})
    html = response.content.decode()
    assert "Thanksgiving Day" in html and "Independence Day (observed)" in html
    assert "1 booked appointment" in html  # on Thanksgiving, before anyone closes it
    response = client.post(
        reverse("schedule:holidays"),
        {"year": "2027", "dates": [thanksgiving.isoformat(), july_5.isoformat()]},
        follow=True,
    )
    rows = list(DateOverride.objects.values_list("kind", "provider", "start_date", "end_date"))
    assert rows == [
        ("closure", None, july_5, july_5),
        ("closure", None, thanksgiving, thanksgiving),
    ]
    assert DateOverride.objects.get(start_date=thanksgiving).note == "Thanksgiving Day"
    assert "closed on 2 more holidays in 2027" in response.content.decode()
    assert [e.appointment for e in response.context["outside"]] == [booked]
    slots = selectors.available_slots(
        appointment_type=AppointmentType.objects.get(kind="follow_up"),
        provider_ids=[provider.pk],
        start_date=thanksgiving - dt.timedelta(days=3),
        end_date=thanksgiving + dt.timedelta(days=1),
        now=dt.datetime(2027, 11, 1, tzinfo=NY),  # inside the booking horizon
    )
    days = {s.start.astimezone(NY).date() for s in slots}
    assert thanksgiving not in days and thanksgiving - dt.timedelta(days=1) in days
    # Shown as closed, and ticking it again closes nothing twice.
    html = client.get(reverse("schedule:holidays"), {"year": "2027"}).content.decode()
    assert html.count("Already closed") == 2
    client.post(reverse("schedule:holidays"), {"year": "2027", "dates": [july_5.isoformat()]})
    assert DateOverride.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": "2027"}, "Tick at least one holiday"),
        ({"year": "2027", "dates": ["2027-01-01"]}, "Day has already passed"),
        ({"year": "2027", "dates": ["2027-03-03"]}, "not one of this year&#x27;s public holidays"),
        ({"year": "1999", "dates": ["2027-11-25"]}, "Choose 2027, 2028 or 2029"),
    ],
)
def test_bad_holiday_choices_are_explained(login, coordinator, time_machine, data, message):
    time_machine.move_to(JAN_2027, tick=False)
    response = login(coordinator).post(reverse("schedule:holidays"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not DateOverride.objects.exists()


def test_a_subdivision_adds_its_own_holidays_and_an_unknown_one_is_explained(
    login, coordinator, time_machine, settings
):
    time_machine.move_to(JAN_2027, tick=False)
    client = login(coordinator)
    settings.CLINIC_HOLIDAYS_COUNTRY, settings.CLINIC_HOLIDAYS_SUBDIVISION = "US", "NY"
    assert "Lincoln" in client.get(reverse("schedule:holidays")).content.decode()
    settings.CLINIC_HOLIDAYS_SUBDIVISION = "ZZ"
    response = client.get(reverse("schedule:holidays"))
    assert response.status_code == 200
    assert "No public holidays are known for “US-ZZ”" in response.content.decode()
