"""Pure scoring of the intake instruments and of daily opioid dose (MME).

Every function takes the flat answers dict (question key -> JSON value) and returns plain
values. No Django, no clock, no database: the clinical arithmetic lives here so it can be
tested against published examples. Sources and cut-points: docs/CLINICAL.md.

An instrument with any unanswered or unreadable item is returned with complete=False,
value None and band "" -- a partial sum would look like a low (reassuring) score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

# ------------------------------------------------------------------ banded instruments


@dataclass(frozen=True)
class Banded:
    """An instrument scored as the sum of its items and read against published bands."""

    label: str
    items: tuple[str, ...]  # in form order
    item_max: int  # points per item; 1 for yes/no items
    bands: tuple[tuple[float, float, str], ...]  # inclusive (low, high, name)
    positive_at: int
    detail: str  # "{span}" becomes the patient's band, e.g. "10–14 moderate"
    yes_no: bool = False  # items answered yes/no: "yes" scores the point …
    reversed: frozenset[str] = frozenset()  # … except on these items, where "no" does

    @property
    def max_value(self) -> int:
        return len(self.items) * self.item_max


def _numbered(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}_{n}" for n in range(1, count + 1))


BANDED: dict[str, Banded] = {
    # PHQ-9 (Kroenke 2001): sum 0–27; positive at ≥10 (moderate or worse).
    "PHQ9": Banded(
        "PHQ-9",
        _numbered("phq9", 9),
        3,
        (
            (0, 4, "minimal"),
            (5, 9, "mild"),
            (10, 14, "moderate"),
            (15, 19, "moderately severe"),
            (20, 27, "severe"),
        ),
        positive_at=10,
        detail="sum 0–27; {span}; ≥10 prompts clinical evaluation",
    ),
    # GAD-7 (Spitzer 2006): sum 0–21; positive at ≥10.
    "GAD7": Banded(
        "GAD-7",
        _numbered("gad7", 7),
        3,
        ((0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe")),
        positive_at=10,
        detail="sum 0–21; {span}; ≥10 prompts evaluation",
    ),
    # DAST-10 (Skinner 1982): 1 per yes; positive at ≥3 (moderate or above). Item 3 ("Are
    # you always able to stop using drugs when you want to?") is the one where "no" scores.
    "DAST10": Banded(
        "DAST-10",
        _numbered("dast", 10),
        1,
        (
            (0, 0, "none"),
            (1, 2, "low"),
            (3, 5, "moderate"),
            (6, 8, "substantial"),
            (9, 10, "severe"),
        ),
        positive_at=3,
        detail="0–10, item 3 reverse-scored; {span}",
        yes_no=True,
        reversed=frozenset({"dast_3"}),
    ),
    # ORT-OUD (Cheatle 2019) [verify]: 1 per yes, 0–9; positive at moderate or high (≥3).
    "ORT_OUD": Banded(
        "ORT-OUD",
        _numbered("ort", 9),
        1,
        ((0, 2, "low"), (3, 4, "moderate"), (5, math.inf, "high")),
        positive_at=3,
        detail="1 per yes, 0–9, not sex-weighted; {span} risk",
        yes_no=True,
    ),
}

# --------------------------------------------------------------------------- items

_SSS_SEVERITY = ("sss_fatigue", "sss_waking_unrefreshed", "sss_cognitive")
_SSS_YES_NO = ("sss_headache", "sss_lower_abdominal", "sss_depression")

# The scored items of each instrument, in form order. intake.questionnaire has the wording;
# tests check that every key here exists there with matching choice scores.
INSTRUMENT_ITEMS: dict[str, tuple[str, ...]] = {
    "PEG": ("peg_pain", "peg_enjoyment", "peg_activity"),
    "PHQ9": BANDED["PHQ9"].items,
    "GAD7": BANDED["GAD7"].items,
    "PCPTSD5": _numbered("pcptsd", 5),
    "DAST10": BANDED["DAST10"].items,
    "ORT_OUD": BANDED["ORT_OUD"].items,
    "AUDITC": _numbered("auditc", 3),
    "SSS": _SSS_SEVERITY + _SSS_YES_NO,
}

_YES_NO_ITEMS = frozenset(
    INSTRUMENT_ITEMS["PCPTSD5"]
    + _SSS_YES_NO
    + tuple(key for b in BANDED.values() if b.yes_no for key in b.items)
)
_REVERSED = frozenset().union(*(b.reversed for b in BANDED.values()))
_ITEM_MAX: dict[str, int] = {
    **dict.fromkeys(INSTRUMENT_ITEMS["PEG"], 10),
    **{key: b.item_max for b in BANDED.values() if not b.yes_no for key in b.items},
    **dict.fromkeys(INSTRUMENT_ITEMS["AUDITC"], 4),
    **dict.fromkeys(_SSS_SEVERITY, 3),
}

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


@dataclass(frozen=True)
class Score:
    instrument: str
    value: float | int | None  # None when incomplete
    band: str  # "" when incomplete
    label: str
    max_value: int | float
    complete: bool
    positive: bool = False
    detail: str = ""


def _as_int(value: object) -> int | None:
    """An integer from a JSON answer ("2", 2, 2.0), else None. Booleans are not numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    # isascii: "²".isdigit() is True but int("²") fails.
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def item_points(key: str, value: object) -> int | None:
    """Points for one instrument item's answer, or None if unanswered or not valid."""
    if key in _YES_NO_ITEMS:
        if value not in ("yes", "no"):
            return None
        scores_yes = key not in _REVERSED
        return int((value == "yes") == scores_yes)
    maximum = _ITEM_MAX.get(key)
    points = _as_int(value)
    if maximum is None or points is None or not 0 <= points <= maximum:
        return None
    return points


