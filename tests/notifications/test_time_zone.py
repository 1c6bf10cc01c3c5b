"""One source for the patient's time zone: ContactPreference.time_zone, set at sign-up from
the browser, changed by the patient, read by the picker, messages and quiet hours."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from clinic.accounts.models import User
from clinic.notifications import preferences
from clinic.notifications.models import ContactPreference
from consultations.timefmt import patient_zone
from intake import demo, services
from intake.models import Intake
from intake.questionnaire import QUESTION_BY_KEY
from tests.intake.helpers import post_data, step_url

LA = "America/Los_Angeles"
SIGNUP = {
    "first_name": "Erin",
    "last_name": "Evans",
    "email": "erin@example.com",
    "password1": "a long and memorable phrase",
    "password2": "a long and memorable phrase",
}
PREFERENCES = reverse("messages:preferences")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        (LA, LA),
        ("Europe/London", "Europe/London"),
        ("", "America/New_York"),
        ("Mars/Olympus_Mons", "America/New_York"),
        ("../../etc/passwd", "America/New_York"),
        ("\x00" * 10, "America/New_York"),
    ],
)
def test_sign_up_stores_the_browsers_zone_or_the_clinics(client, sent, stored):
    response = client.post(reverse("accounts:signup"), {**SIGNUP, "time_zone": sent})
    assert response.status_code == 302
    user = User.objects.get(email="erin@example.com")
    assert user.contact_preference.time_zone == stored
    assert patient_zone(user) == stored


@pytest.mark.django_db
def test_sign_up_page_carries_a_hidden_zone_field_filled_by_a_static_script(client):
    html = client.get(reverse("accounts:signup")).content.decode()
    assert 'type="hidden" name="time_zone"' in html
    assert "accounts/time_zone.js" in html and "<script>" not in html


def test_the_zone_is_read_from_contact_preferences_only(patient):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=False)
    Intake.objects.filter(pk=intake.pk).update(answers={**intake.answers, "time_zone": LA})
    assert patient_zone(patient) == "America/New_York"  # no preference: the clinic's zone
    preferences.set_time_zone(user=patient, time_zone=LA)
    assert patient_zone(patient) == LA


def test_a_broken_stored_zone_falls_back_to_the_clinics(patient):
    ContactPreference.objects.create(user=patient, time_zone="Nowhere/Land")
    assert patient_zone(patient) == "America/New_York"


def test_set_time_zone_refuses_anything_but_a_real_zone(patient):
    with pytest.raises(ValueError):
        preferences.set_time_zone(user=patient, time_zone="localtime")
    assert not ContactPreference.objects.filter(user=patient).exists()


def test_patient_changes_the_zone_on_the_preferences_page(login, patient):
    client = login(patient)
    response = client.get(PREFERENCES)
    html = response.content.decode()
    assert 'name="time_zone"' in html and "Pacific (Los Angeles)" in html
    assert "Europe/London" in html  # any other IANA zone is offered too
    assert response.context["form"]["time_zone"].value() == "America/New_York"
    assert client.post(PREFERENCES, {"time_zone": LA}).status_code == 302
    assert patient_zone(patient) == LA
    assert client.post(PREFERENCES, {"time_zone": "Europe/London"}).status_code == 302
    assert patient_zone(patient) == "Europe/London"


@pytest.mark.parametrize("bad", ["Mars/Base", "America/Nowhere", "x" * 5000, "localtime"])
def test_an_unknown_zone_is_refused_next_to_the_field(login, patient, bad):
    preferences.set_time_zone(user=patient, time_zone=LA)
    response = login(patient).post(PREFERENCES, {"time_zone": bad})
    assert response.status_code == 200 and response.context["form"].errors["time_zone"]
    assert patient_zone(patient) == LA


def test_a_post_without_a_zone_keeps_the_zone(login, patient):
    preferences.set_time_zone(user=patient, time_zone=LA)
    login(patient).post(PREFERENCES, {})
    assert patient_zone(patient) == LA


def test_the_intake_no_longer_asks_and_saving_about_you_keeps_the_zone(login, patient):
    assert "time_zone" not in QUESTION_BY_KEY
    preferences.set_time_zone(user=patient, time_zone=LA)
    client = login(patient)
    services.start_intake(patient=patient)
    response = client.post(step_url("about"), post_data("about", demo.BASE))
    assert response.status_code == 302
    assert patient_zone(patient) == LA
    assert ContactPreference.objects.get(user=patient).phone == demo.BASE["mobile_phone"]


def test_the_picker_shows_times_in_the_patients_zone(login, approved_patient, provider):
    preferences.set_time_zone(user=approved_patient, time_zone=LA)
    response = login(approved_patient).get(reverse("consultations:book"))
    assert response.context["zone"] == LA


def test_migration_copies_each_patients_latest_intake_zone(patient, other_patient):
    migration = importlib.import_module("intake.migrations.0007_time_zone_to_contact_preference")
    Intake.objects.create(patient=patient, answers={"time_zone": LA})
    Intake.objects.create(patient=other_patient, answers={"time_zone": "Not/AZone"})
    ContactPreference.objects.create(user=other_patient, time_zone="America/Chicago")
    migration.copy_zones(apps, None)
    assert patient_zone(patient) == LA
    assert patient_zone(other_patient) == "America/Chicago"  # a chosen zone is kept
