"""Reminder preferences: the patient's page, SMS STOP through the provider's webhook, and the
clinic admin's reminder times and on-call clinicians."""

import datetime as dt
import logging

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.core.models import ClinicSettings
from clinic.notifications import compose
from clinic.notifications.models import ContactPreference, Message
from clinic.notifications.views import twilio_signature
from tests.conftest import make_user

# Some tests reach the database only through request.getfixturevalue(); the mark keeps
# them with the other database tests (before transactional tests empty the database).
pytestmark = pytest.mark.django_db

ROLES = ["patient", "other_patient", "coordinator", "clinician", "clinic_admin"]
PHONE = "+15035550123"
URL = reverse("messages:preferences")
INBOUND = reverse("messages:sms_inbound")
SETTINGS = reverse("clinic_settings:reminders")
TOKEN = "secret-token"


def _with_phone(user, **extra) -> ContactPreference:
    return ContactPreference.objects.create(user=user, phone=PHONE, **extra)


def _sms_on(user) -> ContactPreference:
    return _with_phone(user, channel="sms", sms_consent_at=timezone.now())


# --- the patient's page ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_preferences_page_is_for_patients(request, login, role):
    client = login(request.getfixturevalue(role))
    expected = 200 if role in ("patient", "other_patient") else 403
    assert client.get(URL).status_code == expected
    # Patients have no mobile number on file here: the page explains, nothing is saved.
    assert client.post(URL, {"sms": "on", "sms_consent": "on"}).status_code == expected


def test_anonymous_preferences_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_page_shows_current_status_email_only(login, patient):
    html = login(patient).get(URL).content.decode()
    assert "alice@example.com" in html
    assert "Text messages are <strong>off</strong>" in html
    assert "About you" in html  # no mobile number: where to add it


def test_page_shows_sms_on_with_number(login, patient):
    _sms_on(patient)
    response = login(patient).get(URL)
    html = response.content.decode()
    assert "Text messages are <strong>on</strong>" in html and "(503) 555-0123" in html
    assert response.context["form"].initial == {"sms": True, "sms_consent": True}


def test_consent_text_is_clear(login, patient):
    html = login(patient).get(URL).content.decode()
    assert "Message and data rates may apply" in html and "Reply STOP" in html


