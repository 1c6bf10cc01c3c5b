"""Pure modules: the order of steps (steps.py), answers as people read them (display.py) and
height/weight conversion (units.py). Literals only, no database."""

from decimal import Decimal

import pytest

from intake import steps
from intake.demo import BASE, FIBROMYALGIA, NO_OPIOIDS_METRIC
from intake.display import NOT_ANSWERED, answered_sections, format_answer, format_row
from intake.questionnaire import QUESTION_BY_KEY, SECTION_BY_KEY, SECTIONS
from intake.units import body_metrics

Q = QUESTION_BY_KEY
OXY_ROW = {
    "drug": "oxycodone",
    "strength": 10.0,
    "doses_per_day": 4.0,
    "started": "2021-06",
    "prescriber": "Dr. Rivera",
    "drug_other": "",
}

# ------------------------------------------------------------------------------- steps


def _keys(step_list):
    return [s.key for s in step_list]


def test_steps_are_the_sections_in_order_then_review():
    assert _keys(steps.ALL_STEPS) == [s.key for s in SECTIONS] + ["review"]
    assert [s.number for s in steps.ALL_STEPS] == list(range(1, 13))
    assert steps.TOTAL == 12
    assert steps.STEP_BY_KEY["review"].section is None
    assert steps.STEP_BY_KEY["opioids"].section is SECTION_BY_KEY["opioids"]


def test_every_step_applies_to_every_patient():
    for answers in ({}, BASE, FIBROMYALGIA, NO_OPIOIDS_METRIC):
        assert steps.applicable_steps(answers) == list(steps.ALL_STEPS)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("about", "pain"),
        ("opioids", "medications"),
        ("consent", "review"),
        ("review", "review"),
        ("unknown", "about"),
    ],
)
def test_next_step(key, expected):
    assert steps.next_step(key, {}).key == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [("about", "about"), ("pain", "about"), ("mood", "health"), ("review", "consent")],
)
def test_previous_step(key, expected):
    assert steps.previous_step(key, {}).key == expected


def test_a_step_is_complete_when_no_visible_required_answer_is_missing():
    about = steps.STEP_BY_KEY["about"]
    assert steps.is_complete(about, BASE)
    assert not steps.is_complete(about, {**BASE, "city": "  "})
    assert steps.is_complete(steps.STEP_BY_KEY["review"], {})


def test_missing_in_lists_only_questions_the_patient_can_see():
    metric = {**BASE, "measurement_system": "metric"}
    assert [q.key for q in steps.missing_in(SECTION_BY_KEY["about"], metric)] == [
        "height_cm",
        "weight_kg",
    ]
    email = {**BASE, "reminder_channel": "email", "sms_consent": None}
    assert steps.missing_in(SECTION_BY_KEY["about"], email) == []


def test_optional_diagnoses_step_is_complete_when_nothing_is_ticked():
    assert steps.missing_in(SECTION_BY_KEY["diagnoses"], {}) == []


def test_crps_follow_up_questions_are_required_once_crps_is_ticked():
    missing = steps.missing_in(SECTION_BY_KEY["diagnoses"], {"diagnoses": ["crps_1"]})
    assert [q.key for q in missing] == ["crps_limbs", "crps_disproportionate_pain"]


# ----------------------------------------------------------------------------- display


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("sex_at_birth", "female", "Female"),
        ("state", "VA", "Virginia"),
        ("takes_opioids", "yes", "Yes"),
        ("phq9_1", "2", "More than half the days"),
        ("pain_regions", ["neck", "lower_back"], "Neck, Lower back"),
        ("peg_pain", 7, "7 / 10"),
        ("peg_pain", 0, "0 / 10"),
        ("weight_lb", 150.0, "150 lb"),
        ("weight_kg", 82.5, "82.5 kg"),
        ("height_ft", 5, "5 ft"),
        ("dx_crps_1_year", 2021, "2021"),
        ("date_of_birth", "1979-04-23", "April 23, 1979"),
        ("pain_started", "2021-03", "March 2021"),
        ("mobile_phone", "+12025550143", "(202) 555-0143"),
        ("main_complaint", "Burning\nfoot", "Burning\nfoot"),
        ("consent_privacy", True, "Yes, I agree"),
    ],
)
def test_format_answer_reads_like_the_patient_chose_it(key, value, text):
    assert format_answer(Q[key], value) == text


@pytest.mark.parametrize("value", [None, "", "   ", []])
@pytest.mark.parametrize("key", ["legal_first_name", "pain_regions", "state", "opioids"])
def test_empty_answers_read_not_answered(key, value):
    assert format_answer(Q[key], value) == NOT_ANSWERED


@pytest.mark.parametrize("value", [None, False, "on", "yes"])
def test_consent_reads_agreed_only_for_true(value):
    assert format_answer(Q["consent_privacy"], value) == NOT_ANSWERED


def test_unknown_choice_value_is_shown_as_stored():
    assert format_answer(Q["state"], "ZZ") == "ZZ"
    assert format_answer(Q["pain_regions"], ["neck", "elbow"]) == "Neck, elbow"


