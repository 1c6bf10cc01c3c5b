"""Diagnostic criteria from self-report: the ACR 2016 Widespread Pain Index and
fibromyalgia criteria, and the symptom part of the Budapest CRPS criteria."""

from __future__ import annotations

from intake.bodymap import wpi_areas

from .instruments import Score, incomplete, score_sss

# ACR 2016 Widespread Pain Index: the 19 areas and the 5 regions used for "generalized
# pain" (Wolfe 2016). Jaw, chest and abdomen count towards the WPI but not towards the
# regions.
WPI_REGIONS: dict[str, str] = {
    "jaw_left": "left_upper",
    "shoulder_girdle_left": "left_upper",
    "upper_arm_left": "left_upper",
    "lower_arm_left": "left_upper",
    "jaw_right": "right_upper",
    "shoulder_girdle_right": "right_upper",
    "upper_arm_right": "right_upper",
    "lower_arm_right": "right_upper",
    "hip_left": "left_lower",
    "upper_leg_left": "left_lower",
    "lower_leg_left": "left_lower",
    "hip_right": "right_lower",
    "upper_leg_right": "right_lower",
    "lower_leg_right": "right_lower",
    "neck": "axial",
    "upper_back": "axial",
    "lower_back": "axial",
    "chest": "axial",
    "abdomen": "axial",
}
NOT_COUNTED_FOR_REGIONS = frozenset({"jaw_left", "jaw_right", "chest", "abdomen"})

BUDAPEST_CATEGORIES: dict[str, str] = {
    "crps_sensory": "sensory",
    "crps_vasomotor": "vasomotor",
    "crps_sudomotor_edema": "sudomotor/edema",
    "crps_motor_trophic": "motor/trophic",
}


def _pain_regions(answers: dict) -> set[str] | None:
    """The WPI areas derived from the body map (intake/bodymap.py). An older intake's answer
    holds WPI codes only, which the map keeps, so it reads the same."""
    regions = answers.get("pain_regions")
    if not isinstance(regions, list | tuple):
        return None
    return wpi_areas(regions)


def generalized_regions(areas) -> set[str]:
    """The ACR 2016 regions (of 5) these WPI areas reach; jaw, chest, abdomen not counted."""
    return {WPI_REGIONS[a] for a in set(areas) - NOT_COUNTED_FOR_REGIONS if a in WPI_REGIONS}


def score_wpi(answers: dict) -> Score:
    """Widespread Pain Index (ACR 2016): how many of the 19 areas hurt, 0–19 (a hand, foot,
    knee or other body-map area outside the 19 adds nothing)."""
    areas = _pain_regions(answers)
    if areas is None:
        return incomplete("WPI", "WPI", 19)
    count = len(areas)
    band = "≥7" if count >= 7 else "4–6" if count >= 4 else "0–3"
    return Score(
        "WPI",
        count,
        band,
        "WPI",
        19,
        complete=True,
        detail="painful areas in the past week, 0–19; ACR 2016 uses ≥7, or 4–6 with SSS ≥9",
    )


def acr2016_fibromyalgia(answers: dict) -> Score:
    """ACR 2016 fibromyalgia criteria from self-report; a clinician confirms."""
    label = "Fibromyalgia (ACR 2016)"
    wpi, sss = score_wpi(answers), score_sss(answers)
    duration = answers.get("fm_symptoms_3_months")
    if not (wpi.complete and sss.complete and duration in ("yes", "no")):
        return incomplete("FM_ACR2016", label, 1)
    w, s = wpi.value, sss.value
    if w >= 7 and s >= 5:
        severity, branch = True, "WPI ≥7 and SSS ≥5"
    elif 4 <= w <= 6 and s >= 9:
        severity, branch = True, "WPI 4–6 and SSS ≥9"
    else:
        severity, branch = False, "neither WPI ≥7 with SSS ≥5 nor WPI 4–6 with SSS ≥9"
    regions = generalized_regions(_pain_regions(answers))
    generalized = len(regions) >= 4
    long_enough = duration == "yes"
    positive = severity and generalized and long_enough
    detail = (
        f"WPI {w}, SSS {s}: {branch}{' met' if severity else ''}; "
        f"pain in {len(regions)} of 5 regions (≥4 needed; jaw, chest, abdomen not counted); "
        f"symptoms ≥3 months: {duration}. Self-report only — confirmed by a clinician."
    )
    return Score(
        "FM_ACR2016",
        int(positive),
        "criteria met" if positive else "criteria not met",
        label,
        1,
        complete=True,
        positive=positive,
        detail=detail,
    )


def budapest_symptoms(answers: dict) -> Score:
    """Budapest CRPS criteria, symptom part only: categories with ≥1 symptom, 0–4."""
    label = "Budapest symptoms (CRPS)"
    disproportionate = answers.get("crps_disproportionate_pain")
    if disproportionate not in ("yes", "no"):
        return incomplete("BUDAPEST", label, 4)
    reported = [
        name
        for key, name in BUDAPEST_CATEGORIES.items()
        if isinstance(answers.get(key), list | tuple) and answers[key]
    ]
    positive = disproportionate == "yes" and len(reported) >= 3
    detail = (
        f"symptoms in {len(reported)} of 4 categories ({', '.join(reported) or 'none'}); "
        f"disproportionate pain: {disproportionate}. Symptom criteria need disproportionate "
        "pain and ≥3 categories; signs (≥2 of 4) are examined at the consultation."
    )
    return Score(
        "BUDAPEST",
        len(reported),
        "symptom criteria met" if positive else "not met",
        label,
        4,
        complete=True,
        positive=positive,
        detail=detail,
    )
