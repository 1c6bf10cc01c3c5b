"""Published examples and edge cases for intake.scoring (pure: no database)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.questionnaire import visible_answers
from intake.scoring import (
    INSTRUMENT_ITEMS,
    MME_FACTORS,
    acr2016_fibromyalgia,
    budapest_symptoms,
    compute_mme,
    phq9_item9_positive,
    score_all,
    score_auditc,
    score_dast10,
    score_gad7,
    score_ort_oud,
    score_pcptsd5,
    score_peg,
    score_phq9,
    score_phq9_item9,
    score_sss,
    score_wpi,
)

# ------------------------------------------------------------------ answer builders


def _items_summing_to(keys, total, item_max):
    """Answers for keys (as stored: strings) whose points add up to total."""
    answers = {}
    for key in keys:
        points = min(item_max, total)
        answers[key] = str(points)
        total -= points
    assert total == 0
    return answers


def phq9_answers(total):
    return _items_summing_to(INSTRUMENT_ITEMS["PHQ9"], total, 3)


def gad7_answers(total):
    return _items_summing_to(INSTRUMENT_ITEMS["GAD7"], total, 3)


def yes_count(keys, count):
    return {key: "yes" if i < count else "no" for i, key in enumerate(keys)}


def sss_answers(
    fatigue=0, waking=0, cognitive=0, headache=False, abdominal=False, depression=False
):
    yn = {True: "yes", False: "no"}
    return {
        "sss_fatigue": str(fatigue),
        "sss_waking_unrefreshed": str(waking),
        "sss_cognitive": str(cognitive),
        "sss_headache": yn[headache],
        "sss_lower_abdominal": yn[abdominal],
        "sss_depression": yn[depression],
    }


def fibro_answers(areas, sss, duration="yes"):
    return {"pain_regions": list(areas), **sss, "fm_symptoms_3_months": duration}


# One area in each of the five regions, then more.
FIVE_REGIONS = ("shoulder_girdle_left", "upper_arm_right", "hip_left", "lower_leg_right", "neck")
SEVEN_AREAS = (*FIVE_REGIONS, "lower_back", "upper_leg_left")

# ------------------------------------------------------------------------------ PEG


@pytest.mark.parametrize(
    ("items", "mean"),
    [((5, 6, 7), 6.0), ((3, 4, 4), 3.7), ((0, 0, 0), 0.0), ((10, 10, 10), 10.0), ((1, 0, 0), 0.3)],
)
def test_peg_is_the_mean_of_three_items_to_one_decimal(items, mean):
    answers = dict(zip(INSTRUMENT_ITEMS["PEG"], items, strict=True))
    score = score_peg(answers)
    assert score.complete
    assert score.value == mean
    assert score.max_value == 10


@pytest.mark.parametrize("odd", ["²", "1.5", " ", "three", True, 2.5, [1]])
def test_unreadable_item_answers_make_the_instrument_incomplete_not_an_error(odd):
    assert not score_phq9({**phq9_answers(5), "phq9_1": odd}).complete


def test_peg_with_an_item_out_of_range_is_incomplete():
    score = score_peg({"peg_pain": 11, "peg_enjoyment": 5, "peg_activity": 5})
    assert not score.complete
    assert score.value is None


# ---------------------------------------------------------------------------- PHQ-9


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_band_edges(total, band):
    score = score_phq9(phq9_answers(total))
    assert (score.value, score.band, score.complete) == (total, band, True)
    assert score.positive is (total >= 10)


def test_phq9_item9_any_answer_above_zero_is_positive():
    for points in ("1", "2", "3"):
        assert phq9_item9_positive({"phq9_9": points})
        assert score_phq9_item9({"phq9_9": points}).positive
    assert not phq9_item9_positive({"phq9_9": "0"})
    assert not score_phq9_item9({"phq9_9": "0"}).positive


def test_phq9_item9_positive_even_when_the_rest_of_phq9_is_unanswered():
    answers = {"phq9_9": "1"}
    assert not score_phq9(answers).complete
    assert phq9_item9_positive(answers)
    assert "988" in score_phq9_item9(answers).detail


def test_phq9_item9_unanswered_is_not_positive():
    assert not phq9_item9_positive({})
    assert not score_phq9_item9({}).complete


# ---------------------------------------------------------------------------- GAD-7


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (0, "minimal", False),
        (4, "minimal", False),
        (5, "mild", False),
        (9, "mild", False),
        (10, "moderate", True),
        (14, "moderate", True),
        (15, "severe", True),
        (21, "severe", True),
    ],
)
def test_gad7_band_edges_and_positive_at_10(total, band, positive):
    score = score_gad7(gad7_answers(total))
    assert (score.value, score.band, score.positive) == (total, band, positive)


# ------------------------------------------------------------------------ PC-PTSD-5


def test_pcptsd5_without_trauma_exposure_scores_zero_and_is_complete():
    score = score_pcptsd5({"pcptsd_exposure": "no"})
    assert (score.value, score.complete, score.positive) == (0, True, False)


def test_pcptsd5_ignores_item_answers_left_behind_after_exposure_changed_to_no():
    answers = {"pcptsd_exposure": "no", **yes_count(INSTRUMENT_ITEMS["PCPTSD5"], 5)}
    assert score_pcptsd5(answers).value == 0


@pytest.mark.parametrize(
    ("yes", "cutoff", "positive"),
    [(2, 3, False), (3, 3, True), (3, 4, False), (4, 4, True), (5, 3, True), (0, 3, False)],
)
def test_pcptsd5_counts_yes_and_is_positive_at_the_cut_point(yes, cutoff, positive):
    answers = {"pcptsd_exposure": "yes", **yes_count(INSTRUMENT_ITEMS["PCPTSD5"], yes)}
    score = score_pcptsd5(answers, cutoff=cutoff)
    assert (score.value, score.positive) == (yes, positive)


@pytest.mark.parametrize("cutoff", [2, 5, 0])
def test_pcptsd5_rejects_cut_points_other_than_3_or_4(cutoff):
    with pytest.raises(ValueError, match="3 or 4"):
        score_pcptsd5({"pcptsd_exposure": "no"}, cutoff=cutoff)


def test_pcptsd5_exposed_with_unanswered_items_is_incomplete():
    assert not score_pcptsd5({"pcptsd_exposure": "yes", "pcptsd_1": "yes"}).complete


# --------------------------------------------------------------------------- DAST-10


def dast(yes_items):
    return {f"dast_{n}": "yes" if n in yes_items else "no" for n in range(1, 11)}


def test_dast10_item3_is_reverse_scored():
    # Able to stop ("yes" to item 3) scores nothing; unable ("no") scores a point.
    assert score_dast10(dast({3})).value == 0
    assert score_dast10(dast(set())).value == 1


def test_dast10_all_problem_answers_score_ten_severe():
    score = score_dast10(dast({1, 2, 4, 5, 6, 7, 8, 9, 10}))
    assert (score.value, score.band) == (10, "severe")


@pytest.mark.parametrize(
    ("yes_items", "total", "band"),
    [
        ({3}, 0, "none"),
        ({1, 3}, 1, "low"),
        ({1, 2, 3}, 2, "low"),
        ({1, 2, 4, 3}, 3, "moderate"),
        ({1, 2, 4, 5, 6}, 6, "substantial"),
        ({1, 2, 4, 5, 6, 7, 8, 9}, 9, "severe"),
    ],
)
def test_dast10_bands(yes_items, total, band):
    score = score_dast10(dast(yes_items))
    assert (score.value, score.band) == (total, band)


# --------------------------------------------------------------------------- ORT-OUD


@pytest.mark.parametrize(
    ("yes", "band"),
    [(0, "low"), (2, "low"), (3, "moderate"), (4, "moderate"), (5, "high"), (9, "high")],
)
def test_ort_oud_bands(yes, band):
    score = score_ort_oud(yes_count(INSTRUMENT_ITEMS["ORT_OUD"], yes))
    assert (score.value, score.band, score.max_value) == (yes, band, 9)


# ---------------------------------------------------------------------------- AUDIT-C


def auditc(a, b, c):
    return {"auditc_1": str(a), "auditc_2": str(b), "auditc_3": str(c)}


@pytest.mark.parametrize(
    ("sex", "total", "positive"),
    [
        ("male", 3, False),
        ("male", 4, True),
        ("female", 2, False),
        ("female", 3, True),
        # Intersex or unknown sex: the more sensitive cut-point of 3.
        ("intersex", 3, True),
        (None, 3, True),
        ("", 2, False),
    ],
)
def test_auditc_sex_cut_points(sex, total, positive):
    score = score_auditc(auditc(1, min(total - 1, 4), max(total - 5, 0)), sex)
    assert (score.value, score.positive) == (total, positive)


def test_auditc_never_drinks_scores_zero_without_items_2_and_3():
    score = score_auditc({"auditc_1": "0"}, "female")
    assert (score.value, score.complete, score.positive) == (0, True, False)


def test_auditc_maximum_is_12():
    assert score_auditc(auditc(4, 4, 4), "male").value == 12


# ----------------------------------------------------------------------- WPI and SSS


def test_wpi_counts_only_the_19_acr_areas_once_each():
    answers = {"pain_regions": ["neck", "neck", "lower_back", "left_foot", "jaw_left"]}
    assert score_wpi(answers).value == 3


def test_sss_sums_severity_and_six_month_symptoms():
    score = score_sss(sss_answers(3, 3, 3, True, True, True))
    assert (score.value, score.max_value) == (12, 12)
    assert score_sss(sss_answers(2, 1, 0, True)).value == 4


# --------------------------------------------------------------- ACR 2016 fibromyalgia


def test_acr2016_met_by_wpi_at_least_7_and_sss_at_least_5():
    score = acr2016_fibromyalgia(fibro_answers(SEVEN_AREAS, sss_answers(2, 2, 1)))
    assert score.positive
    assert "WPI ≥7 and SSS ≥5" in score.detail


def test_acr2016_not_met_when_wpi_7_but_sss_4():
    score = acr2016_fibromyalgia(fibro_answers(SEVEN_AREAS, sss_answers(2, 1, 1)))
    assert score.complete and not score.positive


def test_acr2016_met_by_wpi_4_to_6_and_sss_at_least_9():
    score = acr2016_fibromyalgia(fibro_answers(FIVE_REGIONS, sss_answers(3, 3, 2, True)))
    assert score.positive
    assert "WPI 4–6 and SSS ≥9" in score.detail


def test_acr2016_not_met_when_wpi_5_and_sss_8():
    score = acr2016_fibromyalgia(fibro_answers(FIVE_REGIONS, sss_answers(3, 3, 2)))
    assert score.complete and not score.positive


def test_acr2016_not_met_when_wpi_below_4_however_severe():
    areas = ("neck", "lower_back", "upper_back")
    score = acr2016_fibromyalgia(fibro_answers(areas, sss_answers(3, 3, 3, True, True, True)))
    assert not score.positive


def test_acr2016_jaw_chest_and_abdomen_do_not_count_towards_generalized_pain():
    # 7 areas and SSS 6, but jaw, chest and abdomen leave only 3 of the 5 regions.
    areas = ("jaw_left", "jaw_right", "chest", "abdomen", "hip_left", "hip_right", "neck")
    score = acr2016_fibromyalgia(fibro_answers(areas, sss_answers(2, 2, 2)))
    assert score_wpi({"pain_regions": list(areas)}).value == 7
    assert not score.positive
    assert "3 of 5 regions" in score.detail


def test_acr2016_needs_symptoms_for_3_months():
    answers = fibro_answers(SEVEN_AREAS, sss_answers(2, 2, 1), duration="no")
    assert not acr2016_fibromyalgia(answers).positive


def test_acr2016_without_sss_answers_is_incomplete():
    assert not acr2016_fibromyalgia({"pain_regions": list(SEVEN_AREAS)}).complete


# ------------------------------------------------------------------ Budapest (CRPS)


def test_budapest_positive_with_disproportionate_pain_and_3_categories():
    answers = {
        "crps_disproportionate_pain": "yes",
        "crps_sensory": ["allodynia"],
        "crps_vasomotor": ["temperature_asymmetry", "skin_color_changes"],
        "crps_motor_trophic": ["trophic_changes"],
    }
    score = budapest_symptoms(answers)
    assert (score.value, score.positive) == (3, True)
    assert "consultation" in score.detail


def test_budapest_two_categories_is_not_enough():
    answers = {
        "crps_disproportionate_pain": "yes",
        "crps_sensory": ["allodynia"],
        "crps_sudomotor_edema": ["edema"],
        "crps_vasomotor": [],
    }
    assert budapest_symptoms(answers).value == 2
    assert not budapest_symptoms(answers).positive


def test_budapest_needs_disproportionate_pain():
    answers = {
        "crps_disproportionate_pain": "no",
        **{
            k: ["x"]
            for k in (
                "crps_sensory",
                "crps_vasomotor",
                "crps_sudomotor_edema",
                "crps_motor_trophic",
            )
        },
    }
    score = budapest_symptoms(answers)
    assert (score.value, score.positive) == (4, False)


# ------------------------------------------------------------------------- incomplete


@pytest.mark.parametrize(
    "scorer",
    [
        score_peg,
        score_phq9,
        score_gad7,
        score_pcptsd5,
        score_dast10,
        score_ort_oud,
        lambda a: score_auditc(a, "male"),
        score_wpi,
        score_sss,
        acr2016_fibromyalgia,
        budapest_symptoms,
    ],
)
def test_unanswered_instruments_are_incomplete_with_no_value_or_band(scorer):
    score = scorer({})
    assert (score.complete, score.value, score.band, score.positive) == (False, None, "", False)


def test_one_missing_phq9_item_makes_it_incomplete_not_a_low_score():
    answers = phq9_answers(20)
    del answers["phq9_4"]
    assert not score_phq9(answers).complete


def test_score_all_of_the_visible_answers_returns_every_instrument_and_ignores_hidden_ones():
    answers = {
        "sex_at_birth": "male",
        "pcptsd_exposure": "no",
        **yes_count(INSTRUMENT_ITEMS["PCPTSD5"], 5),  # stale: hidden behind "no"
        # Fibromyalgia not ticked, so its SSS answers are hidden and not scored.
        **sss_answers(3, 3, 3, True, True, True),
        **auditc(2, 1, 1),
    }
    scores = score_all(visible_answers(answers))
    assert set(scores) == {
        "PEG",
        "PHQ9",
        "PHQ9_ITEM9",
        "GAD7",
        "PCPTSD5",
        "DAST10",
        "ORT_OUD",
        "AUDITC",
        "WPI",
        "SSS",
        "FM_ACR2016",
        "BUDAPEST",
    }
    assert scores["PCPTSD5"].value == 0
    assert not scores["SSS"].complete
    assert scores["AUDITC"].value == 4 and scores["AUDITC"].positive


_ANY_JSON = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 30),
    st.floats(allow_nan=True),
    st.sampled_from(["yes", "no", "0", "1", "2", "3", "4", "10", "", "x"]),
    st.lists(st.sampled_from(["neck", "chest", "jaw_left", "allodynia", "bogus"])),
)
_SCORED_KEYS = sorted(
    {k for keys in INSTRUMENT_ITEMS.values() for k in keys}
    | {
        "pcptsd_exposure",
        "fm_symptoms_3_months",
        "pain_regions",
        "diagnoses",
        "crps_disproportionate_pain",
        "crps_sensory",
        "crps_vasomotor",
        "sex_at_birth",
    }
)


@given(st.dictionaries(st.sampled_from(_SCORED_KEYS), _ANY_JSON))
def test_scores_stay_within_their_bounds_whatever_the_answers(answers):
    for score in score_all(answers).values():
        if score.complete:
            assert 0 <= score.value <= score.max_value
            assert score.band
        else:
            assert score.value is None and score.band == ""


# ------------------------------------------------------------------------------ MME


def test_mme_factors_are_the_cdc_2022_table():
    assert MME_FACTORS == {
        "codeine": 0.15,
        "tramadol": 0.2,
        "tapentadol": 0.4,
        "hydrocodone": 1,
        "morphine": 1,
        "oxycodone": 1.5,
        "oxymorphone": 3,
        "hydromorphone": 5,
        "methadone": 4.7,
        "fentanyl_patch": 2.4,
    }


def test_oxycodone_10mg_four_times_daily_is_60_mme():
    result = compute_mme([{"drug": "oxycodone", "strength": 10, "doses_per_day": 4}])
    assert result.total == 60
    assert result.band == "caution"


def test_fentanyl_patch_25_mcg_per_hour_is_60_mme_and_ignores_doses_per_day():
    for per_day in (None, 1, 3):
        result = compute_mme([{"drug": "fentanyl_patch", "strength": 25, "doses_per_day": per_day}])
        assert result.total == 60
        assert result.lines[0].unit == "mcg/h"


def test_tramadol_50mg_four_times_daily_is_40_mme_not_the_old_20():
    result = compute_mme([{"drug": "tramadol", "strength": 50, "doses_per_day": 4}])
    assert result.total == 40
    assert result.band == "<50"


def test_hydromorphone_4mg_six_times_daily_is_120_mme():
    result = compute_mme([{"drug": "hydromorphone", "strength": 4, "doses_per_day": 6}])
    assert result.total == 120
    assert result.band == "high"


def test_methadone_10mg_three_times_daily_is_141_mme_with_a_half_life_warning():
    result = compute_mme([{"drug": "methadone", "strength": 10, "doses_per_day": 3}])
    assert result.total == 141
    assert result.lines[0].mme == 141
    assert result.has_methadone
    assert any("half-life" in w for w in result.warnings)


def test_mme_adds_up_several_opioids():
    rows = [
        {"drug": "oxycodone", "strength": 10, "doses_per_day": 4},
        {"drug": "tramadol", "strength": 50, "doses_per_day": 4},
    ]
    result = compute_mme(rows)
    assert result.total == 100
    assert [line.mme for line in result.lines] == [60, 40]


def test_mme_accepts_numbers_stored_as_text():
    result = compute_mme([{"drug": "codeine", "strength": "30", "doses_per_day": "4"}])
    assert result.total == 18


@pytest.mark.parametrize(
    ("morphine_mg", "band"),
    [(0, "none"), (49, "<50"), (49.9, "<50"), (50, "caution"), (89, "caution"), (90, "high")],
)
def test_mme_band_edges(morphine_mg, band):
    rows = [{"drug": "morphine", "strength": morphine_mg, "doses_per_day": 1}]
    assert compute_mme(rows if morphine_mg else []).band == band


def test_buprenorphine_is_recorded_and_flagged_but_not_counted():
    rows = [
        {"drug": "buprenorphine", "strength": 8, "doses_per_day": 2},
        {"drug": "oxycodone", "strength": 5, "doses_per_day": 2},
    ]
    result = compute_mme(rows)
    assert result.total == 15
    assert result.has_buprenorphine
    assert result.lines[0].mme is None and result.lines[0].factor is None
    assert any("Buprenorphine" in w for w in result.warnings)


def test_no_opioids_is_band_none():
    result = compute_mme([])
    assert (result.total, result.band, result.lines) == (0, "none", ())


@pytest.mark.parametrize(
    "row",
    [
        {"drug": "oxycodone", "strength": "ten", "doses_per_day": 4},
        {"drug": "oxycodone", "strength": 10},
        {"drug": "oxycodone", "strength": 10, "doses_per_day": 0},
        {"drug": "oxycodone", "strength": -5, "doses_per_day": 2},
        {"drug": "oxycodone", "strength": True, "doses_per_day": 2},
        {"drug": "oxycodone", "strength": 10, "doses_per_day": 40},
        {"drug": "fentanyl_patch"},
        {"drug": "unobtainium", "strength": 10, "doses_per_day": 1},
        {"drug": "other", "drug_other": "levorphanol", "strength": 2, "doses_per_day": 3},
        {},
        "oxycodone 10mg",
        None,
    ],
)
def test_malformed_opioid_rows_give_an_uncounted_line_with_a_note(row):
    result = compute_mme([row, {"drug": "morphine", "strength": 30, "doses_per_day": 1}])
    line = result.lines[0]
    assert line.mme is None
    assert line.note
    assert result.total == 30
    assert result.warnings


def test_compute_mme_tolerates_answers_that_are_not_a_list():
    assert compute_mme(None).total == 0
    assert compute_mme("oxycodone").lines == ()


_ROW_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
)
_ROW = st.one_of(
    st.dictionaries(
        st.sampled_from(["drug", "strength", "doses_per_day", "started", "prescriber", "x"]),
        st.one_of(_ROW_VALUE, st.sampled_from([*MME_FACTORS, "buprenorphine", "other"])),
    ),
    _ROW_VALUE,
)


@given(st.lists(_ROW, max_size=6))
def test_compute_mme_never_raises_on_arbitrary_rows(rows):
    result = compute_mme(rows)
    assert len(result.lines) == len(rows)
    assert result.total >= 0 and not math.isnan(result.total)
    assert result.band in {"none", "<50", "caution", "high"}
