"""The intake's length (intake/length.py) and the answers derived instead of asked
(intake/questionnaire/derived.py): the issue-13 persona within 90 questions and 30 minutes,
the ORT-OUD age item from the date of birth, old drafts scoring as before."""

import datetime as dt
from statistics import median

import pytest

from intake import demo, length
from intake.questionnaire import SECTION_BY_KEY, visible_answers
from intake.questionnaire.derived import derive_answers, ort_age_item
from intake.scoring import score_all
from intake.services import KNOWN_FROM_SIGN_UP

TODAY = dt.date(2026, 12, 1)


# Issue 13's target: 90 questions and 30 minutes at a phone reading pace, for its persona
# and for the median of the demo personas. The legal name is prefilled from sign-up.
LIMIT_QUESTIONS, LIMIT_MINUTES = 90, 30


def _measure(answers):
    return length.measure(answers, prefilled=KNOWN_FROM_SIGN_UP)


def test_the_issue_persona_sees_at_most_90_questions_in_at_most_30_minutes():
    measured = _measure(demo.ISSUE_PERSONA)
    assert measured.questions <= LIMIT_QUESTIONS
    assert measured.minutes <= LIMIT_MINUTES


def test_the_median_demo_persona_sees_at_most_90_questions_in_at_most_30_minutes():
    measured = [_measure(answers) for answers in demo.PERSONAS.values()]
    assert median(m.questions for m in measured) <= LIMIT_QUESTIONS
    assert median(m.minutes for m in measured) <= LIMIT_MINUTES


def test_a_prefilled_answer_costs_only_its_reading():
    typed = length.measure(demo.BASE)
    prefilled = _measure(demo.BASE)
    assert prefilled.questions == typed.questions
    assert prefilled.seconds == typed.seconds - len(KNOWN_FROM_SIGN_UP) * length.TYPED


def test_the_readme_table_is_the_one_the_command_prints():
    from pathlib import Path

    from intake.management.commands.intake_length import table

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert table() in readme


def test_a_fieldset_counts_as_one_question_and_each_of_its_fields_as_an_input():
    about = SECTION_BY_KEY["about"]
    blocks = length.blocks(about, demo.BASE)
    address = next(b for b in blocks if b[0].key == "address_line1")
    assert [q.key for q in address] == [
        "address_line1",
        "address_line2",
        "city",
        "state",
        "postal_code",
    ]
    measured = length.measure(demo.BASE, sections=(about,))
    assert measured.questions == len(blocks)
    assert measured.inputs == len(about.visible_questions(demo.BASE))


def test_a_closed_gate_makes_the_intake_shorter():
    no_drugs = length.measure(demo.BASE)
    drugs = length.measure({**demo.BASE, "drug_use_past_year": "yes"})
    assert drugs.questions == no_drugs.questions + 10
    assert drugs.seconds > no_drugs.seconds


def test_minutes_left_shrink_step_by_step_and_are_none_past_the_last():
    keys = [s.key for s in demo_sections()]
    left = [length.minutes_left(demo.BASE, from_key=k) for k in keys]
    assert left == sorted(left, reverse=True)
    assert left[0] >= 20
    assert length.minutes_left(demo.BASE, from_key="review") == 0


def demo_sections():
    from intake.questionnaire import SECTIONS

    return SECTIONS


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        ("2010-12-01", "yes"),  # 16 today
        ("2010-12-02", "no"),  # 16 tomorrow
        ("1980-12-01", "no"),  # 46 today
        ("1980-12-02", "yes"),  # 45 until tomorrow
        ("1980-05-14", "no"),  # the issue's persona, 46
        ("2008-02-29", "yes"),  # leap-day birthday, 18
        ("not a date", None),
        ("", None),
    ],
)
def test_the_ort_oud_age_item_is_worked_out_from_the_date_of_birth(born, expected):
    assert ort_age_item(born, TODAY) == expected


def test_a_leap_day_birthday_turns_16_on_the_first_of_march():
    assert ort_age_item("2012-02-29", dt.date(2028, 2, 28)) == "no"
    assert ort_age_item("2012-02-29", dt.date(2028, 2, 29)) == "yes"
    assert ort_age_item("2011-02-28", dt.date(2027, 2, 28)) == "yes"


