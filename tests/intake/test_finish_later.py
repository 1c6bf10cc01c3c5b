""" "Save and finish later": the step is saved, an email carries a name and a link back to
that step (nothing answered), the link needs a login and lands on the step, and the page
says so kindly. The progress bar says about how many minutes are left."""

import pytest
from django.core import mail
from django.urls import reverse

from intake import demo, services
from intake.models import Intake

CLINICAL = ("CRPS", "oxycodone", "opioid", "Blue Cross", "Springfield", "Anderson")


@pytest.fixture
def started(patient):
    answers = demo.answers_for_steps(demo.BASE, ("about", "pain"))
    return demo.seed_intake(patient=patient, answers=answers, submit=False)


def _later(client, key, data, capture):
    with capture(execute=True):
        return client.post(reverse("intake:step", args=[key]), {**data, "action": "later"})


def test_finish_later_saves_the_step_and_emails_a_link_back_to_it(
    client, patient, started, django_capture_on_commit_callbacks
):
    client.force_login(patient)
    response = _later(
        client, "health", {"high_blood_pressure": "no"}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 302 and response.url == reverse("intake:portal")
    assert Intake.objects.get(pk=started.pk).answers["high_blood_pressure"] == "no"
    (email,) = [m for m in mail.outbox if m.subject.startswith("Your intake is saved")]
    assert email.to == [patient.email]
    assert email.body.startswith("Hello Alice,")
    assert f"http://127.0.0.1:8000{reverse('intake:step', args=['health'])}" in email.body
    assert '"Your health"' in email.body
    for word in CLINICAL:
        assert word.lower() not in email.body.lower()
    page = client.get(response.url)
    assert "We have emailed you a link back to “Your health”" in page.content.decode()


def test_the_link_needs_a_login_and_then_lands_on_that_step(client, patient, started):
    url = reverse("intake:step", args=["health"])
    response = client.get(url)
    assert response.status_code == 302 and "login" in response.url
    client.force_login(patient)
    assert client.get(url).status_code == 200


def test_finish_later_keeps_invalid_typing_without_an_error_page(
    client, patient, started, django_capture_on_commit_callbacks
):
    client.force_login(patient)
    response = _later(
        client, "about", {"postal_code": "x" * 50}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert any(m.subject.startswith("Your intake is saved") for m in mail.outbox)


def test_every_step_offers_finish_later_and_a_minutes_left_estimate(client, patient, started):
    client.force_login(patient)
    html = client.get(reverse("intake:step", args=["about"])).content.decode()
    assert 'value="later"' in html and "Save and finish later" in html
    assert 'role="progressbar"' in html and "minutes left" in html


def test_a_fieldset_groups_the_address_under_one_legend(client, patient, started):
    client.force_login(patient)
    html = client.get(reverse("intake:step", args=["about"])).content.decode()
    assert '<legend class="h6 fw-semibold">Home address</legend>' in html


def test_an_unknown_step_cannot_be_emailed(started):
    with pytest.raises(ValueError):
        services.email_finish_later_link(intake=started, step="review")


def test_the_legal_name_is_prefilled_from_sign_up(patient):
    intake = services.start_intake(patient=patient)
    assert intake.answers["legal_first_name"] == patient.first_name