def test_opioid_row_reads_as_a_line_skips_blanks_and_gives_patch_strength_in_mcg_per_h():
    assert format_row(Q["opioids"], OXY_ROW) == (
        "Medicine: Oxycodone (OxyContin, Percocet, Roxicodone), Strength: 10 mg, "
        "Doses per day: 4, When did you start it?: June 2021, Who prescribes it?: Dr. Rivera"
    )
    patch = {"drug": "fentanyl_patch", "strength": 25, "doses_per_day": None}
    assert format_row(Q["opioids"], patch) == (
        "Medicine: Fentanyl patch (mcg/h), Strength: 25 mcg/h"
    )


def test_repeat_answer_joins_rows_and_ignores_rows_that_are_not_dicts():
    rows = [OXY_ROW, "junk", {"drug": "tramadol", "strength": 50, "doses_per_day": 4}]
    text = format_answer(Q["opioids"], rows)
    assert text.count("; ") == 1
    assert text.endswith("Medicine: Tramadol (Ultram), Strength: 50 mg, Doses per day: 4")


def test_answered_sections_lists_every_section_with_visible_questions_only():
    sections = answered_sections(BASE)
    assert [s.section.key for s in sections] == [s.key for s in SECTIONS]
    about = {item.question.key: item for item in sections[0].items}
    assert about["weight_lb"].text == "150 lb"
    assert "weight_kg" not in about  # metric questions are hidden for a US patient
    assert about["address_line2"].text == NOT_ANSWERED


def test_answered_sections_gives_one_line_per_repeat_row():
    opioids = answered_sections(BASE, keys=("opioids",))
    assert [s.section.key for s in opioids] == ["opioids"]
    item = next(i for i in opioids[0].items if i.question.key == "opioids")
    assert item.rows == (format_row(Q["opioids"], BASE["opioids"][0]),)


def test_answered_sections_drops_follow_ups_when_the_gate_closes():
    no_opioids = answered_sections({**BASE, "takes_opioids": "no"}, keys=("opioids",))
    keys = {item.question.key for item in no_opioids[0].items}
    assert "opioids" not in keys
    assert "opioid_situation" not in keys and "naloxone_at_home" not in keys
    assert "ort_family" in keys  # ORT-OUD is asked of every patient


# ------------------------------------------------------------------------------- units


def _metrics(**answers):
    return body_metrics(answers)


def test_us_height_and_weight_convert_to_metric_rounded_to_one_place():
    assert _metrics(measurement_system="us", height_ft=5, height_in=6, weight_lb=150) == (
        Decimal("167.6"),
        Decimal("68.0"),
    )
    assert _metrics(measurement_system="us", height_ft=6, height_in=0, weight_lb=200.5) == (
        Decimal("182.9"),
        Decimal("90.9"),
    )


def test_metric_height_and_weight_are_kept_rounded_half_up():
    assert _metrics(measurement_system="metric", height_cm=180, weight_kg=82.5) == (
        Decimal("180.0"),
        Decimal("82.5"),
    )
    assert _metrics(measurement_system="metric", height_cm="170", weight_kg="70.25") == (
        Decimal("170.0"),
        Decimal("70.3"),
    )


def test_missing_inches_count_as_zero_but_missing_feet_give_no_height():
    assert _metrics(measurement_system="us", height_ft=5)[0] == Decimal("152.4")
    assert _metrics(measurement_system="us", height_in=6, weight_lb=150) == (
        None,
        Decimal("68.0"),
    )


def test_no_measurement_system_gives_no_metrics():
    assert _metrics(height_cm=180, weight_kg=80) == (None, None)
    assert _metrics(measurement_system="imperial", height_ft=5) == (None, None)


def test_answers_of_the_other_system_are_ignored():
    stale_us = {"height_ft": 5, "height_in": 6, "weight_lb": 150}
    assert _metrics(measurement_system="metric", **stale_us) == (None, None)


@pytest.mark.parametrize("junk", ["", None, "abc", [], "NaN", "Infinity", "-inf", float("nan")])
def test_unreadable_values_give_none_rather_than_an_error(junk):
    assert _metrics(measurement_system="metric", height_cm=junk, weight_kg=junk) == (None, None)
    assert _metrics(measurement_system="us", height_ft=junk, weight_lb=junk) == (None, None)


def test_each_form_has_its_own_fields_though_their_choices_are_shared():
    """Forms share their fields' choice lists (forms._QuestionFields): what one form's
    rendering changes on its fields, widgets or choices never reaches the next form."""
    from intake.forms import form_class

    pain = SECTION_BY_KEY["pain"]
    first = form_class(pain)(answers={})
    first.fields["pain_onset"].widget.attrs["class"] = "drawn-once"
    first.fields["pain_onset"].choices = [("only", "Only this form")]
    first.fields["pain_onset"].error_messages["required"] = "changed"
    second = form_class(pain)(answers={})
    assert "class" not in second.fields["pain_onset"].widget.attrs
    assert [v for v, _ in second.fields["pain_onset"].choices] == [
        c.value for c in QUESTION_BY_KEY["pain_onset"].choices
    ]
    assert [v for v, _ in second.fields["pain_onset"].widget.choices][0] == "injury"
    assert second.fields["pain_onset"].error_messages["required"] != "changed"
    assert second.fields["pain_onset"] is not first.fields["pain_onset"]
