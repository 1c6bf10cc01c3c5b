"""The staff review page as a clinician reads it: scores, times, history, the Approve button."""

import re

import pytest
from django.urls import reverse

from intake import demo
from intake.display import score_rows
from intake.questionnaire import visible_answers
from intake.scoring import score_all
from intake.screening import Triage


def _page(client, intake) -> str:
    html = client.get(reverse("staff:intake", args=[intake.pk])).content.decode()
    return re.sub(r"\s+", " ", html)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _rows(answers: dict) -> dict:
    shown = visible_answers(answers)
    return {row.label: row for row in score_rows(score_all(shown), shown)}


@pytest.fixture
def positive_item9(patient):
    return demo.seed_intake(patient=patient, answers=demo.FIBROMYALGIA, submit=True)


def test_phq9_item9_says_positive_once(login, clinician, positive_item9):
    row = _rows(positive_item9.answers)["PHQ-9 item 9"]
    assert (row.band, row.badge) == ("positive", False)
    assert "positive positive" not in _text(_page(login(clinician), positive_item9))


def test_a_positive_band_without_the_word_still_gets_the_badge():
    row = _rows(demo.FIBROMYALGIA)["Fibromyalgia (ACR 2016)"]
    assert row.band == "criteria met" and row.badge


def test_dast10_band_of_one_number_reads_0_none(login, clinician, patient):
    answers = {
        **demo.BASE,
        "drug_use_past_year": "yes",
        **{f"dast_{n}": "no" for n in range(1, 11)},
        "dast_3": "yes",
    }
    intake = demo.seed_intake(patient=patient, answers=answers, submit=True)
    text = _text(_page(login(clinician), intake))
    assert "0–0" not in text
    assert "0 none" in text


def test_acr_criteria_row_shows_the_reading_not_1_of_1(login, clinician, positive_item9):
    html = _page(login(clinician), positive_item9)
    row = re.search(r"Fibromyalgia \(ACR 2016\)</th>(.*?)</tr>", html).group(1)
    assert "1 / 1" not in row and "0 / 1" not in row
    assert "criteria met" in row


def test_budapest_is_not_applicable_without_crps(login, clinician, positive_item9):
    assert "crps_1" not in positive_item9.answers["diagnoses"]
    html = _page(login(clinician), positive_item9)
    row = re.search(r"Budapest symptoms \(CRPS\)</th>(.*?)</tr>", html).group(1)
    assert "not applicable" in row and "incomplete" not in row


def test_budapest_with_crps_still_scores(login, clinician, patient):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    html = _page(login(clinician), intake)
    row = re.search(r"Budapest symptoms \(CRPS\)</th>(.*?)</tr>", html).group(1)
    assert "/ 4" in row and "not applicable" not in row


def test_times_at_the_end_of_a_sentence_have_one_period(login, clinician, patient):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    staff = _text(_page(login(clinician), intake))
    assert re.search(r"screened \w+ \d+, \d{4} \d+:\d\d [ap]\.m\.", staff)
    assert "m.." not in staff
    mine = login(patient).get(reverse("intake:detail", args=[intake.pk])).content.decode()
    assert "m.." not in _text(mine)


def test_history_shows_status_and_triage_labels_not_codes(login, clinician, positive_item9):
    text = _text(_page(login(clinician), positive_item9))
    assert "In progress → Submitted" in text
    assert "in_progress" not in text
    assert f"triage {Triage(positive_item9.triage).label}" in text
    assert not re.search(r"triage (urgent|stop|review|clear)\b", text)


def test_approve_is_visibly_disabled_while_a_stop_flag_is_open(login, clinician, patient):
    answers = {**demo.BASE, "health_conditions": ["eye_pressure"]}
    intake = demo.seed_intake(patient=patient, answers=answers, submit=True)
    html = _page(login(clinician), intake)
    button = re.search(r"<button[^>]*>Approve for consultation</button>", html).group(0)
    assert " disabled" in button and 'aria-disabled="true"' in button
    assert 'aria-describedby="approve-blocked"' in button
    assert "open stop flag" in _text(html)


def test_approve_is_enabled_without_open_stop_flags(login, clinician, patient):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    assert not intake.open_stop_flags
    html = _page(login(clinician), intake)
    button = re.search(r"<button[^>]*>Approve for consultation</button>", html).group(0)
    assert "disabled" not in button
