"""A new consent version asks patients who signed an older one to re-sign before booking."""

import pytest
from django.urls import reverse

from intake import services, settings_services
from intake.models import ConsentSignature, ConsentText

NEW_BODY = "Updated: infusions now include a 30-minute observation period afterwards."


def _publish(author):
    return settings_services.publish_consent_text(
        title="Consent to ketamine infusion assessment", body=NEW_BODY, author=author
    )


@pytest.fixture
def signed_v1(approved_patient):
    """Alice, approved, signed the consent version that was current at her intake."""
    assert services.last_signed_consent_version(approved_patient) == ConsentText.current().version
    return approved_patient


def test_a_patient_who_signed_the_current_version_need_not_re_sign(signed_v1):
    assert services.needs_consent_resign(signed_v1) is None


def test_a_patient_who_never_signed_is_not_asked_here_they_sign_in_the_intake(patient):
    assert services.needs_consent_resign(patient) is None


def test_publishing_a_new_version_asks_earlier_signers_to_re_sign_until_they_do(
    signed_v1, clinic_admin
):
    new = _publish(clinic_admin)
    assert services.needs_consent_resign(signed_v1) == new
    services.resign_consent(
        patient=signed_v1,
        consent_text=new,
        signed_name="Alice Anderson",
        ip="10.0.0.1",
        user_agent="test",
    )
    assert services.needs_consent_resign(signed_v1) is None
    row = ConsentSignature.objects.get(patient=signed_v1)
    assert (row.consent_text, row.signed_name, row.ip) == (new, "Alice Anderson", "10.0.0.1")


def test_re_signing_needs_a_typed_name_and_the_version_still_current(signed_v1, clinic_admin):
    old = ConsentText.current()
    new = _publish(clinic_admin)
    with pytest.raises(services.ConsentNotSigned):
        services.resign_consent(
            patient=signed_v1, consent_text=new, signed_name="  ", ip=None, user_agent=""
        )
    with pytest.raises(services.ConsentNotSigned):
        services.resign_consent(
            patient=signed_v1, consent_text=old, signed_name="Alice", ip=None, user_agent=""
        )
    assert not ConsentSignature.objects.exists()


# ------------------------------------------------------------------ the pages


def test_booking_sends_the_patient_to_re_sign_kindly_and_back_to_the_same_booking(
    client, signed_v1, clinic_admin
):
    _publish(clinic_admin)
    client.force_login(signed_v1)
    booking = reverse("consultations:book") + "?type=1&mode=in_person"
    response = client.get(booking)
    assert response.status_code == 302
    assert response.url.startswith(reverse("intake:consent_resign"))
    page = client.get(response.url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "We have updated the consent information" in text and NEW_BODY in text

    signed = client.post(
        response.url,
        {"version": ConsentText.current().version, "agree": "on", "signed_name": "Alice Anderson"},
    )
    assert signed.status_code == 302 and signed.url == booking
    assert client.get(reverse("consultations:book")).status_code == 200


def test_confirming_a_slot_also_waits_for_the_new_signature(client, signed_v1, clinic_admin):
    _publish(clinic_admin)
    client.force_login(signed_v1)
    response = client.post(reverse("consultations:confirm"), {})
    assert response.status_code == 302
    assert response.url.startswith(reverse("intake:consent_resign"))


def test_signing_without_agreeing_says_so_and_keeps_the_typed_name(client, signed_v1, clinic_admin):
    _publish(clinic_admin)
    client.force_login(signed_v1)
    data = {"version": ConsentText.current().version, "signed_name": "Alice Anderson"}
    response = client.post(reverse("intake:consent_resign"), data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Tick the box to say you agree." in text and 'value="Alice Anderson"' in text
    assert services.needs_consent_resign(signed_v1) is not None


def test_a_version_published_while_reading_is_shown_instead_of_signed(
    client, signed_v1, clinic_admin
):
    read = _publish(clinic_admin)
    settings_services.publish_consent_text(title="Consent", body="Newer still", author=clinic_admin)
    client.force_login(signed_v1)
    data = {"version": read.version, "agree": "on", "signed_name": "Alice Anderson"}
    response = client.post(reverse("intake:consent_resign"), data)
    assert response.status_code == 200 and "Newer still" in response.content.decode()
    assert not ConsentSignature.objects.exists()


def test_a_patient_with_nothing_to_sign_goes_straight_on_and_never_off_site(client, signed_v1):
    client.force_login(signed_v1)
    response = client.get(reverse("intake:consent_resign") + "?next=https://evil.example/")
    assert response.status_code == 302 and response.url == reverse("consultations:book")


@pytest.mark.parametrize("role", ["coordinator", "clinician", "clinic_admin"])
def test_the_re_sign_page_is_for_patients(login, people, role):
    assert login(people[role]).get(reverse("intake:consent_resign")).status_code == 403


def test_an_intake_signed_before_versions_were_stored_counts_as_version_0(signed_v1):
    from intake.models import Intake

    Intake.objects.filter(patient=signed_v1).update(consent_text=None)
    assert services.last_signed_consent_version(signed_v1) == 0
    current = ConsentText.current()
    assert services.needs_consent_resign(signed_v1) == (current if current.version > 0 else None)


def test_the_check_before_booking_is_one_query(signed_v1, clinic_admin, django_assert_num_queries):
    new = _publish(clinic_admin)
    with django_assert_num_queries(2):  # and the text to sign
        assert services.needs_consent_resign(signed_v1) == new
    services.resign_consent(
        patient=signed_v1, consent_text=new, signed_name="Alice", ip="10.0.0.1", user_agent="t"
    )
    with django_assert_num_queries(1):
        assert services.needs_consent_resign(signed_v1) is None