def test_ort_oud_scores_the_derived_age_item():
    young = derive_answers({**demo.BASE, "date_of_birth": "1990-01-01"}, today=TODAY)
    old = derive_answers({**demo.BASE, "date_of_birth": "1950-01-01"}, today=TODAY)
    assert young["ort_7"] == "yes" and old["ort_7"] == "no"
    young_score = score_all(visible_answers(young))["ORT_OUD"].value
    assert young_score == score_all(visible_answers(old))["ORT_OUD"].value + 1


def test_checklists_write_the_old_yes_no_answers():
    answers = derive_answers(
        {
            "health_conditions": ["seizures", "sleep_apnea"],
            "ort_family": ["alcohol"],
            "ort_personal": ["none"],
            "ort_psychological": ["depression"],
            "takes_opioids": "yes",
            "opioid_situation": ["wants_less"],
        },
        today=TODAY,
    )
    assert answers["seizures"] == answers["sleep_apnea"] == "yes"
    assert answers["psychosis_history"] == answers["bladder_problems"] == "no"
    assert [answers[f"ort_{n}"] for n in (1, 2, 3, 4, 5, 6, 8, 9)] == [
        "yes",
        "no",
        "no",
        "no",
        "no",
        "no",
        "no",
        "yes",
    ]
    assert answers["wants_to_reduce_opioids"] == "yes"
    assert answers["naloxone_at_home"] == answers["opioid_dose_increased_pain_worse"] == "no"
    assert answers["liver_disease"] == "no"


def test_liver_disease_keeps_its_severity_through_the_checklist():
    ticked = derive_answers(
        {"health_conditions": ["liver"], "liver_severity": "moderate"}, today=TODAY
    )
    assert ticked["liver_disease"] == "moderate"
    old = derive_answers({"liver_disease": "severe", **_old_health_no()}, today=TODAY)
    assert old["health_conditions"] == ["liver"] and old["liver_severity"] == "severe"


def _old_health_no() -> dict:
    keys = [q.key for q in SECTION_BY_KEY["health"].derived if q.key != "liver_disease"]
    return dict.fromkeys(keys, "no")


def test_an_old_draft_finds_its_checklists_filled_and_scores_as_before():
    old = {
        **{f"ort_{n}": "no" for n in range(1, 10)},
        "ort_4": "yes",
        "ort_7": "yes",
        **_old_health_no(),
        "seizures": "yes",
        "liver_disease": "no",
        "date_of_birth": "1979-04-23",
    }
    derived = derive_answers(old, today=TODAY)
    assert derived["ort_personal"] == ["alcohol"]
    assert derived["ort_family"] == ["none"]
    assert derived["health_conditions"] == ["seizures"]
    assert derived["seizures"] == "yes"
    # The stored old ORT-OUD answers score as they did (the age item from the birth date).
    assert score_all(visible_answers(old))["ORT_OUD"].value == 2
    assert score_all(visible_answers(derived))["ORT_OUD"].value == 1


def test_no_drug_use_scores_dast10_zero_without_asking_its_items():
    score = score_all(visible_answers(demo.BASE))["DAST10"]
    assert score.complete and score.value == 0 and score.band == "none"
    old = {f"dast_{n}": "no" for n in range(1, 11)} | {"dast_3": "yes", "dast_1": "yes"}
    assert score_all(visible_answers(old))["DAST10"].value == 1  # a draft before the gate


@pytest.mark.django_db
def test_the_landing_page_and_portal_promise_what_the_first_step_estimates(client, patient):
    from django.urls import reverse

    from intake.questionnaire import SECTIONS

    minutes = length.minutes_left({}, from_key=SECTIONS[0].key)
    assert minutes <= LIMIT_MINUTES
    landing = client.get(reverse("landing")).content.decode()
    assert f"About {minutes} minutes, longer if you have tried many treatments" in landing
    client.force_login(patient)
    portal = client.get(reverse("intake:portal")).content.decode()
    assert f"It takes about {minutes} minutes" in portal
    assert "45 minutes" not in landing + portal