def _sum(answers: dict, keys: tuple[str, ...]) -> int | None:
    points = [item_points(key, answers.get(key)) for key in keys]
    return None if None in points else sum(points)


def _incomplete(instrument: str, label: str, max_value: float, detail: str = "") -> Score:
    return Score(instrument, None, "", label, max_value, complete=False, detail=detail)


def _band(total: float, bands: tuple[tuple[float, float, str], ...]) -> tuple[str, str]:
    """(band name, "lo–hi name") for the band holding total; bands are inclusive ranges."""
    for low, high, name in bands:
        if low <= total <= high:
            upper = "" if math.isinf(high) else f"{high:g}"
            span = f"{low:g}–{upper}" if upper else f"≥{low:g}"
            return name, f"{span} {name}"
    raise ValueError(f"{total} is outside every band")


# ------------------------------------------------------------------- instruments


def score_peg(answers: dict) -> Score:
    """PEG (Krebs 2009): mean of three 0–10 items, to 1 decimal."""
    total = _sum(answers, INSTRUMENT_ITEMS["PEG"])
    if total is None:
        return _incomplete("PEG", "PEG", 10)
    # PEG has no severity bands; what matters is change from baseline (CLINICAL.md §8).
    return Score(
        "PEG",
        round(total / 3, 1),
        "track change",
        "PEG",
        10,
        complete=True,
        detail="mean of 3 items, 0–10; no severity bands — a ≥30 % drop from baseline "
        "is clinically meaningful, ≥50 % substantial",
    )


def score_banded(code: str, answers: dict) -> Score:
    """A BANDED instrument: sum of its items, its band, positive at its cut-point."""
    instrument = BANDED[code]
    total = _sum(answers, instrument.items)
    if total is None:
        return _incomplete(code, instrument.label, instrument.max_value)
    band, span = _band(total, instrument.bands)
    return Score(
        code,
        total,
        band,
        instrument.label,
        instrument.max_value,
        complete=True,
        positive=total >= instrument.positive_at,
        detail=instrument.detail.format(span=span),
    )


def score_phq9(answers: dict) -> Score:
    return score_banded("PHQ9", answers)


def phq9_item9_positive(answers: dict) -> bool:
    """True when item 9 (better off dead / hurting yourself) is answered above 0."""
    points = item_points("phq9_9", answers.get("phq9_9"))
    return bool(points)


