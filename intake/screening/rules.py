"""The screening rules as one table (RULES), with the small predicates they use.

Pure: no Django, no database, no clock. Predicates read answers defensively (a malformed
value simply does not match) because screen() must never raise on a stored intake.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable

from intake import scoring
from intake.medications import MEDICATION_CLASSES, recognise
from intake.questionnaire import QUESTION_BY_KEY, is_empty

from .model import (
    SEVERITIES,
    URGENT_CODE,
    Facts,
    Rule,
    Severity,
    Source,
)


def _is(key: str, *values: str) -> Callable[[Facts], bool]:
    # Tuple membership compares by equality, so a list or dict simply fails to match.
    return lambda f: f.answers.get(key) in values


def _ticked(f: Facts, key: str, wanted: tuple[str, ...]) -> list[str]:
    value = f.answers.get(key)
    if not isinstance(value, list | tuple):
        return []
    return [v for v in value if isinstance(v, str) and v in wanted]


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value  # kept an int: float() of a huge int would overflow
    if isinstance(value, float | str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _labels(key: str, values: list[str]) -> str:
    return ", ".join(QUESTION_BY_KEY[key].choice_label(v) for v in values)


def _with_details(key: str) -> tuple[str, ...]:
    # A "what happened?" follow-up, if the question has one, is shown with the flag.
    return (key, f"{key}_details") if f"{key}_details" in QUESTION_BY_KEY else (key,)


# ------------------------------------------------------------- heart and pain

_HEART_EVENTS = tuple(
    c.value for c in QUESTION_BY_KEY["heart_conditions"].choices if c.value != "none"
)
_ACUTE_CORONARY = ("heart_attack", "unstable_angina")
_OTHER_CARDIAC = tuple(e for e in _HEART_EVENTS if e not in _ACUTE_CORONARY)


def _uncontrolled_bp(f: Facts) -> bool:
    if f.answers.get("high_blood_pressure") != "yes":
        return False
    # A last reading of 180/110 or more counts as uncontrolled whatever the patient thinks.
    systolic = _number(f.answers.get("last_bp_systolic"))
    diastolic = _number(f.answers.get("last_bp_diastolic"))
    very_high = (systolic or 0) >= 180 or (diastolic or 0) >= 110
    return f.answers.get("bp_controlled") == "no" or very_high


def _bp_detail(f: Facts) -> str:
    systolic, diastolic = f.answers.get("last_bp_systolic"), f.answers.get("last_bp_diastolic")
    if is_empty(systolic) and is_empty(diastolic):
        return "No recent reading given"
    return f"Last reading {systolic or '?'}/{diastolic or '?'} mmHg"


def _recent_heart(events: tuple[str, ...]) -> Callable[[Facts], bool]:
    return lambda f: (
        bool(_ticked(f, "heart_conditions", events))
        and (f.answers.get("heart_event_recent") == "yes")
    )


def _past_heart(f: Facts) -> bool:
    # Only when no recent event was reported: the recent-event stop flags cover that case.
    return bool(_ticked(f, "heart_conditions", _HEART_EVENTS)) and (
        f.answers.get("heart_event_recent") != "yes"
    )


def _heart_detail(f: Facts) -> str:
    return _labels("heart_conditions", _ticked(f, "heart_conditions", _HEART_EVENTS))


def _months_since(value: object, today: dt.date) -> int | None:
    """Whole calendar months from a "YYYY-MM" answer to today (negative if in the future).
    Month precision only: pain that started in August counts as 3 months in November."""
    if not isinstance(value, str):
        return None
    match = re.fullmatch(r"(\d{4})-(\d{2})(?:-\d{2})?", value.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return (today.year - int(match[1])) * 12 + today.month - int(match[2])


def _pain_recent(f: Facts) -> bool:
    months = _months_since(f.answers.get("pain_started"), f.today)
    return months is not None and months < 3


def _pain_detail(f: Facts) -> str:
    months = _months_since(f.answers.get("pain_started"), f.today)
    if months is not None and months < 0:
        return "The start month is after today: please check it with the patient."
    return "Started this month" if months == 0 else f"Started about {months} month(s) ago"


# ---------------------------------------------------- diagnoses (CLINICAL.md §2)

# fmt: off
EVIDENCE_GRADES: dict[str, str] = {
    "crps_1": "B", "crps_2": "B", "sci": "C",
    **dict.fromkeys(
        ("neuropathic_mixed", "phn", "diabetic_neuropathy", "nerve_injury", "phantom_limb",
         "fibromyalgia", "fibromyalgia_suspected", "cancer_pain", "ischemic_pain", "migraine",
         "cluster_headache", "low_back_pain"), "D"),
    **dict.fromkeys(("post_surgical", "post_injury", "arthritis", "other"), "not graded"),
}
# fmt: on
_GRADE_TEXT = {
    "B": "grade B (moderate evidence, relief up to 12 weeks)",
    "C": "grade C (weak, short-term evidence)",
    "D": "grade D (weak or no evidence)",
    "not graded": "not graded by the guideline",
}


def _graded(f: Facts, grade: str) -> list[str]:
    wanted = tuple(code for code, g in EVIDENCE_GRADES.items() if g == grade)
    return _ticked(f, "diagnoses", wanted)


def _evidence_rule(grade: str) -> Rule:
    name = "not graded" if grade == "not graded" else f"grade {grade}"
    # Not editable: a diagnosis alone never rules a patient in or out (CLINICAL.md §2).
    return Rule(
        f"evidence_{name.replace(' ', '_').lower()}",
        f"Evidence for IV ketamine: {_GRADE_TEXT[grade]}",
        Severity.INFO,
        Source.GUIDELINE,
        "The guideline's evidence grade for IV ketamine in this diagnosis, for the "
        "clinician's discussion with the patient. A diagnosis alone never decides treatment.",
        ("diagnoses",),
        lambda f: bool(_graded(f, grade)),
        editable=False,
        detail=lambda f: f"{name[0].upper()}{name[1:]}: " + _labels("diagnoses", _graded(f, grade)),
    )


# ------------------------------------------------------ opioids (CLINICAL.md §5)


def _mme_detail(f: Facts) -> str:
    return f"MME/day {f.mme.total:g}. {scoring.MME_DISCLAIMER}"


def _uncounted(f: Facts) -> list[scoring.OpioidLine]:
    # Buprenorphine is left out of the total on purpose and has its own flag.
    return [ln for ln in f.mme.lines if ln.mme is None and ln.drug != "buprenorphine"]


# ---------------------------------------------------- medicines (CLINICAL.md §7)


def _class_meds(f: Facts, class_code: str) -> list[str]:
    rows = f.answers.get("other_medications")
    if not isinstance(rows, list | tuple):
        return []
    names = [row.get("name") for row in rows if isinstance(row, dict)]
    return [n.strip() for n in names if isinstance(n, str) and class_code in recognise(n)]


def _medication_rule(class_code: str, spec: dict) -> Rule:
    return Rule(
        f"medication_{class_code}",
        f"Medicine to review: {spec['label']}",
        Severity.CAUTION,
        Source.CLINIC,
        f"{spec['why']} The clinician reviews it with the prescriber; the patient should not "
        "stop any medicine on their own.",
        ("other_medications",),
        lambda f: bool(_class_meds(f, class_code)),
        detail=lambda f: ", ".join(_class_meds(f, class_code)),
    )


# -------------------------------------------------- instruments (CLINICAL.md §4)


def _score(code: str, *, positive: bool = False, bands: tuple[str, ...] = ()):
    def test(f: Facts) -> bool:
        score = f.scores.get(code)
        if score is None or not score.complete:
            return False
        return (positive and score.positive) or score.band in bands

    return test


def _score_detail(code: str) -> Callable[[Facts], str]:
    def detail(f: Facts) -> str:
        s = f.scores[code]
        return f"{s.label} {s.value} of {s.max_value:g}: {s.detail}"

    return detail


# The answers shown with an instrument's flag: its items (and the PC-PTSD-5 gate).
_ITEMS = {
    **scoring.INSTRUMENT_ITEMS,
    "PHQ9_ITEM9": ("phq9_9",),
    "PCPTSD5": ("pcptsd_exposure", *scoring.INSTRUMENT_ITEMS["PCPTSD5"]),
}


def _instrument_rule(code, title, severity, source, instrument, message, match) -> Rule:
    return Rule(
        code,
        title,
        severity,
        source,
        message,
        _ITEMS[instrument],
        _score(instrument, **match),
        editable=code != URGENT_CODE,  # item 9 is always urgent, whatever the policy says
        detail=_score_detail(instrument),
    )


# -------------------------------------------- suggested tests (CLINICAL.md §3)


# Each returns {answer key: reason}, so the flag shows only the answers behind it.


def _ecg_reasons(f: Facts) -> dict[str, str]:
    reasons = {}
    if f.answers.get("high_blood_pressure") == "yes":
        reasons["high_blood_pressure"] = "high blood pressure"
    if events := _ticked(f, "heart_conditions", _HEART_EVENTS):
        reasons["heart_conditions"] = _labels("heart_conditions", events).lower()
    return reasons


def _lft_reasons(f: Facts) -> dict[str, str]:
    reasons = {}
    if f.answers.get("liver_disease") in ("mild", "moderate", "severe", "not_sure"):
        reasons["liver_disease"] = "liver disease"
    if f.answers.get("hepatitis") == "yes":
        reasons["hepatitis"] = "chronic hepatitis"
    if _score("AUDITC", positive=True)(f):
        reason = "AUDIT-C positive (possible alcohol misuse)"
        reasons.update(dict.fromkeys(scoring.INSTRUMENT_ITEMS["AUDITC"], reason))
    return reasons


def _because(reasons: dict[str, str]) -> str:
    return "Because of " + "; ".join(dict.fromkeys(reasons.values()))


# -------------------------------------------------------------------- the tables

# Short names keep each table row readable.
STOP, CAUTION, INFO = SEVERITIES
GUIDELINE, CDC, CLINIC = Source.GUIDELINE, Source.CDC, Source.CLINIC

# fmt: off
# (code, answer key, values that fire, severity, source, title, message)
_ANSWER_RULES = (
    ("pregnancy", "pregnancy_status", ("pregnant", "could_be_pregnant"), STOP, GUIDELINE,
     "Pregnant or could be pregnant",
     "The guideline lists pregnancy as a contraindication. If the patient could be pregnant, "
     "a pregnancy test is needed before any infusion."),
    ("breastfeeding", "pregnancy_status", ("breastfeeding",), CAUTION, CLINIC,
     "Breastfeeding",
     "Ketamine passes into breast milk; the clinician discusses timing and feeding."),
    ("psychosis_history", "psychosis_history", ("yes",), STOP, CLINIC,
     "History of psychosis, schizophrenia or hallucinations",
     "Ketamine can cause hallucinations and may bring back psychosis. The guideline lists "
     "active psychosis; this clinic also stops for any past history."),
    ("bipolar_history", "bipolar_history", ("yes",), CAUTION, CLINIC,
     "History of mania or bipolar disorder",
     "Ketamine may trigger mania in some people; the clinician checks the mood history."),
    ("liver_disease_severe", "liver_disease", ("severe",), STOP, GUIDELINE,
     "Severe liver disease",
     "The liver clears ketamine and ketamine can harm the liver: the guideline advises "
     "avoiding infusions in severe liver disease."),
    ("liver_disease_moderate", "liver_disease", ("moderate",), CAUTION, GUIDELINE,
     "Moderate liver disease",
     "The guideline advises caution in moderate liver disease; liver tests are suggested."),
    ("liver_disease_severity_unknown", "liver_disease", ("not_sure",), INFO, GUIDELINE,
     "Liver disease, severity not known",
     "Severe liver disease is a reason to avoid ketamine, so records or liver tests are "
     "needed to know how severe it is."),
    ("hepatitis", "hepatitis", ("yes",), CAUTION, GUIDELINE,
     "Hepatitis B or C, or long-term liver infection",
     "Chronic hepatitis can affect how the liver handles ketamine; the guideline suggests "
     "liver function tests before starting."),
    ("raised_intracranial_pressure", "head_injury_or_icp", ("yes",), STOP, GUIDELINE,
     "Raised brain pressure, brain tumor or recent serious head injury",
     "Ketamine can raise pressure inside the skull; the guideline lists raised "
     "intracranial pressure as a contraindication."),
    ("glaucoma", "glaucoma_or_eye_pressure", ("yes",), STOP, CLINIC,
     "Glaucoma or high pressure in the eye",
     "Ketamine can raise pressure in the eye. The guideline lists raised eye pressure; this "
     "clinic stops for glaucoma until a clinician clears it."),
    ("active_substance_use", "substance_treatment_current", ("yes",), CAUTION, GUIDELINE,
     "Current alcohol or drug problem, or in treatment for one",
     "The guideline lists active substance abuse, and ketamine itself can be misused. The "
     "clinician discusses support and safety."),
    ("ketamine_reaction", "ketamine_reaction", ("yes",), STOP, CLINIC,
     "Allergy or bad reaction to ketamine before",
     "A clinician must review what happened before another dose of ketamine is planned."),
    ("anesthesia_reaction", "anesthesia_reaction", ("yes",), CAUTION, CLINIC,
     "Bad reaction to anesthesia before",
     "A past reaction to anesthesia may matter for sedation and monitoring."),
    ("seizures", "seizures", ("yes",), CAUTION, CLINIC,
     "Seizures or epilepsy",
     "The clinician reviews seizure control and medicines before an infusion."),
    ("bladder_problems", "bladder_problems", ("yes",), CAUTION, CLINIC,
     "Bladder or urinary problems",
     "Ketamine can rarely harm the bladder with long-term use, so current symptoms are "
     "recorded as a baseline and checked before treatment."),
    ("sleep_apnea", "sleep_apnea", ("yes",), CAUTION, CLINIC,
     "Sleep apnea",
     "Sedation can make breathing problems worse; the team plans airway monitoring."),
    ("overactive_thyroid", "overactive_thyroid", ("yes",), CAUTION, CLINIC,
     "Overactive thyroid",
     "Ketamine raises heart rate and blood pressure, as an overactive thyroid does; the "
     "clinician checks it is controlled."),
    ("possible_opioid_hyperalgesia", "opioid_dose_increased_pain_worse", ("yes",), INFO, CLINIC,
     "Possible opioid-induced hyperalgesia",
     "The opioid dose went up while pain got worse. This can be opioid-induced "
     "hyperalgesia, one reason patients are referred for ketamine."),
    ("no_driver", "has_driver", ("no",), CAUTION, CLINIC,
     "No driver home yet",
     "Patients cannot drive for 24 hours after an infusion. Please talk through options "
     "with the patient (a friend or relative, or a ride with an escort) before booking."),
)

_PHQ9, _DAST, _ORT = "PHQ-9 (Kroenke 2001)", "DAST-10 (Skinner 1982)", "ORT-OUD (Cheatle 2019)"
_POSITIVE = {"positive": True}
# (code, title, severity, source, instrument, message, how the score matches)
_INSTRUMENT_RULES = (
    (URGENT_CODE, "PHQ-9 item 9 positive: thoughts of self-harm", STOP, _PHQ9, "PHQ9_ITEM9",
     "The patient reported thoughts of being better off dead or of self-harm. Crisis "
     "resources (988 Suicide & Crisis Lifeline; 911 in an emergency) were shown to the "
     "patient. A clinician must do a structured risk assessment.", _POSITIVE),
    ("phq9_moderate", "Depression: PHQ-9 moderate or above", CAUTION, _PHQ9, "PHQ9",
     "A PHQ-9 of 10 or more suggests depression that needs clinical evaluation.", _POSITIVE),
    ("gad7_moderate", "Anxiety: GAD-7 10 or more", CAUTION, "GAD-7 (Spitzer 2006)", "GAD7",
     "A GAD-7 of 10 or more suggests anxiety that needs evaluation; infusions can feel "
     "strange or dreamlike, so the team may plan extra reassurance.", _POSITIVE),
    ("pcptsd5_positive", "Possible PTSD: PC-PTSD-5 positive", CAUTION,
     "PC-PTSD-5 (Prins 2016)", "PCPTSD5",
     "Ketamine can cause dissociation and vivid experiences that may be distressing with "
     "PTSD; the clinician discusses this and plans support.", _POSITIVE),
    ("dast10_moderate", "Drug use: DAST-10 moderate or above", CAUTION, _DAST, "DAST10",
     "A DAST-10 of 3 or more needs further assessment; ketamine can be misused.", _POSITIVE),
    ("dast10_low", "Drug use: DAST-10 low", INFO, _DAST, "DAST10",
     "A DAST-10 of 1 or 2: a low level of drug-related problems.", {"bands": ("low",)}),
    ("auditc_positive", "Possible alcohol misuse: AUDIT-C positive", CAUTION,
     "AUDIT-C (Bush 1998)", "AUDITC",
     "Alcohol adds to sedation and affects the liver; liver tests are suggested.", _POSITIVE),
    ("ort_oud_high", "Opioid misuse risk: ORT-OUD high", CAUTION, _ORT, "ORT_OUD",
     "A high risk of opioid use disorder matters for opioid plans and for ketamine, which "
     "can also be misused.", {"bands": ("high",)}),
    ("ort_oud_moderate", "Opioid misuse risk: ORT-OUD moderate", INFO, _ORT, "ORT_OUD",
     "A moderate risk of opioid use disorder, for the clinician's picture.",
     {"bands": ("moderate",)}),
)

_HEART = ("heart_conditions", "heart_event_recent")
_BP = ("high_blood_pressure", "bp_controlled", "last_bp_systolic", "last_bp_diastolic",
       "last_bp_date")
_LIVER = ("liver_disease", "hepatitis", *scoring.INSTRUMENT_ITEMS["AUDITC"])

RULES: tuple[Rule, ...] = (
    # PHQ-9 item 9 first, so it leads every list of flags (flags sort stably by rule order).
    _instrument_rule(*_INSTRUMENT_RULES[0]),
    Rule("uncontrolled_hypertension", "High blood pressure, not controlled", STOP, CLINIC,
         "Ketamine raises blood pressure. The patient says it is not controlled, or the last "
         "reading was 180/110 or higher; it needs controlling before an infusion.",
         _BP, _uncontrolled_bp, detail=_bp_detail),
    Rule("recent_heart_attack_or_unstable_angina",
         "Heart attack or unstable angina, recent or getting worse", STOP, CLINIC,
         "In the last 6 months. Ketamine raises heart rate and blood pressure, which strains "
         "the heart.", _HEART, _recent_heart(_ACUTE_CORONARY), detail=_heart_detail),
    Rule("recent_cardiovascular_disease",
         "Heart or circulation problem, recent or getting worse", STOP, GUIDELINE,
         "A stroke, irregular heartbeat or heart failure in the last 6 months. The guideline "
         "lists poorly controlled cardiovascular disease.",
         _HEART, _recent_heart(_OTHER_CARDIAC), detail=_heart_detail),
    Rule("past_heart_condition", "Heart or circulation problem in the past", CAUTION,
         GUIDELINE,
         "Ketamine raises heart rate and blood pressure; the clinician checks the condition "
         "is stable and controlled.", _HEART, _past_heart, detail=_heart_detail),
    *(Rule(code, title, severity, source, message, _with_details(key), _is(key, *values))
      for code, key, values, severity, source, title, message in _ANSWER_RULES),
    Rule("pain_under_3_months", "Pain for less than 3 months: not yet chronic", CAUTION,
         CLINIC,
         "Ketamine infusions are offered for chronic pain, meaning pain for more than "
         "3 months. The clinician checks the history.",
         ("pain_started",), _pain_recent, detail=_pain_detail),
    *(_evidence_rule(grade) for grade in _GRADE_TEXT),
    # MME bands are exclusive, so only the highest applicable of mme_90 / mme_50 fires.
    Rule("mme_90", "High opioid dose: 90 MME/day or more", CAUTION, CDC,
         "At or above 90 morphine milligram equivalents a day the CDC marks a high overdose "
         "risk: extra care with sedation and monitoring.",
         ("opioids",), lambda f: f.mme.band == "high", detail=_mme_detail),
    Rule("mme_50", "Opioid dose 50 MME/day or more", CAUTION, CDC,
         "At or above 50 morphine milligram equivalents a day the CDC advises caution: "
         "extra care with sedation and monitoring.",
         ("opioids",), lambda f: f.mme.band == "caution", detail=_mme_detail),
    Rule("opioid_total_incomplete", "Some opioids not counted in MME", INFO, CDC,
         "An opioid has no CDC conversion factor or a missing dose, so the MME/day total is "
         "too low. Please check the list with the patient.",
         ("opioids",), lambda f: bool(_uncounted(f)),
         detail=lambda f: "; ".join(f"{ln.label}: {ln.note}" for ln in _uncounted(f))),
    Rule("buprenorphine", "Takes buprenorphine", INFO, CDC,
         "Recorded but not counted in MME/day: the thresholds do not apply to "
         "opioid-use-disorder treatment. The clinician reviews it with the prescriber.",
         ("opioids",), lambda f: f.mme.has_buprenorphine),
    Rule("methadone", "Takes methadone", CAUTION, CDC,
         "Methadone's half-life is long and variable, so its MME is only an estimate, and it "
         "can affect heart rhythm. Clinician review needed.",
         ("opioids",), lambda f: f.mme.has_methadone),
    *(_medication_rule(code, spec) for code, spec in MEDICATION_CLASSES.items()),
    *(_instrument_rule(*row) for row in _INSTRUMENT_RULES[1:]),
    Rule("suggest_ecg", "Suggested test: baseline ECG", INFO, GUIDELINE,
         "The guideline suggests a baseline ECG when heart disease is suspected or cardiac "
         "risk is high.",
         ("high_blood_pressure", "heart_conditions"), lambda f: bool(_ecg_reasons(f)),
         detail=lambda f: _because(_ecg_reasons(f))),
    Rule("suggest_liver_tests", "Suggested test: liver function tests", INFO, GUIDELINE,
         "The guideline suggests liver function tests with liver disease, chronic hepatitis "
         "or alcohol misuse.",
         _LIVER, lambda f: bool(_lft_reasons(f)),
         detail=lambda f: _because(_lft_reasons(f))),
)
# fmt: on
RULE_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
if len(RULE_BY_CODE) != len(RULES):
    raise ValueError("duplicate screening rule code")
# Rules that fire for any one of several reasons show only the answers behind that reason.
_FIRED_TRIGGERS = {"suggest_ecg": _ecg_reasons, "suggest_liver_tests": _lft_reasons}
