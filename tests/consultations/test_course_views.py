"""The course pages: who may use them, plan → book in one step, a lost race, cancelling."""

import pytest
from django.urls import reverse

from clinic.audit.models import AuditEvent
from consultations.models import Appointment, Course

from .course_fixtures import a_thursday_from, infusions_of

PLAN = {
    "count": "6",
    "window_days": "14",
    "min_gap_days": "1",
    "weekdays_only": "on",
    "preferred_times": ["morning"],
}


def _plan_url(patient):
    return reverse("schedule:course_plan", args=[patient.pk])


def _first_date(client, patient):
    earliest = client.get(_plan_url(patient)).context["form"].initial["first_date"]
    return a_thursday_from(earliest).isoformat()


def _proposal(client, patient):
    response = client.get(_plan_url(patient), PLAN | {"first_date": _first_date(client, patient)})
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("who", ["patient", "other_patient"])
def test_patients_cannot_open_the_course_pages(who, request, client, ready_patient):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(_plan_url(ready_patient)).status_code in (302, 403)
    response = client.post(reverse("schedule:course_book", args=[ready_patient.pk]), {"plan": "x"})
    assert response.status_code in (302, 403)
    assert not Course.objects.exists()


@pytest.mark.parametrize("who", ["coordinator", "clinician"])
def test_staff_see_the_proposal_and_two_alternatives_and_book_six_in_one_step(
    who, request, client, login, ready_patient
):
    login(request.getfixturevalue(who))
    response = _proposal(client, ready_patient)
    options = response.context["options"]
    assert len(options) == 3
    assert all(len(o["rows"]) == 6 for o in options)
    assert b"Book these 6" in response.content
    booked = client.post(
        reverse("schedule:course_book", args=[ready_patient.pk]), {"plan": options[0]["token"]}
    )
    course_row = Course.objects.get(patient=ready_patient)
    assert booked.status_code == 302 and booked.url == reverse(
        "schedule:course", args=[course_row.pk]
    )
    assert infusions_of(ready_patient).count() == 6
    page = client.get(booked.url)
    assert page.status_code == 200 and b"Infusion series for" in page.content
    for clinical in (b"CRPS", b"PHQ", b"oxycodone"):
        assert clinical not in page.content


