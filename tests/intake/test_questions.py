"""Structural invariants of the questionnaire (intake.questionnaire) and medication recognition."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.medications import MEDICATION_CLASSES, recognise
from intake.questionnaire import (
    QUESTION_BY_KEY,
    SECTION_BY_KEY,
    SECTIONS,
    TYPES,
    Question,
    ShowIf,
    iter_questions,
    missing_answers,
    visible_answers,
)
from intake.scoring import INSTRUMENT_ITEMS, OPIOID_CHOICES, WPI_REGIONS, item_points

ALL_QUESTIONS = list(iter_questions())
SUB_QUESTIONS = [f for q in ALL_QUESTIONS for f in q.fields]


def _missing_keys(answers):
    return {q.key for _, q in missing_answers(answers)}


def _answer_for(question):
    """A valid answer for any question, so a fully answered intake can be built."""
    if question.type in ("choice", "select", "yesno"):
        return question.choices[0].value
    if question.type == "multi":
        return [question.choices[0].value]
    if question.type in ("integer", "decimal", "scale"):
        return question.min_value if question.min_value is not None else 1
    if question.type == "consent":
        return True
    if question.type == "repeat":
        return [{f.key: _answer_for(f) for f in question.fields}]
    return {"date": "1980-04-23", "month": "2020-01"}.get(question.type, "text")


# ---------------------------------------------------------------------- structure


def test_the_eleven_sections_in_order():
    assert [s.key for s in SECTIONS] == [
        "about",
        "pain",
        "diagnoses",
        "treatments",
        "opioids",
        "medications",
        "health",
        "mood",
        "goals",
        "care",
        "consent",
    ]
    assert set(SECTION_BY_KEY) == {s.key for s in SECTIONS}


def test_keys_are_unique_snake_case_across_questions_and_sub_questions():
    keys = [q.key for q in ALL_QUESTIONS + SUB_QUESTIONS]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in keys)
    # The questions asked and, not asked, those derived from them (questionnaire/derived.py).
    derived = [q.key for s in SECTIONS for q in s.derived]
    assert not set(derived) & set(keys)
    assert sorted(QUESTION_BY_KEY) == sorted([q.key for q in ALL_QUESTIONS] + derived)


@pytest.mark.parametrize("question", ALL_QUESTIONS + SUB_QUESTIONS, ids=lambda q: q.key)
def test_every_question_is_well_formed(question):
    assert question.type in TYPES
    assert question.label.strip()
    if question.type in ("choice", "select", "multi", "yesno"):
        values = [c.value for c in question.choices]
        assert values and len(values) == len(set(values))
    if question.type == "yesno":
        assert {c.value for c in question.choices} == {"yes", "no"}
    if question.type == "scale":
        assert (question.min_value, question.max_value) == (0, 10)
    if question.min_value is not None and question.max_value is not None:
        assert question.min_value < question.max_value
    assert bool(question.fields) == (question.type == "repeat")


def test_every_show_if_refers_to_an_earlier_question():
    # "Earlier" keeps visibility a single pass in form order (visible_answers relies on it).
    seen = set()
    for question in ALL_QUESTIONS:
        for condition in question.conditions:
            assert condition.key in seen, f"{question.key} depends on {condition.key}"
        seen.add(question.key)
    assert not any(f.show_if for f in SUB_QUESTIONS)


def test_show_if_values_are_real_choices_of_the_gate_question():
    for question in ALL_QUESTIONS:
        for condition in question.conditions:
            gate = QUESTION_BY_KEY[condition.key]
            values = {c.value for c in gate.choices}
            wanted = condition.value if condition.op in ("in", "any") else (condition.value,)
            assert set(wanted) <= values, question.key


# -------------------------------------------------------------------- instruments


@pytest.mark.parametrize(("instrument", "keys"), INSTRUMENT_ITEMS.items())
def test_instrument_items_exist_carry_their_instrument_and_score_like_scoring(instrument, keys):
    for key in keys:
        question = QUESTION_BY_KEY[key]
        assert question.instrument == instrument
        for choice in question.choices:
            assert choice.score is not None, key
            assert item_points(key, choice.value) == choice.score, key


@pytest.mark.parametrize(("instrument", "top"), [("PHQ9", 3), ("GAD7", 3), ("AUDITC", 4)])
def test_frequency_instruments_score_zero_to_top(instrument, top):
    for key in INSTRUMENT_ITEMS[instrument]:
        assert [c.score for c in QUESTION_BY_KEY[key].choices] == list(range(top + 1))


def test_phq9_and_gad7_use_the_published_response_options():
    labels = ["Not at all", "Several days", "More than half the days", "Nearly every day"]
    for key in INSTRUMENT_ITEMS["PHQ9"] + INSTRUMENT_ITEMS["GAD7"]:
        assert [c.label for c in QUESTION_BY_KEY[key].choices] == labels


def test_phq9_item9_asks_about_being_better_off_dead():
    assert "better off dead" in QUESTION_BY_KEY["phq9_9"].label
    assert "Over the last 2 weeks" in SECTION_BY_KEY["mood"].intro


def test_peg_items_are_verbatim_krebs_2009():
    assert QUESTION_BY_KEY["peg_pain"].label == (
        "What number best describes your pain on average in the past week?"
    )
    assert QUESTION_BY_KEY["peg_activity"].label == (
        "What number best describes how, during the past week, pain has interfered with "
        "your general activity?"
    )


def test_dast10_item3_is_the_reverse_scored_ability_to_stop():
    question = QUESTION_BY_KEY["dast_3"]
    assert question.label == "Are you always able to stop using drugs when you want to?"
    assert {c.value: c.score for c in question.choices} == {"yes": 0, "no": 1}


def test_ort_oud_is_asked_of_everyone_not_only_opioid_users():
    assert all(QUESTION_BY_KEY[k].show_if is None for k in INSTRUMENT_ITEMS["ORT_OUD"])


def test_pain_regions_body_map_keeps_every_wpi_area_and_adds_hands_feet_and_more():
    values = {c.value for c in QUESTION_BY_KEY["pain_regions"].choices}
    assert set(WPI_REGIONS) <= values  # older answers (WPI codes) still read
    for side in ("left", "right"):
        for part in ("hand", "wrist", "foot", "ankle", "knee"):
            assert f"{part}_{side}" in values
    assert "face" in values


def test_diagnoses_are_the_coded_list_with_details_for_each():
    codes = [c.value for c in QUESTION_BY_KEY["diagnoses"].choices]
    assert codes == [
        "crps_1",
        "crps_2",
        "sci",
        "neuropathic_mixed",
        "phn",
        "diabetic_neuropathy",
        "nerve_injury",
        "phantom_limb",
        "fibromyalgia",
        "fibromyalgia_suspected",
        "cancer_pain",
        "ischemic_pain",
        "migraine",
        "cluster_headache",
        "low_back_pain",
        "post_surgical",
        "post_injury",
        "arthritis",
        "other",
    ]
    for code in codes:
        for suffix in ("by", "year"):
            question = QUESTION_BY_KEY[f"dx_{code}_{suffix}"]
            assert question.is_shown({"diagnoses": [code]})
            assert not question.is_shown({"diagnoses": []})


def test_opioid_drug_list_comes_from_scoring():
    drug = QUESTION_BY_KEY["opioids"].fields[0]
    assert drug.key == "drug"
    assert [(c.value, c.label) for c in drug.choices] == list(OPIOID_CHOICES)


# ----------------------------------------------------------------------- show-if


@pytest.mark.parametrize(
    ("condition", "answers", "expected"),
    [
        (ShowIf("a", "eq", "x"), {"a": "x"}, True),
        (ShowIf("a", "eq", "x"), {"a": "y"}, False),
        (ShowIf("a", "eq", "x"), {}, False),
        (ShowIf("a", "ne", "x"), {}, True),
        (ShowIf("a", "ne", "x"), {"a": "x"}, False),
        (ShowIf("a", "in", ("x", "y")), {"a": "y"}, True),
        (ShowIf("a", "contains", "x"), {"a": ["w", "x"]}, True),
        (ShowIf("a", "contains", "x"), {"a": []}, False),
        (ShowIf("a", "contains", "x"), {"a": "x"}, False),
        (ShowIf("a", "any", ("x", "y")), {"a": ["y"]}, True),
        (ShowIf("a", "any", ("x", "y")), {"a": ["z"]}, False),
        (ShowIf("a", "gt", 3), {"a": 4}, True),
        (ShowIf("a", "gt", 3), {"a": 3}, False),
        (ShowIf("a", "gt", 3), {"a": "abc"}, False),
        (ShowIf("a", "truthy"), {"a": True}, True),
        (ShowIf("a", "truthy"), {"a": ""}, False),
    ],
)
def test_show_if_operators(condition, answers, expected):
    assert condition.test(answers) is expected


def test_show_if_rejects_an_unknown_operator():
    with pytest.raises(ValueError, match="unknown ShowIf op"):
        ShowIf("a", "equals", "x")


def test_question_rejects_an_unknown_type():
    with pytest.raises(ValueError, match="unknown question type"):
        Question("k", "Label", "radio")


def test_a_question_behind_a_hidden_gate_is_hidden_even_with_a_stale_answer():
    follow_up = Question("k", "Label", "text", show_if=ShowIf("ketamine_when", "truthy"))
    stale = {"prior_ketamine": "no", "ketamine_when": "2024-01"}
    assert not follow_up.is_shown(stale)
    assert follow_up.is_shown({**stale, "prior_ketamine": "yes"})


def test_heart_event_follow_up_only_for_a_real_event():
    question = QUESTION_BY_KEY["heart_event_recent"]
    assert not question.is_shown({"heart_conditions": ["none"]})
    assert question.is_shown({"heart_conditions": ["stroke"]})


def test_height_and_weight_follow_the_measurement_system():
    us = {q.key for q in SECTION_BY_KEY["about"].visible_questions({"measurement_system": "us"})}
    assert {"height_ft", "height_in", "weight_lb"} <= us
    assert not {"height_cm", "weight_kg"} & us


# ---------------------------------------------------------------- missing answers


def test_a_fully_answered_intake_has_nothing_missing():
    answers = {q.key: _answer_for(q) for q in ALL_QUESTIONS}
    assert missing_answers(answers) == []


def test_hidden_required_questions_are_not_missing():
    missing = _missing_keys({"prior_ketamine": "no", "pcptsd_exposure": "no"})
    assert "ketamine_routes" not in missing
    assert "pcptsd_1" not in missing
    assert "weight_lb" not in missing  # no measurement system chosen yet


def test_shown_required_questions_are_missing_until_answered():
    missing = _missing_keys({"prior_ketamine": "yes", "measurement_system": "metric"})
    assert {"ketamine_routes", "ketamine_when", "weight_kg", "height_cm"} <= missing
    assert "ketamine_side_effects" not in missing  # optional


def test_missing_answers_come_in_form_order_with_their_section():
    missing = missing_answers({})
    assert missing[0][0].key == "about"
    assert missing[0][1].key == "legal_first_name"
    assert missing[-1][1].key == "consent_signature"


@pytest.mark.parametrize("blank", [None, "", "   ", []])
def test_blank_answers_count_as_missing(blank):
    assert "legal_first_name" in _missing_keys({"legal_first_name": blank})
    assert "goals" in _missing_keys({"goals": blank})


def test_an_unticked_consent_is_missing():
    assert "consent_privacy" in _missing_keys({"consent_privacy": False})
    assert "consent_privacy" not in _missing_keys({"consent_privacy": True})


def test_a_required_repeat_needs_at_least_one_filled_row():
    base = {"takes_opioids": "yes"}
    assert "opioids" in _missing_keys({**base, "opioids": []})
    assert "opioids" in _missing_keys({**base, "opioids": [{"drug": "", "strength": None}]})
    row = {"drug": "oxycodone", "strength": 10, "doses_per_day": 4}
    assert "opioids" not in _missing_keys({**base, "opioids": [row]})


def test_visible_answers_drops_answers_behind_a_closed_gate():
    answers = {"pcptsd_exposure": "no", "pcptsd_1": "yes", "legal_first_name": "Alice"}
    assert visible_answers(answers) == {"pcptsd_exposure": "no", "legal_first_name": "Alice"}


@given(
    st.dictionaries(
        st.sampled_from(sorted(QUESTION_BY_KEY)),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.text(max_size=5),
            st.lists(st.text(max_size=5), max_size=3),
        ),
        max_size=20,
    )
)
def test_missing_answers_never_raises_and_only_lists_shown_required_questions(answers):
    for section, question in missing_answers(answers):
        assert question.required
        assert question in section.visible_questions(answers)


# ------------------------------------------------------------------ medications


@pytest.mark.parametrize(
    ("name", "classes"),
    [
        ("Xanax 0.5mg", ["benzodiazepines"]),
        ("clonazepam 1 mg twice daily", ["benzodiazepines"]),
        ("LAMICTAL XR 200mg", ["lamotrigine"]),
        ("phenelzine", ["maois"]),
        ("Adderall XR 20mg", ["stimulants"]),
        ("Sudafed (pseudoephedrine)", ["stimulants"]),
        ("St. John's Wort", ["cyp3a4_2b6_modulators"]),
        ("st johns wort 300mg", ["cyp3a4_2b6_modulators"]),
        ("Plavix 75", ["cyp3a4_2b6_modulators"]),
        ("oxycodone/acetaminophen 5/325", ["cns_depressants"]),
        ("Ambien", ["cns_depressants"]),
        ("cyclobenzaprine 10mg at night", ["cns_depressants"]),
        ("Phenobarbital", ["cyp3a4_2b6_modulators", "cns_depressants"]),
    ],
)
def test_recognise_flags_generic_and_brand_names(name, classes):
    assert recognise(name) == classes


@pytest.mark.parametrize(
    "name",
    # "xanaxx" is now read as Xanax (a misspelling): tests/intake/test_medications.py.
    ["sertraline 50 mg", "vitamin D", "ibuprofen", "lisinopril", "ambient", "", "xanthan gum"],
)
def test_recognise_ignores_unrelated_names_and_partial_words(name):
    assert recognise(name) == []


def test_recognise_can_use_an_edited_class_list():
    edited = {"custom": {"label": "Custom", "why": "Test.", "names": ("fooxetine",)}}
    assert recognise("Fooxetine 10mg", edited) == ["custom"]
    assert recognise("Xanax", edited) == []


def test_medication_classes_are_complete_and_lowercase():
    assert set(MEDICATION_CLASSES) == {
        "benzodiazepines",
        "lamotrigine",
        "maois",
        "stimulants",
        "cyp3a4_2b6_modulators",
        "cns_depressants",
    }
    for spec in MEDICATION_CLASSES.values():
        assert spec["label"] and spec["why"]
        assert all(name == name.lower() for name in spec["names"])
