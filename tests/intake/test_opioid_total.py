"""The live daily-opioid box on the opioid step: worked out on the server from the rows as
typed, with the review page's rules (combination tablets included), in patient words."""

import re

import pytest
from django.urls import reverse

from intake import services
from intake.demo import BASE
from tests.intake.helpers import post_data, step_url
from tests.words import says

pytestmark = pytest.mark.django_db


@pytest.fixture
def intake(patient):
    return services.start_intake(patient=patient)


@pytest.fixture
def alice(login, patient, intake):
    return login(patient)


def total_url(key="opioids"):
    return reverse("intake:opioid_total", args=[key])


def box(client, *rows) -> str:
    data = post_data("opioids", {**BASE, "takes_opioids": "yes", "opioids": list(rows)}, None)
    response = client.post(total_url(), data)
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.json()["html"])


def test_oxycodone_10_mg_four_times_a_day_reads_60_in_morphine_equivalents(alice):
    html = box(alice, {"drug": "oxycodone", "strength": 10, "doses_per_day": 4})
    assert "Your daily opioid amount: 60 a day" in html
    assert "morphine equivalents" in html
    assert "MME" not in html and "PEG" not in html


def test_percocet_325_is_the_acetaminophen_and_is_not_counted_with_the_reason(alice):
    # The old in-page arithmetic showed 1950 here (325 x 4 x 1.5).
    html = box(
        alice, {"drug": "oxycodone", "product": "Percocet", "strength": 325, "doses_per_day": 4}
    )
    assert "1950" not in html
    assert "Add your opioid medicines" in html
    assert "Row 1 (strength) is not counted yet: 325 mg is the acetaminophen in Percocet." in html


def test_percocet_5_counts_its_oxycodone_part_beside_tramadol(alice):
    html = box(
        alice,
        {"drug": "oxycodone", "product": "Percocet 5/325", "strength": 5, "doses_per_day": 4},
        {"drug": "tramadol", "strength": 50, "doses_per_day": 2},
    )
    # 5 x 4 x 1.5 = 30, 50 x 2 x 0.2 = 20 (CDC 2022).
    assert "Your daily opioid amount: 50 a day" in html


def test_the_box_agrees_with_the_review_page_once_saved(alice, intake):
    rows = [
        {"drug": "oxycodone", "product": "Percocet", "strength": 7.5, "doses_per_day": 3},
        {"drug": "buprenorphine", "strength": 8, "doses_per_day": 1},
    ]
    html = box(alice, *rows)
    answers = {**BASE, "takes_opioids": "yes", "opioids": rows}
    assert alice.post(step_url("opioids"), post_data("opioids", answers)).status_code == 302
    review = alice.get(reverse("intake:review"))
    assert review.context["mme"].total == 33.8
    assert "Your daily opioid amount: 33.8 a day" in html
    assert "Buprenorphine is recorded but not counted" in html
    page = review.content.decode()
    assert "33.8 a day" in page
    assert "How your pain affects you" in page
    assert not says(page, "MME") and not says(page, "PEG")


def test_the_opioid_step_draws_the_box_from_the_saved_rows(alice):
    rows = [{"drug": "oxycodone", "strength": 10, "doses_per_day": 4}]
    answers = {**BASE, "takes_opioids": "yes", "opioids": rows}
    alice.post(step_url("opioids"), post_data("opioids", answers))
    page = alice.get(step_url("opioids")).content.decode()
    assert re.search(
        r'id="mme-live"[^>]*>\s*<p class="mb-1"><strong>Your daily opioid amount: 60 a day', page
    )


def test_the_box_saves_nothing(alice, intake):
    box(alice, {"drug": "oxycodone", "strength": 10, "doses_per_day": 4})
    intake.refresh_from_db()
    assert "opioids" not in intake.answers
    assert "opioids" not in intake.drafts


def test_only_post_on_a_step_with_opioids(alice):
    assert alice.get(total_url()).status_code == 405
    assert alice.post(total_url("about"), {}).status_code == 404


@pytest.mark.parametrize("role", ["clinician", "coordinator", "clinic_admin"])
def test_staff_cannot_use_the_patient_box(login, people, intake, role):
    assert login(people[role]).post(total_url(), {}).status_code == 403


def test_another_patient_without_an_open_intake_gets_nothing(login, other_patient, intake):
    assert login(other_patient).post(total_url(), {}).status_code == 409


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.post(total_url(), {})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
