"""Combination products on the opioid row: the strength recorded is the opioid part, so the
MME (intake/scoring/mme.py) is unambiguous."""

import pytest

from intake.forms import row_form_class
from intake.questionnaire import QUESTION_BY_KEY
from intake.scoring import compute_mme

RowForm = row_form_class(QUESTION_BY_KEY["opioids"])


def row(**values):
    data = {"drug": "oxycodone", "doses_per_day": "4", **values}
    return RowForm({f"opioids-0-{k}": v for k, v in data.items()}, prefix="opioids-0")


def test_percocet_with_its_oxycodone_part_is_accepted_and_counted():
    form = row(product="Percocet 10/325", strength="10")
    assert form.is_valid(), form.errors
    assert compute_mme([{**form.cleaned_data, "strength": 10}]).total == 60


def test_both_numbers_of_the_label_ask_for_the_opioid_part_by_name():
    form = row(product="Percocet", strength="5/325")
    assert not form.is_valid()
    assert form.errors["strength"] == [
        "Percocet has 5 mg oxycodone and 325 mg acetaminophen in each tablet. "
        "Enter only the oxycodone part: 5."
    ]


def test_both_numbers_without_a_product_still_say_which_number():
    form = row(strength="7.5/325")
    assert not form.is_valid()
    assert "the first number on the label (7.5 for 7.5/325)" in form.errors["strength"][0]


def test_the_acetaminophen_amount_is_refused_beside_the_strength():
    form = row(product="percoset", strength="325")
    assert not form.is_valid()
    assert form.errors["strength"][0].startswith("325 mg is the acetaminophen in Percocet.")


def test_a_product_whose_opioid_is_another_than_the_one_chosen_is_refused():
    form = row(drug="hydrocodone", product="Percocet", strength="5")
    assert not form.is_valid()
    assert form.errors["drug"] == [
        "Percocet (oxycodone + acetaminophen) contains oxycodone: please choose Oxycodone here."
    ]


@pytest.mark.parametrize(
    ("drug", "product", "strength"),
    [
        ("hydrocodone", "Norco 10/325", "10"),
        ("hydrocodone", "Vicodin", "5"),
        ("codeine", "Tylenol #3", "30"),
        ("tramadol", "Ultracet", "37.5"),
        ("oxycodone", "", "10"),
        ("oxycodone", "OxyContin", "20"),
    ],
)
def test_a_product_with_its_own_opioid_and_strength_is_accepted(drug, product, strength):
    assert row(drug=drug, product=product, strength=strength).is_valid()


def test_tylenol_number_three_is_recorded_as_thirty_mg_of_codeine():
    form = row(drug="codeine", product="Tylenol #3", strength="3")
    assert form.errors["strength"] == ["Tylenol #3 has 30 mg codeine in each tablet: enter 30."]


def test_the_other_opioid_name_is_checked_too():
    form = row(drug="other", drug_other="Norco", strength="325")
    assert form.errors["strength"][0].startswith("325 mg is the acetaminophen in Norco.")


def test_mme_does_not_count_a_stored_strength_that_is_the_non_opioid_part():
    result = compute_mme(
        [{"drug": "oxycodone", "product": "Percocet", "strength": 325, "doses_per_day": 4}]
    )
    assert result.total == 0
    assert result.lines[0].note == (
        "Strength looks like the non-opioid part of the tablet; not counted."
    )
    assert "the total is incomplete" in result.warnings[0]


def test_mme_names_the_combination_on_the_staff_line():
    result = compute_mme(
        [{"drug": "hydrocodone", "product": "Norco", "strength": 10, "doses_per_day": 4}]
    )
    assert result.total == 40
    assert result.lines[0].label.endswith("Norco (hydrocodone + acetaminophen)")