def score_phq9_item9(answers: dict) -> Score:
    """PHQ-9 item 9 on its own, so staff see it even when the rest is incomplete."""
    points = item_points("phq9_9", answers.get("phq9_9"))
    label = "PHQ-9 item 9"
    if points is None:
        return _incomplete("PHQ9_ITEM9", label, 3)
    positive = points > 0
    detail = "thoughts that you would be better off dead or of hurting yourself; any answer "
    detail += "above 0 is positive"
    if positive:
        detail += " — show crisis resources (988; 911 in an emergency) and alert clinical staff"
    return Score(
        "PHQ9_ITEM9",
        points,
        "positive" if positive else "negative",
        label,
        3,
        complete=True,
        positive=positive,
        detail=detail,
    )


def score_gad7(answers: dict) -> Score:
    return score_banded("GAD7", answers)


def score_pcptsd5(answers: dict, cutoff: int = 3) -> Score:
    """PC-PTSD-5 (Prins 2016): count of yes 0–5, 0 without trauma exposure."""
    if cutoff not in (3, 4):
        raise ValueError("PC-PTSD-5 cut-point must be 3 or 4")
    label = "PC-PTSD-5"
    exposure = answers.get("pcptsd_exposure")
    if exposure == "no":
        return Score(
            "PCPTSD5",
            0,
            "negative",
            label,
            5,
            complete=True,
            detail="no trauma exposure reported, so the five items are not asked; score 0",
        )
    total = _sum(answers, INSTRUMENT_ITEMS["PCPTSD5"]) if exposure == "yes" else None
    if total is None:
        return _incomplete("PCPTSD5", label, 5)
    positive = total >= cutoff
    return Score(
        "PCPTSD5",
        total,
        "positive" if positive else "negative",
        label,
        5,
        complete=True,
        positive=positive,
        detail=f"count of yes 0–5; positive at ≥{cutoff} (clinic cut-point)",
    )


def score_dast10(answers: dict) -> Score:
    return score_banded("DAST10", answers)


def score_ort_oud(answers: dict) -> Score:
    return score_banded("ORT_OUD", answers)


def score_auditc(answers: dict, sex_at_birth: str | None) -> Score:
    """AUDIT-C: sum 0–12; positive at ≥4 for men, ≥3 for women [verify].

    Anyone not recorded as male (female, intersex, unknown) gets the cut-point of 3: the
    more sensitive one, so a possible problem is not missed.
    """
    label = "AUDIT-C"
    cut, who = (4, "male") if sex_at_birth == "male" else (3, "female/other")
    first = item_points("auditc_1", answers.get("auditc_1"))
    if first == 0:
        # "Never" drinks: items 2 and 3 are skipped on the form and score 0.
        total: int | None = 0
    else:
        total = _sum(answers, INSTRUMENT_ITEMS["AUDITC"])
    if total is None:
        return _incomplete("AUDITC", label, 12)
    positive = total >= cut
    return Score(
        "AUDITC",
        total,
        "positive" if positive else "negative",
        label,
        12,
        complete=True,
        positive=positive,
        detail=f"sum 0–12; positive at ≥{cut} ({who} cut-point)",
    )


def _pain_regions(answers: dict) -> set[str] | None:
    regions = answers.get("pain_regions")
    if not isinstance(regions, list | tuple):
        return None
    return {r for r in regions if isinstance(r, str) and r in WPI_REGIONS}


def score_wpi(answers: dict) -> Score:
    """Widespread Pain Index (ACR 2016): how many of the 19 areas hurt, 0–19."""
    areas = _pain_regions(answers)
    if areas is None:
        return _incomplete("WPI", "WPI", 19)
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