def test_bad_rules_are_shown_next_to_the_field_and_kept(client, login, coordinator, ready_patient):
    login(coordinator)
    response = client.get(
        _plan_url(ready_patient), PLAN | {"first_date": "2020-01-01", "window_days": "0"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "first_date" in form.errors and "window_days" in form.errors
    assert b'value="2020-01-01"' in response.content


def test_a_lost_race_says_so_and_shows_new_times(
    client, login, coordinator, ready_patient, other_patient, chairs, supervisor, infusion
):
    login(coordinator)
    options = _proposal(client, ready_patient).context["options"]
    token = options[0]["token"]
    from consultations.course_views import _from_token

    series, _rules, _booster = _from_token(token)
    first = series.infusions[0]
    for chair in chairs:  # both chairs taken at the first time since the page was shown
        Appointment.objects.create(
            patient=other_patient,
            provider=supervisor,
            appointment_type=infusion,
            kind="infusion",
            location=chair.location,
            mode="in_person",
            start=first.start,
            end=first.end,
            block_start=first.start,
            block_end=first.end,  # one supervisor on both chairs: the chairs are what is held
            uses_chair=True,
            chair=chair,
            chair_end=first.chair_end,
        )
    response = client.post(
        reverse("schedule:course_book", args=[ready_patient.pk]), {"plan": token}
    )
    assert response.status_code == 200
    assert "nothing was booked" in response.context["error"]
    assert response.context["options"]  # new times at once
    assert not infusions_of(ready_patient).exists()


def test_a_tampered_plan_is_refused(client, login, coordinator, ready_patient):
    login(coordinator)
    response = client.post(
        reverse("schedule:course_book", args=[ready_patient.pk]), {"plan": "forged"}
    )
    assert response.status_code == 302
    assert not Course.objects.exists()


def test_cancelling_a_course_needs_a_reason_and_a_confirmation_then_can_be_undone(
    client, login, coordinator, ready_patient
):
    login(coordinator)
    token = _proposal(client, ready_patient).context["options"][0]["token"]
    client.post(reverse("schedule:course_book", args=[ready_patient.pk]), {"plan": token})
    course_row = Course.objects.get()
    url = reverse("schedule:course_cancel", args=[course_row.pk])
    refused = client.post(url, {"reason": "clinic"})
    assert refused.status_code == 400 and "confirm" in refused.context["cancel_form"].errors
    done = client.post(url, {"reason": "clinic", "confirm": "on"}, follow=True)
    assert b"Undo the cancellation" in done.content
    assert not Appointment.objects.active().filter(course=course_row).exists()
    assert AuditEvent.objects.filter(action="course_cancelled").exists()
    client.post(reverse("schedule:course_undo", args=[course_row.pk]))
    assert Appointment.objects.active().filter(course=course_row).count() == 6


def test_without_a_proceed_outcome_the_page_says_what_is_missing(
    client, login, coordinator, approved_patient, chairs, supervisor
):
    login(coordinator)
    response = client.get(_plan_url(approved_patient))
    assert response.status_code == 200 and not response.context["ready"]
    assert "Record the outcome" in response.content.decode()


def test_the_patient_sees_her_series_together_with_a_calendar_file_for_each(
    client, login, coordinator, ready_patient, other_patient
):
    login(coordinator)
    token = _proposal(client, ready_patient).context["options"][0]["token"]
    client.post(reverse("schedule:course_book", args=[ready_patient.pk]), {"plan": token})
    client.logout()
    client.force_login(ready_patient)
    page = client.get(reverse("consultations:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Your infusion series" in html and "drive you home" in html
    assert len(page.context["series"]) == 1 and len(page.context["series"][0]) == 6
    assert html.count("Add to calendar") == 6
    first = infusions_of(ready_patient).first()
    ics = client.get(reverse("consultations:ics", args=[first.pk]))
    assert ics.status_code == 200 and b"BEGIN:VEVENT" in ics.content
    client.logout()
    client.force_login(other_patient)
    assert "Your infusion series" not in client.get(reverse("consultations:list")).content.decode()
    assert client.get(reverse("consultations:ics", args=[first.pk])).status_code == 404


def test_the_clinic_admin_edits_the_course_defaults_and_the_change_is_recorded(
    client, login, clinic_admin, coordinator
):
    from clinic.core.models import ClinicSettings, SettingsChange

    url = reverse("clinic_settings:courses")
    login(coordinator)
    assert client.get(url).status_code == 403
    client.logout()
    login(clinic_admin)
    assert client.get(url).status_code == 200
    bad = client.post(url, {"course_infusions": "6", "course_window_days": "0"})
    assert bad.status_code == 200 and "course_window_days" in bad.context["form"].errors
    saved = client.post(
        url,
        {
            "course_infusions": "5",
            "course_window_days": "21",
            "infusion_preparation": "Bring water.",
        },
    )
    assert saved.status_code == 302
    row = ClinicSettings.load()
    assert (row.course_infusions, row.course_window_days) == (5, 21)
    assert row.infusion_preparation == "Bring water."
    assert SettingsChange.objects.get(section="course").changed_by == clinic_admin


def test_a_booster_is_planned_and_booked_as_one_infusion_and_answers_the_request(
    client, login, coordinator, ready_patient
):
    from consultations import booster_services
    from consultations.models import BoosterRequest

    login(coordinator)
    response = _proposal(client, ready_patient)
    client.post(
        reverse("schedule:course_book", args=[ready_patient.pk]),
        {"plan": response.context["options"][0]["token"]},
    )
    series = Course.objects.get(patient=ready_patient)
    asked = booster_services.request_booster(patient=ready_patient)

    url = _plan_url(ready_patient) + "?booster=1"
    first = client.get(url).context["form"].initial["first_date"].isoformat()
    page = client.get(url, PLAN | {"count": "1", "first_date": first, "booster": "1"})
    assert b"Plan a booster infusion" in page.content
    options = page.context["options"]
    assert options and all(len(o["rows"]) == 1 for o in options)
    booked = client.post(
        reverse("schedule:course_book", args=[ready_patient.pk]), {"plan": options[0]["token"]}
    )
    booster = Course.objects.get(patient=ready_patient, kind=Course.Kind.BOOSTER)
    assert booked.status_code == 302 and booster.parent == series
    assert booster.infusions.count() == 1 and booster.infusions.get().chair_id is not None
    asked.refresh_from_db()
    assert asked.status == BoosterRequest.Status.BOOKED


def test_opening_the_plan_and_the_course_records_who_read_the_patients_course(
    client, login, coordinator, ready_patient
):
    login(coordinator)
    token = _proposal(client, ready_patient).context["options"][0]["token"]
    client.post(reverse("schedule:course_book", args=[ready_patient.pk]), {"plan": token})
    course_row = Course.objects.get()
    client.get(reverse("schedule:course", args=[course_row.pk]))
    views = AuditEvent.objects.filter(action="view", actor_id=coordinator.pk)
    assert views.filter(view_name="schedule:course_plan", patient_id=ready_patient.pk).exists()
    opened = views.get(view_name="schedule:course")
    assert opened.patient_id == ready_patient.pk
    assert opened.target_id == str(course_row.pk)


def test_the_plan_page_makes_as_many_queries_with_a_booked_course_as_without(
    client, login, coordinator, ready_patient
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(coordinator)
    with CaptureQueriesContext(connection) as before:
        options = _proposal(client, ready_patient).context["options"]
    client.post(
        reverse("schedule:course_book", args=[ready_patient.pk]), {"plan": options[0]["token"]}
    )
    assert infusions_of(ready_patient).count() == 6
    with CaptureQueriesContext(connection) as after:
        _proposal(client, ready_patient)
    assert len(after) == len(before)
