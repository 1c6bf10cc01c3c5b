import pytest

from consultations import budapest


def test_signs_in_two_categories_with_three_symptom_categories_meet_the_criteria():
    result = budapest.assess(
        symptom_categories=3, symptoms_positive=True, signs=["allodynia", "edema"]
    )
    assert result.sign_categories == ("sensory", "sudomotor_edema")
    assert result.signs_met and result.symptoms_met and result.met
    assert result.summary.startswith("Budapest criteria met")


def test_two_signs_in_one_category_count_once_and_do_not_meet_the_signs():
    result = budapest.assess(
        symptom_categories=4,
        symptoms_positive=True,
        signs=["hyperalgesia_pinprick", "allodynia"],
    )
    assert result.sign_categories == ("sensory",)
    assert not result.signs_met and not result.met
    assert "signs in 1 of 4 (sensory)" in result.summary


def test_signs_alone_never_meet_the_criteria_without_the_symptom_part():
    signs = ["allodynia", "edema", "trophic_change", "temperature_asymmetry"]
    for count, positive in ((2, False), (None, False), (3, False)):
        result = budapest.assess(symptom_categories=count, symptoms_positive=positive, signs=signs)
        assert result.signs_met and not result.met
    incomplete = budapest.assess(symptom_categories=None, symptoms_positive=False, signs=signs)
    assert "incomplete" in incomplete.summary


def test_no_signs_is_zero_categories():
    result = budapest.assess(symptom_categories=4, symptoms_positive=True, signs=[])
    assert result.sign_categories == () and not result.met
    assert "signs in 0 of 4 (none)" in result.summary


def test_categories_come_back_in_the_criteria_order_whatever_the_order_ticked():
    ticked = ["trophic_change", "skin_colour_change", "sweating_change", "allodynia"]
    assert budapest.sign_categories(ticked) == (
        "sensory",
        "vasomotor",
        "sudomotor_edema",
        "motor_trophic",
    )


def test_an_unknown_sign_is_refused():
    with pytest.raises(budapest.UnknownSign):
        budapest.sign_categories(["allodynia", "made_up"])


def test_every_sign_belongs_to_one_of_the_four_categories():
    assert set(budapest.SIGN_CATEGORY.values()) == set(budapest.CATEGORIES)
    assert len(budapest.SIGN_CATEGORY) == sum(len(s) for s in budapest.SIGNS.values())