def score_sss(answers: dict) -> Score:
    """Symptom Severity Scale (ACR 2016): 3 items 0–3 plus 3 items 0–1, total 0–12."""
    total = _sum(answers, INSTRUMENT_ITEMS["SSS"])
    if total is None:
        return _incomplete("SSS", "SSS", 12)
    band = "≥9" if total >= 9 else "5–8" if total >= 5 else "0–4"
    return Score(
        "SSS",
        total,
        band,
        "SSS",
        12,
        complete=True,
        detail="fatigue, waking unrefreshed, cognitive symptoms 0–3 each; headache, "
        "lower-abdominal pain, depression in the past 6 months 0–1 each",
    )


def acr2016_fibromyalgia(answers: dict) -> Score:
    """ACR 2016 fibromyalgia criteria from self-report; a clinician confirms."""
    label = "Fibromyalgia (ACR 2016)"
    wpi, sss = score_wpi(answers), score_sss(answers)
    duration = answers.get("fm_symptoms_3_months")
    if not (wpi.complete and sss.complete and duration in ("yes", "no")):
        return _incomplete("FM_ACR2016", label, 1)
    w, s = wpi.value, sss.value
    if w >= 7 and s >= 5:
        severity, branch = True, "WPI ≥7 and SSS ≥5"
    elif 4 <= w <= 6 and s >= 9:
        severity, branch = True, "WPI 4–6 and SSS ≥9"
    else:
        severity, branch = False, "neither WPI ≥7 with SSS ≥5 nor WPI 4–6 with SSS ≥9"
    regions = {WPI_REGIONS[a] for a in _pain_regions(answers) - NOT_COUNTED_FOR_REGIONS}
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
        return _incomplete("BUDAPEST", label, 4)
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


def score_all(answers: dict, *, pcptsd_cutoff: int = 3) -> dict[str, Score]:
    """Every instrument, keyed by instrument code.

    Pass the visible answers (intake.questionnaire.visible_answers): a stale answer behind
    a closed gate would otherwise be scored. Visibility is the questionnaire's rule, and
    the questionnaire imports this module's codes, so scoring does not import it back.
    """
    scores = [
        score_peg(answers),
        score_phq9(answers),
        score_phq9_item9(answers),
        score_gad7(answers),
        score_pcptsd5(answers, pcptsd_cutoff),
        score_dast10(answers),
        score_ort_oud(answers),
        score_auditc(answers, answers.get("sex_at_birth")),
        score_wpi(answers),
        score_sss(answers),
        acr2016_fibromyalgia(answers),
        budapest_symptoms(answers),
    ]
    return {score.instrument: score for score in scores}


# -------------------------------------------------------------------------- MME