def test_ticking_sms_without_a_mobile_number_is_refused_next_to_the_field(login, patient):
    response = login(patient).post(URL, {"sms": "on", "sms_consent": "on"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "About you" in form.errors["sms"][0] and "call the clinic" in form.errors["sms"][0]
    assert 'id="id_sms" checked' in response.content.decode().replace('checked=""', "checked")
    assert not ContactPreference.objects.filter(user=patient, sms_consent_at__isnull=False).exists()


def test_ticking_sms_without_consent_is_refused_and_kept(login, patient):
    _with_phone(patient)
    response = login(patient).post(URL, {"sms": "on"})
    assert response.status_code == 200
    assert "Tick this box" in response.context["form"].errors["sms_consent"][0]
    assert response.context["form"]["sms"].value() is True
    assert not ContactPreference.objects.get(user=patient).sms_allowed


def test_ticking_sms_with_consent_and_a_number_records_consent(login, patient):
    _with_phone(patient)
    response = login(patient).post(URL, {"sms": "on", "sms_consent": "on"}, follow=True)
    assert "Text-message reminders are on" in response.content.decode()
    preference = ContactPreference.objects.get(user=patient)
    assert preference.sms_allowed and preference.channel == "sms"
    assert preference.sms_consent_at is not None


def test_saving_again_keeps_the_original_consent_time(login, patient):
    first = timezone.now() - dt.timedelta(days=30)
    _with_phone(patient, channel="sms", sms_consent_at=first)
    login(patient).post(URL, {"sms": "on", "sms_consent": "on"})
    assert ContactPreference.objects.get(user=patient).sms_consent_at == first


def test_unticking_opts_out_at_once_and_pending_sms_are_skipped(login, patient):
    _sms_on(patient)
    pending = Message.objects.create(
        kind="reminder_2h",
        channel="sms",
        recipient=patient,
        due_at=timezone.now(),
        idempotency_key="k",
    )
    response = login(patient).post(URL, {}, follow=True)
    assert "Text messages are off" in response.content.decode()
    preference = ContactPreference.objects.get(user=patient)
    assert not preference.sms_allowed and preference.sms_opted_out_at is not None
    assert preference.channel == "email"
    with pytest.raises(compose.Skip):
        compose.render(Message.objects.select_related("recipient").get(pk=pending.pk))


def test_ticking_again_after_stop_opts_back_in(login, patient):
    _with_phone(patient, sms_consent_at=timezone.now(), sms_opted_out_at=timezone.now())
    html = login(patient).get(URL).content.decode()
    assert "you turned them off" in html
    login(patient).post(URL, {"sms": "on", "sms_consent": "on"})
    assert ContactPreference.objects.get(user=patient).sms_allowed


def test_one_patient_never_changes_another(login, patient, other_patient):
    _sms_on(patient)
    login(other_patient).post(URL, {})
    assert ContactPreference.objects.get(user=patient).sms_allowed


def test_hostile_post_never_fails(login, patient):
    response = login(patient).post(URL, {"sms": "\x00<script>", "sms_consent": ["a", "b"]})
    assert response.status_code in (200, 302)


# --- SMS STOP through the provider's webhook ---------------------------------------------------


def test_signature_matches_twilios_published_examples():
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = QueryDict(mutable=True)
    params.update(
        {
            "CallSid": "CA1234567890ABCDE",
            "Digits": "1234",
            "From": "+14158675309",
            "To": "+18005551212",
            "Caller": "+14158675309",
        }
    )
    assert twilio_signature("12345", url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    repeated = QueryDict("Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234")
    assert twilio_signature("12345", url, repeated) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="


def _post_signed(client, data, token=None, signature=None):
    token = token or TOKEN
    if signature is None:
        params = QueryDict(mutable=True)
        params.update(data)
        signature = twilio_signature(token, "http://testserver" + INBOUND, params)
    return client.post(INBOUND, data, HTTP_X_TWILIO_SIGNATURE=signature)


def test_signed_stop_opts_out_and_answers_empty_twiml(settings, patient, caplog):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    _sms_on(patient)
    client = Client(enforce_csrf_checks=True)  # the provider has no CSRF token
    with caplog.at_level(logging.DEBUG):
        response = _post_signed(client, {"From": PHONE, "Body": " Stop "})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode().endswith("<Response/>")
    assert not ContactPreference.objects.get(user=patient).sms_allowed
    assert PHONE not in caplog.text and "5550123" not in caplog.text and "Stop" not in caplog.text


def test_signature_is_also_checked_against_the_public_site_url(settings, patient):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SITE_URL = "https://clinic.example"
    _sms_on(patient)
    data = {"From": PHONE, "Body": "STOP"}
    params = QueryDict(mutable=True)
    params.update(data)
    signature = twilio_signature(TOKEN, "https://clinic.example" + INBOUND, params)
    assert _post_signed(Client(), data, signature=signature).status_code == 200
    assert not ContactPreference.objects.get(user=patient).sms_allowed


@pytest.mark.parametrize(
    "signature", ["", "bm90IGEgc2lnbmF0dXJl", "é-non-ascii", "RSOYDt4T1cUTdK1PDd93/VVr8B8="]
)
def test_bad_or_missing_signature_is_refused(settings, patient, signature):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    _sms_on(patient)
    response = _post_signed(Client(), {"From": PHONE, "Body": "STOP"}, signature=signature)
    assert response.status_code == 403
    assert ContactPreference.objects.get(user=patient).sms_allowed


def test_signed_with_another_token_is_refused(settings, patient):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    _sms_on(patient)
    response = _post_signed(Client(), {"From": PHONE, "Body": "STOP"}, token="other")
    assert response.status_code == 403
    assert ContactPreference.objects.get(user=patient).sms_allowed


def test_tampered_body_is_refused(settings, patient):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    _sms_on(patient)
    params = QueryDict(mutable=True)
    params.update({"From": "+10000000000", "Body": "STOP"})
    signature = twilio_signature(TOKEN, "http://testserver" + INBOUND, params)
    response = _post_signed(Client(), {"From": PHONE, "Body": "STOP"}, signature=signature)
    assert response.status_code == 403


def test_without_a_token_only_development_accepts(settings, patient):
    settings.TWILIO_AUTH_TOKEN = ""
    _sms_on(patient)
    settings.DEBUG = False
    assert Client().post(INBOUND, {"From": PHONE, "Body": "STOP"}).status_code == 403
    assert ContactPreference.objects.get(user=patient).sms_allowed
    settings.DEBUG = True
    assert Client().post(INBOUND, {"From": PHONE, "Body": "STOP"}).status_code == 200
    assert not ContactPreference.objects.get(user=patient).sms_allowed


def test_start_opts_back_in_and_other_words_change_nothing(settings, patient, other_patient):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    _with_phone(patient, sms_consent_at=timezone.now(), sms_opted_out_at=timezone.now())
    _sms_on(other_patient).__class__.objects.filter(user=other_patient).update(phone="+15035559999")
    assert _post_signed(Client(), {"From": PHONE, "Body": "hello"}).status_code == 200
    assert not ContactPreference.objects.get(user=patient).sms_allowed
    assert _post_signed(Client(), {"From": PHONE, "Body": "START"}).status_code == 200
    assert ContactPreference.objects.get(user=patient).sms_allowed
    assert ContactPreference.objects.get(user=other_patient).sms_allowed


def test_webhook_refuses_get_and_survives_junk(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    assert Client().get(INBOUND).status_code == 405
    settings.TWILIO_AUTH_TOKEN = ""
    settings.DEBUG = True
    response = Client().post(INBOUND, "not a form", content_type="application/json")
    assert response.status_code == 200  # nothing to act on, still a valid answer
    response = Client().post(INBOUND, {"From": "\x00", "Body": "x" * 5000})
    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_webhook_ignores_who_is_logged_in(request, settings, login, role):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    client = login(request.getfixturevalue(role))
    assert client.post(INBOUND, {"From": PHONE, "Body": "STOP"}).status_code == 403


# --- the clinic admin's reminder times and on-call clinicians ----------------------------------


def _settings_post(formset_rows, on_call=(), initial=None, **extra):
    data = {
        "offsets-TOTAL_FORMS": str(len(formset_rows)),
        "offsets-INITIAL_FORMS": str(len(formset_rows) - 1 if initial is None else initial),
        "offsets-MIN_NUM_FORMS": "0",
        "offsets-MAX_NUM_FORMS": "10",
        "on_call": [str(pk) for pk in on_call],
        **extra,
    }
    for i, row in enumerate(formset_rows):
        for key, value in row.items():
            data[f"offsets-{i}-{key}"] = value
    return data


@pytest.mark.parametrize("role", ROLES)
def test_settings_page_is_for_clinic_admins(request, login, role):
    client = login(request.getfixturevalue(role))
    assert client.get(SETTINGS).status_code == (200 if role == "clinic_admin" else 403)
    response = client.post(SETTINGS, _settings_post([{"hours": "5", "email": "on"}, {}]))
    # No clinician accounts exist here, so nobody needs to be on call.
    assert response.status_code == (302 if role == "clinic_admin" else 403)
    if role != "clinic_admin":
        assert ClinicSettings.load().reminder_offsets[0]["hours"] == 72


def test_anonymous_settings_goes_to_login(client):
    response = client.get(SETTINGS)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_settings_page_shows_the_three_default_rows_and_active_clinicians(
    login, clinic_admin, clinician
):
    make_user("gone@example.com", "clinician", "Former", "Doctor", is_active=False)
    response = login(clinic_admin).get(SETTINGS)
    formset = response.context["formset"]
    assert [f.initial for f in formset.forms[:3]] == [
        {"hours": 72, "email": True, "sms": False},
        {"hours": 24, "email": True, "sms": True},
        {"hours": 2, "email": False, "sms": True},
    ]
    assert len(formset.forms) == 4  # one empty row to add a reminder
    html = response.content.decode()
    assert "Morgan Lee" in html and "Former Doctor" not in html


def test_saving_reminders_and_on_call(login, clinic_admin, clinician):
    rows = [
        {"hours": "72", "email": "on"},
        {"hours": "24", "email": "on", "sms": "on"},
        {"hours": "2", "sms": "on", "DELETE": "on"},
        {"hours": "48", "sms": "on"},
    ]
    response = login(clinic_admin).post(
        SETTINGS, _settings_post(rows, on_call=[clinician.pk], initial=3), follow=True
    )
    assert "saved" in response.content.decode()
    clinic = ClinicSettings.load()
    assert clinic.reminder_offsets == [
        {"hours": 72, "channels": ["email"]},
        {"hours": 48, "channels": ["sms"]},
        {"hours": 24, "channels": ["email", "sms"]},
    ]
    assert list(clinic.on_call_clinicians.all()) == [clinician]


@pytest.mark.parametrize(
    ("row", "field", "text"),
    [
        ({"hours": "0", "email": "on"}, "hours", "from 1 to 336"),
        ({"hours": "337", "email": "on"}, "hours", "from 1 to 336"),
        ({"hours": "abc", "email": "on"}, "hours", "whole number"),
        ({"hours": "1e400", "email": "on"}, "hours", "whole number"),
        ({"hours": "", "email": "on"}, "hours", "Enter how many hours"),
        ({"hours": "12"}, "email", "Tick email, SMS or both."),
    ],
)
def test_bad_reminder_rows_are_explained_next_to_the_field_and_kept(
    login, clinic_admin, clinician, row, field, text
):
    rows = [{"hours": "72", "email": "on"}, row]
    response = login(clinic_admin).post(
        SETTINGS, _settings_post(rows, on_call=[clinician.pk], initial=1)
    )
    assert response.status_code == 200
    bad = response.context["formset"].forms[1]
    assert text in " ".join(bad.errors[field])
    assert f'value="{row["hours"]}"' in response.content.decode() or not row["hours"]
    assert ClinicSettings.load().reminder_offsets[0]["hours"] == 72  # nothing saved


def test_duplicate_hours_and_no_rows_at_all_are_refused(login, clinic_admin, clinician):
    client = login(clinic_admin)
    rows = [{"hours": "24", "email": "on"}, {"hours": "24", "sms": "on"}]
    response = client.post(SETTINGS, _settings_post(rows, on_call=[clinician.pk], initial=1))
    assert "already a reminder 24 hours before" in response.content.decode()
    rows = [{"hours": "24", "email": "on", "DELETE": "on"}, {}]
    response = client.post(SETTINGS, _settings_post(rows, on_call=[clinician.pk], initial=1))
    assert "Keep at least one reminder." in response.content.decode()
    assert len(ClinicSettings.load().reminder_offsets) == 3


def test_on_call_must_name_an_active_clinician(login, clinic_admin, clinician, coordinator):
    client = login(clinic_admin)
    rows = [{"hours": "24", "email": "on"}, {}]
    response = client.post(SETTINGS, _settings_post([{"hours": "9"}, {}], on_call=[]))
    html = response.content.decode()
    assert "Choose at least one clinician" in html and "Tick email, SMS or both." in html
    assert html.count('id="error-summary"') == 1
    response = client.post(SETTINGS, _settings_post(rows, on_call=[coordinator.pk]))
    assert "on_call" in response.context["on_call"].errors
    response = client.post(SETTINGS, _settings_post(rows, on_call=[clinician.pk], initial=1))
    assert response.status_code == 302


def test_settings_survive_a_tampered_form(login, clinic_admin, clinician):
    client = login(clinic_admin)
    assert client.post(SETTINGS, {}).status_code == 200
    data = _settings_post([{"hours": "24", "email": "on"}], on_call=["x"])
    data["offsets-TOTAL_FORMS"] = "100000"
    assert client.post(SETTINGS, data).status_code == 200
    ClinicSettings.objects.filter(pk=1).update(reminder_offsets=[{"bad": 1}, "junk", None])
    assert client.get(SETTINGS).status_code == 200
