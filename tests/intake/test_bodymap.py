"""The body map and the ACR 2016 WPI derived from it (Wolfe F et al., Semin Arthritis
Rheum 2016;46(3):319-329): 19 areas, 5 regions (jaw, chest and abdomen not counted for
"generalized pain"), met when WPI ≥7 and SSS ≥5, or WPI 4-6 and SSS ≥9, with pain in ≥4 of
the 5 regions and symptoms for ≥3 months. Vectors: (body-map answers, SSS) -> expected."""

import pytest

from intake import bodymap
from intake.scoring import WPI_REGIONS, acr2016_fibromyalgia, score_wpi

from .test_scoring import fibro_answers, sss_answers

# Areas outside the 19 the map adds; ticking them must never change the WPI.
EXTRA = ("hand_right", "wrist_right", "foot_right", "ankle_right", "knee_left", "face", "head")


def test_every_wpi_area_is_on_the_map_with_its_own_code():
    assert set(bodymap.WPI_OF) == set(WPI_REGIONS)
    assert all(bodymap.WPI_OF[code] == code for code in WPI_REGIONS)


def test_every_area_is_drawn_and_every_drawn_part_is_an_area():
    drawn = {shape.code for shape in bodymap.SHAPES}
    assert drawn == set(bodymap.AREA_BY_CODE)


def test_right_is_on_the_viewers_left_on_the_front_and_on_the_viewers_right_on_the_back():
    front = {s.code: s for s in bodymap.shapes("front")}
    back = {s.code: s for s in bodymap.shapes("back")}
    assert front["hand_right"].x < bodymap.WIDTH / 2 < front["hand_left"].x
    assert back["hand_left"].x < bodymap.WIDTH / 2 < back["hand_right"].x


def test_every_area_is_in_exactly_one_checklist_group():
    codes = [a.code for _, areas in bodymap.grouped() for a in areas]
    assert sorted(codes) == sorted(bodymap.AREA_BY_CODE)


def test_hands_feet_knees_head_and_face_are_recorded_but_not_wpi_areas():
    assert bodymap.wpi_areas(list(EXTRA)) == set()
    assert score_wpi({"pain_regions": list(EXTRA)}).value == 0


def test_derivation_ignores_unknown_codes_and_repeats():
    assert bodymap.wpi_areas(["neck", "neck", "elbow", 3, None]) == {"neck"}
    assert bodymap.wpi_areas("neck") == set()


def test_the_crps_persona_right_foot_only_is_wpi_zero_not_fibromyalgia():
    answers = fibro_answers(("foot_right", "ankle_right"), sss_answers(3, 3, 3, True, True, True))
    assert score_wpi(answers).value == 0
    assert not acr2016_fibromyalgia(answers).positive


ALL_19 = tuple(WPI_REGIONS)
SEVEN_IN_FIVE_REGIONS = (
    "shoulder_girdle_left",  # left upper
    "upper_arm_right",  # right upper
    "hip_left",  # left lower
    "lower_leg_right",  # right lower
    "neck",  # axial
    "lower_back",
    "upper_leg_left",
)
FOUR_IN_FOUR_REGIONS = ("shoulder_girdle_left", "shoulder_girdle_right", "hip_left", "neck")
ONE_SIDE = (  # 8 areas, only left upper, left lower and axial: 3 regions
    "jaw_left",
    "shoulder_girdle_left",
    "upper_arm_left",
    "lower_arm_left",
    "hip_left",
    "upper_leg_left",
    "lower_leg_left",
    "neck",
)
JAW_CHEST_BELLY = ("jaw_left", "jaw_right", "chest", "abdomen", "hip_left", "hip_right", "neck")


@pytest.mark.parametrize(
    ("areas", "sss", "wpi", "regions", "met"),
    [
        # All 19 areas and the highest SSS: WPI 19, 5 regions, met.
        (ALL_19, sss_answers(3, 3, 3, True, True, True), 19, 5, True),
        # WPI 7 in 5 regions, SSS exactly 5: met by the first branch.
        (SEVEN_IN_FIVE_REGIONS, sss_answers(2, 2, 1), 7, 5, True),
        # WPI 7, SSS 4: not met.
        (SEVEN_IN_FIVE_REGIONS, sss_answers(2, 1, 1), 7, 5, False),
        # WPI 4 in 4 regions, SSS exactly 9: met by the second branch.
        (FOUR_IN_FOUR_REGIONS, sss_answers(3, 3, 2, True), 4, 4, True),
        # WPI 4, SSS 8: not met.
        (FOUR_IN_FOUR_REGIONS, sss_answers(3, 3, 2), 4, 4, False),
        # WPI 3, SSS 12: not met however severe.
        (("neck", "upper_back", "lower_back"), sss_answers(3, 3, 3, True, True, True), 3, 1, False),
        # WPI 8 but all on one side: 3 regions, not generalized, not met.
        (ONE_SIDE, sss_answers(3, 3, 3, True, True, True), 8, 3, False),
        # WPI 7, but jaw, chest and abdomen leave 3 regions: not met.
        (JAW_CHEST_BELLY, sss_answers(2, 2, 2), 7, 3, False),
        # Hands, feet and knees added to the 7 change nothing.
        (SEVEN_IN_FIVE_REGIONS + EXTRA, sss_answers(2, 2, 1), 7, 5, True),
        # The same areas as the 4-area vector plus hands and feet: still WPI 4 (not 11).
        (FOUR_IN_FOUR_REGIONS + EXTRA, sss_answers(2, 2, 1), 4, 4, False),
    ],
)
def test_acr2016_vectors_from_the_body_map(areas, sss, wpi, regions, met):
    answers = fibro_answers(areas, sss)
    assert score_wpi(answers).value == wpi
    score = acr2016_fibromyalgia(answers)
    assert score.complete
    assert f"pain in {regions} of 5 regions" in score.detail
    assert score.positive is met
    assert score.band == ("criteria met" if met else "criteria not met")


def test_acr2016_vector_met_on_areas_but_symptoms_under_3_months_is_not_met():
    answers = fibro_answers(SEVEN_IN_FIVE_REGIONS, sss_answers(3, 3, 3), duration="no")
    assert acr2016_fibromyalgia(answers).complete
    assert not acr2016_fibromyalgia(answers).positive


def test_an_older_intake_with_wpi_codes_only_scores_as_before():
    old = {"pain_regions": ["neck", "lower_back", "upper_back", "jaw_left"]}
    assert score_wpi(old).value == 4