# CDC 2022 (Dowell et al., MMWR RR 2022;71(3)). Oral mg/day, except the fentanyl patch,
# whose factor is per mcg/h. Tramadol is 0.2: older 2016 tables said 0.1.
MME_FACTORS: dict[str, float] = {
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

# Patient-facing labels for the opioid drop-down. Buprenorphine and "other" have no factor:
# they are recorded and shown to staff but never added to the total.
OPIOID_CHOICES: tuple[tuple[str, str], ...] = (
    ("oxycodone", "Oxycodone (OxyContin, Percocet, Roxicodone)"),
    ("hydrocodone", "Hydrocodone (Norco, Vicodin, Hysingla)"),
    ("morphine", "Morphine (MS Contin, Kadian)"),
    ("hydromorphone", "Hydromorphone (Dilaudid)"),
    ("oxymorphone", "Oxymorphone (Opana)"),
    ("tramadol", "Tramadol (Ultram)"),
    ("tapentadol", "Tapentadol (Nucynta)"),
    ("codeine", "Codeine (including Tylenol with Codeine)"),
    ("methadone", "Methadone (Dolophine)"),
    ("fentanyl_patch", "Fentanyl patch (mcg/h)"),
    ("buprenorphine", "Buprenorphine (Suboxone, Subutex, Zubsolv, Belbuca, Butrans)"),
    ("other", "Another opioid (write its name)"),
)
_OPIOID_LABELS = dict(OPIOID_CHOICES)
PATCH_DRUGS = frozenset({"fentanyl_patch"})

MME_DISCLAIMER = (
    "MME is a measure of overdose risk, not a dose conversion between opioids. "
    "It must never be used to choose a dose."
)


@dataclass(frozen=True)
class OpioidLine:
    drug: str
    label: str
    daily_dose: float | None  # mg/day, or mcg/h for a patch
    unit: str
    factor: float | None
    mme: float | None
    note: str


@dataclass(frozen=True)
class MMEResult:
    total: float
    lines: tuple[OpioidLine, ...]
    band: str  # "none" | "<50" | "caution" (≥50) | "high" (≥90)
    has_buprenorphine: bool
    has_methadone: bool
    warnings: tuple[str, ...]


def _positive_number(value: object) -> float | None:
    """A finite number above zero from a JSON value ("10", 10, 7.5), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) and number > 0 else None


def _opioid_line(row: object) -> OpioidLine:
    if not isinstance(row, dict):
        return OpioidLine("", "Unreadable entry", None, "", None, None, "Entry could not be read.")
    drug = row.get("drug")
    drug = drug if isinstance(drug, str) else ""
    label = _OPIOID_LABELS.get(drug, drug or "Opioid not named")
    if drug == "other" and isinstance(row.get("drug_other"), str) and row["drug_other"].strip():
        label = f"Other opioid: {row['drug_other'].strip()}"
    strength = _positive_number(row.get("strength"))
    per_day = _positive_number(row.get("doses_per_day"))
    is_patch = drug in PATCH_DRUGS
    unit = "mcg/h" if is_patch else "mg/day"
    if is_patch:
        daily = strength
    elif strength is not None and per_day is not None and per_day <= 24:
        daily = strength * per_day
    else:
        daily = None

    if drug == "buprenorphine":
        note = "Recorded, not counted: MME thresholds do not apply to buprenorphine."
        return OpioidLine(drug, label, daily, unit, None, None, note)
    factor = MME_FACTORS.get(drug)
    if factor is None:
        note = "No CDC conversion factor for this opioid; not counted — clinician to review."
        return OpioidLine(drug, label, daily, unit, None, None, note)
    if strength is None:
        note = "Strength missing or not a number; not counted."
        return OpioidLine(drug, label, None, unit, factor, None, note)
    if daily is None:
        note = "Doses per day missing, not a number or above 24; not counted."
        return OpioidLine(drug, label, None, unit, factor, None, note)
    note = "Long, variable half-life: MME is an estimate." if drug == "methadone" else ""
    return OpioidLine(drug, label, daily, unit, factor, round(daily * factor, 1), note)


def _mme_band(total: float) -> str:
    if total <= 0:
        return "none"
    if total >= 90:
        return "high"
    return "caution" if total >= 50 else "<50"


def compute_mme(rows: object) -> MMEResult:
    """Daily MME from the rows of answers["opioids"]. Never raises and never suggests doses."""
    rows = rows if isinstance(rows, list | tuple) else []
    lines = tuple(_opioid_line(row) for row in rows)
    # Sum unrounded products so rounding happens once, on the total.
    total = round(sum(line.daily_dose * line.factor for line in lines if line.mme is not None), 1)
    has_bup = any(line.drug == "buprenorphine" for line in lines)
    has_methadone = any(line.drug == "methadone" for line in lines)
    warnings = []
    if any(line.mme is None and line.factor is not None for line in lines) or any(
        line.drug not in _OPIOID_LABELS for line in lines
    ):
        warnings.append("Some opioid entries could not be counted: the total is incomplete.")
    if any(line.drug == "other" for line in lines):
        warnings.append("An opioid without a CDC conversion factor is listed: not in the total.")
    if has_bup:
        warnings.append(
            "Buprenorphine is recorded but excluded from the total; MME thresholds do not "
            "apply to opioid-use-disorder treatment."
        )
    if has_methadone:
        warnings.append(
            "Methadone has a long and variable half-life; its MME is an estimate and "
            "needs clinician review."
        )
    return MMEResult(total, lines, _mme_band(total), has_bup, has_methadone, tuple(warnings))
