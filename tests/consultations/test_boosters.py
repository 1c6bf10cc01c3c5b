"""Booster prompts (relief fading, the clinic's interval, the patient's request) and the
request itself: one tap + confirm, recorded, staff told, withdrawable."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import AuditEvent
from clinic.core.models import ClinicSettings
from clinic.notifications.models import Message
from consultations import booster_services, boosters
from consultations.models import BoosterRequest, BoosterSnooze
from tests.words import says

from .checkin_helpers import course, follow_up

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)


def _prompt(**overrides):
    values = {
        "relief_fading": False,
        "last_infusion_end": NOW - dt.timedelta(weeks=8),
        "interval_weeks": None,
        "has_upcoming_infusion": False,
        "requested": False,
        "snoozed_until": None,
        "now": NOW,
    }
    return boosters.booster_prompt(**{**values, **overrides}).reasons


def test_prompt_rules():
    assert _prompt() == ()
    assert _prompt(relief_fading=True) == ("relief_fading",)
    assert _prompt(interval_weeks=8) == ("interval",)
    assert _prompt(interval_weeks=9) == ()
    assert _prompt(requested=True) == ("requested",)
    assert _prompt(relief_fading=True, has_upcoming_infusion=True) == ()
    assert _prompt(relief_fading=True, last_infusion_end=None) == ()


def test_a_snooze_sets_aside_computed_reasons_but_never_the_patients_request():
    later = NOW.date() + dt.timedelta(days=7)
    assert _prompt(relief_fading=True, snoozed_until=later) == ()
    assert _prompt(relief_fading=True, requested=True, snoozed_until=later) == ("requested",)
    assert _prompt(relief_fading=True, snoozed_until=NOW.date()) == ("relief_fading",)


def _fading(patient, provider):
    """Baseline PEG 7 (intake), best 3 at week 1, back to 5.5 at week 4: fading."""
    row = course(patient, provider, days_ago=(60, 58, 56))
    follow_up(patient, row, weeks_ago=7, peg=3, kind="week_1")
    follow_up(patient, row, weeks_ago=4, peg=5.5, kind="week_4")
    return row


def test_relief_fading_prompts_staff(approved_patient, provider):
    _fading(approved_patient, provider)
    [found] = booster_services.booster_prompts()
    assert found.prompt.reasons == ("relief_fading",) and found.outcome.relief_fading


def test_the_clinic_interval_prompts_staff(approved_patient, provider):
    course(approved_patient, provider, days_ago=(60, 58, 57))  # ended over 8 weeks ago
    ClinicSettings.objects.update_or_create(pk=1, defaults={"booster_interval_weeks": 8})
    [found] = booster_services.booster_prompts()
    assert found.prompt.reasons == ("interval",)


def test_a_missed_follow_up_is_not_read_as_improvement(approved_patient, provider):
    row = course(approved_patient, provider, days_ago=(60, 58, 56))
    follow_up(approved_patient, row, weeks_ago=7, peg=3, kind="week_1")
    follow_up(approved_patient, row, weeks_ago=4, kind="week_4", open_days=14)  # missed
    [found] = booster_services.booster_prompts()
    assert found.outcome.response == "unknown" and found.outcome.best_response == "substantial"


def test_booster_prompt_query_count_does_not_grow(approved_patient, other_patient, provider):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _fading(approved_patient, provider)
    booster_services.booster_prompts()  # the clinic settings row exists from here on
    with CaptureQueriesContext(connection) as one:
        booster_services.booster_prompts()
    _fading(other_patient, provider)
    with CaptureQueriesContext(connection) as two:
        assert len(booster_services.booster_prompts()) == 2
    assert len(two) == len(one) <= 10


def test_the_patient_asks_once_after_confirming(client, approved_patient, provider, coordinator):
    course(approved_patient, provider)
    client.force_login(approved_patient)
    url = reverse("consultations:booster_request")
    assert "Yes, ask the clinic" in client.get(url).content.decode()
    assert not BoosterRequest.objects.exists()  # the GET only asks
    client.post(url)
    client.post(url)
    request = BoosterRequest.objects.get()
    assert request.status == "open"
    assert Message.objects.filter(kind="booster_requested", recipient=coordinator).count() == 1
    assert AuditEvent.objects.filter(action="create", target_id=str(request.pk)).exists()


def test_the_patient_can_withdraw_her_request(client, approved_patient, provider):
    course(approved_patient, provider)
    request = booster_services.request_booster(patient=approved_patient)
    client.force_login(approved_patient)
    client.post(reverse("consultations:booster_withdraw", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == "withdrawn"
    assert AuditEvent.objects.filter(action="update", target_id=str(request.pk)).exists()


def test_another_patient_cannot_withdraw_it(client, approved_patient, other_patient, provider):
    course(approved_patient, provider)
    request = booster_services.request_booster(patient=approved_patient)
    client.force_login(other_patient)
    assert (
        client.post(reverse("consultations:booster_withdraw", args=[request.pk])).status_code == 404
    )


def test_no_request_without_a_course(client, approved_patient):
    client.force_login(approved_patient)
    client.post(reverse("consultations:booster_request"))
    assert not BoosterRequest.objects.exists()


def test_staff_list_set_aside_with_a_reason_and_undo(
    client, login, coordinator, approved_patient, provider
):
    _fading(approved_patient, provider)
    login(coordinator)
    page = client.get(reverse("schedule:boosters")).content.decode()
    assert "Alice Anderson" in page and "check-in results suggest a booster" in page
    assert not says(page, "PEG")  # the front desk reads no clinical detail
    until = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    snooze_url = reverse("schedule:booster_snooze", args=[approved_patient.pk])
    client.post(snooze_url, {"until": until, "reason": ""})
    assert not BoosterSnooze.objects.exists()  # a reason is required
    client.post(snooze_url, {"until": until, "reason": "Away until mid-month"})
    snooze = BoosterSnooze.objects.get()
    assert booster_services.booster_prompts()[0].prompt.reasons == ()
    client.post(reverse("schedule:booster_unsnooze", args=[snooze.pk]))
    assert booster_services.booster_prompts()[0].prompt.reasons == ("relief_fading",)


def test_staff_answer_a_request_with_a_reason(
    client, login, coordinator, approved_patient, provider
):
    course(approved_patient, provider)
    request = booster_services.request_booster(patient=approved_patient)
    login(coordinator)
    url = reverse("schedule:booster_decline", args=[request.pk])
    client.post(url, {"reason": ""})
    request.refresh_from_db()
    assert request.status == "open"
    client.post(url, {"reason": "Discussed by phone: wait for the 12-week check-in"})
    request.refresh_from_db()
    assert request.status == "declined" and request.resolved_by == coordinator


def test_the_patient_page_shows_the_prompt(client, login, clinician, approved_patient, provider):
    _fading(approved_patient, provider)
    login(clinician)
    page = client.get(reverse("staff:patient", args=[approved_patient.pk])).content.decode()
    assert "Offer a booster" in page and "Relief fading" in page


def test_the_clinic_admin_sets_the_booster_interval(client, login, clinic_admin):
    login(clinic_admin)
    url = reverse("clinic_settings:boosters")
    response = client.post(url, {"booster_interval_weeks": "0"})
    assert response.status_code == 200 and "from 1 to 104" in response.content.decode()
    client.post(url, {"booster_interval_weeks": "12"})
    assert ClinicSettings.load().booster_interval_weeks == 12
    from clinic.core.models import SettingsChange

    change = SettingsChange.objects.get(section="boosters")
    assert change.changes == {"Booster interval (weeks)": {"old": "not set", "new": "12 weeks"}}
    client.post(url, {"booster_interval_weeks": ""})
    assert ClinicSettings.load().booster_interval_weeks is None
