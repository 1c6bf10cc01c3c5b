"""Screening rules (intake.screening): every rule fires on its finding and only on it.

Pure: no database. Each rule has a positive and a negative answers patch in CASES, applied
on top of CLEAN (a realistic complete intake that raises no flag at all); a rule added
without a row in CASES fails test_every_rule_has_a_case.
"""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.demo import BASE, FIBROMYALGIA, NO_OPIOIDS_METRIC
from intake.medications import MEDICATION_CLASSES
from intake.questionnaire import DIAGNOSIS_CHOICES, QUESTION_BY_KEY, SECTIONS
from intake.scoring import INSTRUMENT_ITEMS
from intake.screening import (
    DETAIL_MAX,
    EVIDENCE_GRADES,
    RULE_BY_CODE,
    RULES,
    SEVERITIES,
    Policy,
    Severity,
    Triage,
    screen,
)

TODAY = dt.date(2026, 11, 15)
CLEAN = {**NO_OPIOIDS_METRIC, "diagnoses": [], "other_medications": []}


def run(answers, policy=None, today=TODAY):
    return screen(answers, policy=policy or Policy(), today=today)


def codes(answers, **kwargs):
    return {flag.code for flag in run(answers, **kwargs).flags}


def flag_for(answers, code, **kwargs):
    return next(flag for flag in run(answers, **kwargs).flags if flag.code == code)


# ------------------------------------------------------------------ answer builders


def points(keys, total, item_max=3):
    """Answers (stored as strings) for keys whose points add up to total."""
    answers = {}
    for key in keys:
        answers[key] = str(min(item_max, total))
        total -= int(answers[key])
    assert total == 0
    return answers


def phq9(total, item9=0):
    return {**points(INSTRUMENT_ITEMS["PHQ9"][:8], total - item9), "phq9_9": str(item9)}


def yes_to(keys, count):
    return {key: "yes" if i < count else "no" for i, key in enumerate(keys)}


def dast(score):
    # Item 3 is reverse-scored: "yes" (able to stop) scores 0.
    others = [k for k in INSTRUMENT_ITEMS["DAST10"] if k != "dast_3"]
    # The gate before the items is open: the patient used drugs in the past 12 months.
    return {**yes_to(others, score), "dast_3": "yes", "drug_use_past_year": "yes"}


def pcptsd(count):
    return {"pcptsd_exposure": "yes", **yes_to(INSTRUMENT_ITEMS["PCPTSD5"], count)}


def auditc(*items):
    return dict(zip(INSTRUMENT_ITEMS["AUDITC"], map(str, items), strict=True))


def row(drug, strength, per_day=None, **extra):
    return {"drug": drug, "strength": strength, "doses_per_day": per_day, **extra}


def opioids(*rows, oih="no"):
    return {
        "takes_opioids": "yes",
        "opioids": list(rows),
        "opioid_dose_increased_pain_worse": oih,
        "wants_to_reduce_opioids": "yes",
        "naloxone_at_home": "yes",
    }


def meds(*names):
    return {"other_medications": [{"name": n, "dose": "", "how_often": ""} for n in names]}


def bp(controlled="yes", systolic=None, diastolic=None):
    return {
        "high_blood_pressure": "yes",
        "bp_controlled": controlled,
        "last_bp_systolic": systolic,
        "last_bp_diastolic": diastolic,
    }


def heart(*events, recent="no"):
    return {"heart_conditions": list(events), "heart_event_recent": recent}


def female(status):
    return {"sex_at_birth": "female", "pregnancy_status": status}


OXY_60 = row("oxycodone", 10, 4)  # CLINICAL.md §5 worked check: 60 MME
HYDROMORPHONE_120 = row("hydromorphone", 4, 6)  # 120 MME
METHADONE_141 = row("methadone", 10, 3)  # 141 MME

# code -> (positive patch, negative patch); the negative is a near miss where possible.
CASES = {
    "phq9_item9": ({"phq9_9": "1"}, {"phq9_9": "0"}),
    "uncontrolled_hypertension": (bp("no"), bp("yes", 179, 109)),
    "recent_heart_attack_or_unstable_angina": (
        heart("heart_attack", recent="yes"),
        heart("heart_attack", recent="no"),
    ),
    "recent_cardiovascular_disease": (
        heart("heart_failure", recent="yes"),
        heart("heart_failure", recent="no"),
    ),
    "past_heart_condition": (heart("stroke", recent="no"), heart("none")),
    "pregnancy": (female("pregnant"), female("not_pregnant")),
    "breastfeeding": (female("breastfeeding"), female("not_applicable")),
    "psychosis_history": ({"psychosis_history": "yes"}, {"psychosis_history": "no"}),
    "bipolar_history": ({"bipolar_history": "yes"}, {"bipolar_history": "no"}),
    "liver_disease_severe": ({"liver_disease": "severe"}, {"liver_disease": "moderate"}),
    "liver_disease_moderate": ({"liver_disease": "moderate"}, {"liver_disease": "mild"}),
    "liver_disease_severity_unknown": ({"liver_disease": "not_sure"}, {"liver_disease": "mild"}),
    "hepatitis": ({"hepatitis": "yes"}, {"hepatitis": "no"}),
    "raised_intracranial_pressure": ({"head_injury_or_icp": "yes"}, {"head_injury_or_icp": "no"}),
    "glaucoma": ({"glaucoma_or_eye_pressure": "yes"}, {"glaucoma_or_eye_pressure": "no"}),
    "active_substance_use": (
        {"substance_treatment_current": "yes"},
        {"substance_treatment_current": "no"},
    ),
    "ketamine_reaction": (
        {"ketamine_reaction": "yes", "ketamine_reaction_details": "Hives and wheezing"},
        {"ketamine_reaction": "no"},
    ),
    "anesthesia_reaction": ({"anesthesia_reaction": "yes"}, {"anesthesia_reaction": "no"}),
    "seizures": ({"seizures": "yes"}, {"seizures": "no"}),
    "bladder_problems": ({"bladder_problems": "yes"}, {"bladder_problems": "no"}),
    "sleep_apnea": ({"sleep_apnea": "yes"}, {"sleep_apnea": "no"}),
    "overactive_thyroid": ({"overactive_thyroid": "yes"}, {"overactive_thyroid": "no"}),
    "possible_opioid_hyperalgesia": (opioids(OXY_60, oih="yes"), opioids(OXY_60, oih="no")),
    "no_driver": ({"has_driver": "no"}, {"has_driver": "yes"}),
    "pain_under_3_months": ({"pain_started": "2026-09"}, {"pain_started": "2026-08"}),
    "evidence_grade_b": ({"diagnoses": ["crps_1"]}, {"diagnoses": ["sci"]}),
    "evidence_grade_c": ({"diagnoses": ["sci"]}, {"diagnoses": ["crps_2"]}),
    "evidence_grade_d": ({"diagnoses": ["migraine"]}, {"diagnoses": ["crps_1"]}),
    "evidence_not_graded": ({"diagnoses": ["arthritis"]}, {"diagnoses": ["fibromyalgia"]}),
    "mme_90": (opioids(HYDROMORPHONE_120), opioids(OXY_60)),
    "mme_50": (opioids(OXY_60), opioids(HYDROMORPHONE_120)),  # only the highest band fires
    "opioid_total_incomplete": (
        opioids(row("other", 2, 4, drug_other="levorphanol")),
        opioids(OXY_60),
    ),
    "buprenorphine": (opioids(row("buprenorphine", 8, 2)), opioids(OXY_60)),
    "methadone": (opioids(METHADONE_141), opioids(HYDROMORPHONE_120)),
    "medication_benzodiazepines": (meds("Xanax 0.5mg"), meds("sertraline")),
    "medication_lamotrigine": (meds("Lamictal 100 mg"), meds("levetiracetam")),
    "medication_maois": (meds("phenelzine"), meds("sertraline")),
    "medication_stimulants": (meds("Adderall XR"), meds("atomoxetine")),
    "medication_cyp3a4_2b6_modulators": (meds("St. John's Wort"), meds("vitamin D")),
    "medication_cns_depressants": (meds("gabapentin 300 mg"), meds("ibuprofen")),
    "phq9_moderate": (phq9(10), phq9(9)),
    "gad7_moderate": (points(INSTRUMENT_ITEMS["GAD7"], 10), points(INSTRUMENT_ITEMS["GAD7"], 9)),
    "pcptsd5_positive": (pcptsd(3), pcptsd(2)),
    "dast10_moderate": (dast(3), dast(2)),
    "dast10_low": (dast(1), dast(0)),
    "auditc_positive": (auditc(2, 2, 0), auditc(2, 1, 0)),  # male cut-point 4
    "ort_oud_high": (
        yes_to(INSTRUMENT_ITEMS["ORT_OUD"], 5),
        yes_to(INSTRUMENT_ITEMS["ORT_OUD"], 4),
    ),
    "ort_oud_moderate": (
        yes_to(INSTRUMENT_ITEMS["ORT_OUD"], 3),
        yes_to(INSTRUMENT_ITEMS["ORT_OUD"], 2),
    ),
    "suggest_ecg": (bp("yes"), {"high_blood_pressure": "no"}),
    "suggest_liver_tests": ({"hepatitis": "yes"}, {"liver_disease": "no", "hepatitis": "no"}),
}


# ------------------------------------------------------------------ every rule


def test_clean_baseline_raises_no_flag():
    result = run(CLEAN)
    assert result.flags == ()
    assert result.triage == Triage.CLEAR


def test_every_rule_has_a_case():
    assert set(CASES) == set(RULE_BY_CODE)


@pytest.mark.parametrize("code", list(CASES))
def test_rule_fires_on_positive_case(code):
    positive, _ = CASES[code]
    flag = flag_for({**CLEAN, **positive}, code)
    rule = RULE_BY_CODE[code]
    assert flag.severity == rule.default_severity
    assert (flag.title, flag.source, flag.message) == (rule.title, rule.source, rule.message)
    # The staff see which answers triggered it, as readable (label, answer) pairs.
    assert flag.triggers
    assert all(isinstance(label, str) and answer for label, answer in flag.triggers)


@pytest.mark.parametrize("code", list(CASES))
def test_rule_does_not_fire_on_negative_case(code):
    _, negative = CASES[code]
    assert code not in codes({**CLEAN, **negative})


def test_rule_table_is_well_formed():
    for rule in RULES:
        assert rule.default_severity in SEVERITIES
        assert len(rule.code) <= 40 and len(rule.title) <= 200  # IntakeFlag column sizes
        assert rule.title and rule.message and rule.source
        assert rule.triggers and set(rule.triggers) <= set(QUESTION_BY_KEY), rule.code


def test_clinic_and_guideline_stop_list():
    """CLINICAL.md §3: what stops a booking by default (clinic-editable)."""
    stops = {rule.code for rule in RULES if rule.default_severity == Severity.STOP}
    assert stops == {
        "phq9_item9",
        "uncontrolled_hypertension",
        "recent_heart_attack_or_unstable_angina",
        "recent_cardiovascular_disease",
        "pregnancy",
        "psychosis_history",
        "liver_disease_severe",
        "raised_intracranial_pressure",
        "glaucoma",
        "ketamine_reaction",
    }


def test_every_diagnosis_has_an_evidence_grade_and_never_stops():
    assert set(EVIDENCE_GRADES) == {choice.value for choice in DIAGNOSIS_CHOICES}
    assert EVIDENCE_GRADES["crps_1"] == EVIDENCE_GRADES["crps_2"] == "B"
    assert EVIDENCE_GRADES["sci"] == "C"
    assert EVIDENCE_GRADES["fibromyalgia"] == EVIDENCE_GRADES["phn"] == "D"
    evidence = [rule for rule in RULES if rule.code.startswith("evidence_")]
    assert len(evidence) == 4
    # A diagnosis alone never rules a patient in or out, so no policy can make it a stop.
    assert all(r.default_severity == Severity.INFO and not r.editable for r in evidence)
    policy = Policy(severities={r.code: "stop" for r in evidence})
    assert run({**CLEAN, "diagnoses": ["crps_1", "sci", "migraine", "other"]}, policy).triage == (
        Triage.CLEAR
    )


def test_one_medication_rule_per_class():
    assert {f"medication_{code}" for code in MEDICATION_CLASSES} <= set(RULE_BY_CODE)


# ------------------------------------------------------------- individual rules


@pytest.mark.parametrize(
    ("answers", "fires"),
    [
        (bp("yes", 180, 90), True),
        (bp("yes", 150, 110), True),
        (bp("yes", "185", "95"), True),  # stored as text
        (bp("yes", 179, 109), False),
        (bp("yes", "high", None), False),
        (bp("no", 120, 80), True),
    ],
)
def test_blood_pressure_reading_counts_as_uncontrolled(answers, fires):
    assert ("uncontrolled_hypertension" in codes({**CLEAN, **answers})) is fires


def test_blood_pressure_flag_shows_the_reading():
    flag = flag_for({**CLEAN, **bp("yes", 185, 100)}, "uncontrolled_hypertension")
    assert flag.detail == "Last reading 185/100 mmHg"
    assert ("Your last blood pressure reading: top number (systolic)", "185 mmHg") in flag.triggers


def test_recent_heart_attack_is_not_also_a_past_condition():
    found = codes({**CLEAN, **heart("heart_attack", "arrhythmia", recent="yes")})
    assert {"recent_heart_attack_or_unstable_angina", "recent_cardiovascular_disease"} <= found
    assert "past_heart_condition" not in found
    assert "suggest_ecg" in found


def test_could_be_pregnant_stops():
    assert "pregnancy" in run({**CLEAN, **female("could_be_pregnant")}).stop_codes


@pytest.mark.parametrize(
    ("started", "fires"),
    [("2026-11", True), ("2026-09", True), ("2026-08", False), ("2019-06", False)],
)
def test_pain_duration_against_today(started, fires):
    assert ("pain_under_3_months" in codes({**CLEAN, "pain_started": started})) is fires


def test_pain_start_in_the_future_is_flagged_for_checking():
    flag = flag_for({**CLEAN, "pain_started": "2027-02"}, "pain_under_3_months")
    assert "after today" in flag.detail


@pytest.mark.parametrize("started", ["soon", "2026-13", 2026, ["2026-10"]])
def test_unreadable_pain_start_does_not_fire(started):
    assert "pain_under_3_months" not in codes({**CLEAN, "pain_started": started})


def test_pain_duration_uses_the_given_date():
    answers = {**CLEAN, "pain_started": "2026-09"}
    assert "pain_under_3_months" not in codes(answers, today=dt.date(2027, 1, 1))


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([row("morphine", 50, 1)], {"mme_50"}),  # exactly 50
        ([row("morphine", 49, 1)], set()),
        ([row("morphine", 90, 1)], {"mme_90"}),  # exactly 90
        ([row("tramadol", 50, 4)], set()),  # 40 MME
        ([row("fentanyl_patch", 25)], {"mme_50"}),  # 60 MME
        ([OXY_60, row("morphine", 30, 1)], {"mme_90"}),  # the total counts
    ],
)
def test_mme_bands(rows, expected):
    found = codes({**CLEAN, **opioids(*rows)})
    assert found & {"mme_50", "mme_90"} == expected


def test_mme_detail_gives_the_total_and_never_a_dose():
    flag = flag_for({**CLEAN, **opioids(METHADONE_141)}, "mme_90")
    assert flag.detail.startswith("MME/day 141")
    assert "not a dose conversion" in flag.detail


def test_buprenorphine_alone_has_no_mme_flag():
    found = codes({**CLEAN, **opioids(row("buprenorphine", 8, 2))})
    assert "buprenorphine" in found
    assert not found & {"mme_50", "mme_90", "opioid_total_incomplete"}


def test_medication_flag_lists_the_matching_medicines():
    answers = {**CLEAN, **meds("Xanax 0.5mg", "sertraline", "clonazepam")}
    flag = flag_for(answers, "medication_benzodiazepines")
    assert flag.detail == "Xanax 0.5mg, clonazepam"


def test_pcptsd5_uses_the_policy_cut_point():
    answers = {**CLEAN, **pcptsd(3)}
    assert "pcptsd5_positive" in codes(answers, policy=Policy(pcptsd_cutoff=3))
    assert "pcptsd5_positive" not in codes(answers, policy=Policy(pcptsd_cutoff=4))
    assert "pcptsd5_positive" in codes({**CLEAN, **pcptsd(4)}, policy=Policy(pcptsd_cutoff=4))


def test_auditc_female_cut_point_and_liver_tests():
    answers = {**CLEAN, "sex_at_birth": "female", **auditc(2, 1, 0)}  # 3: positive for women
    flag = flag_for(answers, "suggest_liver_tests")
    assert "AUDIT-C" in flag.detail
    assert "auditc_positive" in codes(answers)


def test_suggested_tests_show_only_the_answers_behind_them():
    flag = flag_for({**CLEAN, **heart("arrhythmia")}, "suggest_ecg")
    assert flag.triggers == (
        ("Have you ever had any of these?", "Irregular heartbeat (arrhythmia)"),
    )
    assert flag.detail == "Because of irregular heartbeat (arrhythmia)"
    flag = flag_for({**CLEAN, "hepatitis": "yes"}, "suggest_liver_tests")
    assert flag.triggers == ((QUESTION_BY_KEY["hepatitis"].label, "Yes"),)
    flag = flag_for({**CLEAN, "liver_disease": "mild", **auditc(4, 4, 4)}, "suggest_liver_tests")
    assert len(flag.triggers) == 4  # liver disease and the three AUDIT-C items
    assert flag.detail == "Because of liver disease; AUDIT-C positive (possible alcohol misuse)"


def test_ketamine_reaction_shows_what_happened():
    positive, _ = CASES["ketamine_reaction"]
    flag = flag_for({**CLEAN, **positive}, "ketamine_reaction")
    assert ("What happened with ketamine?", "Hives and wheezing") in flag.triggers


def test_no_driver_message_is_practical():
    flag = flag_for({**CLEAN, "has_driver": "no"}, "no_driver")
    assert flag.severity == Severity.CAUTION
    assert "24 hours" in flag.message and "options" in flag.message


def test_long_details_are_clipped_to_the_column_size():
    names = [f"clonazepam tablet number {n} " + "x" * 60 for n in range(20)]
    flag = flag_for({**CLEAN, **meds(*names)}, "medication_benzodiazepines")
    assert len(flag.detail) == DETAIL_MAX and flag.detail.endswith("…")


# ---------------------------------------------------------------- policy, triage


def test_policy_override_changes_severity_and_is_recorded():
    answers = {**CLEAN, "has_driver": "no"}
    assert run(answers).triage == Triage.REVIEW
    result = run(answers, Policy(version=7, severities={"no_driver": "stop"}))
    assert result.policy_version == 7
    assert result.by_severity(Severity.STOP)[0].code == "no_driver"
    assert result.stop_codes == ("no_driver",)
    assert result.triage == Triage.STOP


def test_policy_can_downgrade_an_editable_stop():
    answers = {**CLEAN, **female("pregnant")}
    result = run(answers, Policy(version=2, severities={"pregnancy": "caution"}))
    assert result.stop_codes == ()
    assert result.triage == Triage.REVIEW


@pytest.mark.parametrize("override", ["purple", "", None, "STOP"])
def test_unknown_override_is_ignored(override):
    policy = Policy(version=3, severities={"no_driver": override, "no_such_rule": "stop"})
    assert flag_for({**CLEAN, "has_driver": "no"}, "no_driver", policy=policy).severity == (
        Severity.CAUTION
    )


def test_non_editable_rule_ignores_override():
    answers = {**CLEAN, "phq9_9": "2"}
    result = run(answers, Policy(version=4, severities={"phq9_item9": "info"}))
    assert result.flags[0].code == "phq9_item9"
    assert result.flags[0].severity == Severity.STOP
    assert result.triage == Triage.URGENT


def test_policy_rejects_an_unknown_pcptsd_cut_point():
    with pytest.raises(ValueError, match="3 or 4"):
        Policy(pcptsd_cutoff=5)


@pytest.mark.parametrize(
    ("patch", "triage"),
    [
        ({}, Triage.CLEAR),
        ({"diagnoses": ["crps_1"], **dast(1)}, Triage.CLEAR),  # info only
        ({"has_driver": "no"}, Triage.REVIEW),
        ({"has_driver": "no", "glaucoma_or_eye_pressure": "yes"}, Triage.STOP),
        ({"glaucoma_or_eye_pressure": "yes", "phq9_9": "1"}, Triage.URGENT),
        ({"phq9_9": "3"}, Triage.URGENT),  # urgent even with no other stop flag
    ],
)
def test_triage(patch, triage):
    assert run({**CLEAN, **patch}).triage == triage


def test_triage_order_and_display():
    assert sorted(Triage, key=lambda level: level.rank) == ["urgent", "stop", "review", "clear"]
    assert all(level.label and level.colour and level.icon for level in Triage)


def test_flags_sorted_by_severity_then_rule_order():
    answers = {
        **CLEAN,
        **female("breastfeeding"),
        **bp("no"),
        **opioids(OXY_60, oih="yes"),
        **meds("lorazepam"),
        "diagnoses": ["crps_1"],
        "has_driver": "no",
        "glaucoma_or_eye_pressure": "yes",
        "phq9_9": "1",
    }
    result = run(answers)
    order = list(RULE_BY_CODE)
    ranks = [(SEVERITIES.index(f.severity), order.index(f.code)) for f in result.flags]
    assert ranks == sorted(ranks)
    assert result.flags[0].code == "phq9_item9"
    assert {f.severity for f in result.flags} == set(SEVERITIES)
    assert [f.code for f in result.by_severity(Severity.INFO)] == [
        "possible_opioid_hyperalgesia",
        "evidence_grade_b",
        "suggest_ecg",
    ]


# --------------------------------------------------------------------- personas


def test_base_persona():
    result = run(BASE)
    found = {f.code: f for f in result.flags}
    assert found["evidence_grade_b"].severity == Severity.INFO
    assert "grade B" in found["evidence_grade_b"].title
    assert found["mme_50"].severity == Severity.CAUTION
    assert found["mme_50"].detail.startswith("MME/day 60")
    assert "mme_90" not in found
    assert found["medication_benzodiazepines"].detail == "Lorazepam"
    assert "possible_opioid_hyperalgesia" in found
    assert result.stop_codes == ()
    assert result.triage == Triage.REVIEW


def test_fibromyalgia_persona_is_urgent():
    result = run(FIBROMYALGIA)
    assert result.triage == Triage.URGENT
    first = result.flags[0]
    assert first.code == "phq9_item9"
    assert first.title == "PHQ-9 item 9 positive: thoughts of self-harm"
    assert "988" in first.message and "risk assessment" in first.message
    found = {f.code: f for f in result.flags}
    assert "phq9_moderate" in found
    assert found["evidence_grade_d"].detail == "Grade D: Fibromyalgia, Migraine"
    assert not found.keys() & {"mme_50", "mme_90", "medication_benzodiazepines"}


def test_metric_persona_without_opioids():
    found = codes(NO_OPIOIDS_METRIC)
    assert found == {"medication_benzodiazepines", "evidence_not_graded"}


# ------------------------------------------------------------ hidden and malformed


@pytest.mark.parametrize(
    "stale",
    [
        {"sex_at_birth": "male", "pregnancy_status": "pregnant"},
        {
            "takes_opioids": "no",
            "opioids": [HYDROMORPHONE_120, METHADONE_141],
            "opioid_dose_increased_pain_worse": "yes",
        },
        {"pcptsd_exposure": "no", **yes_to(INSTRUMENT_ITEMS["PCPTSD5"], 5)},
        {"high_blood_pressure": "no", "bp_controlled": "no", "last_bp_systolic": 210},
        {"heart_conditions": ["none"], "heart_event_recent": "yes"},
        {"ketamine_reaction": "no", "ketamine_reaction_details": "felt odd"},
        {"auditc_1": "0", "auditc_2": "4", "auditc_3": "4"},
    ],
)
def test_hidden_stale_answers_do_not_trigger_rules(stale):
    result = run({**CLEAN, **stale})
    assert result.flags == ()
    assert result.triage == Triage.CLEAR


def test_empty_answers():
    result = run({})
    assert result.flags == ()
    assert result.triage == Triage.CLEAR
    assert result.policy_version == 0


@pytest.mark.parametrize("huge", [10**400, -(10**400), float("inf"), float("nan"), "1e999"])
def test_huge_and_odd_numbers_do_not_break_screening(huge):
    answers = {**CLEAN, **bp("yes", huge, huge), **opioids(row("morphine", huge, huge))}
    answers["phq9_1"] = answers["dx_crps_1_year"] = answers["pain_started"] = huge
    result = run(answers)
    assert result.triage in list(Triage)


def test_module_is_pure():
    """No Django: it runs (and is tested) without settings or a database."""
    code = (
        "import sys, datetime; import intake.screening as s; "
        "s.screen({}, policy=s.Policy(), today=datetime.date(2026, 1, 1)); "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django'"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, env={"PYTHONPATH": root})


def _choice_values():
    values = {"yes", "no", "2026-10", "2026-13", "", " "}
    for section in SECTIONS:
        for question in section.questions:
            for q in (question, *question.fields):
                values.update(choice.value for choice in q.choices)
    return sorted(values)


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(_choice_values()),
)
_ROW_KEYS = st.sampled_from(["drug", "drug_other", "strength", "doses_per_day", "name"])
_JSON = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(_ROW_KEYS | st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=12,
)
_ROWS = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "drug": st.sampled_from(["oxycodone", "methadone", "fentanyl_patch", "other"])
            | _SCALARS,
            "strength": _SCALARS,
            "doses_per_day": _SCALARS,
            "name": st.sampled_from(["Xanax", "gabapentin"]) | _SCALARS,
        },
    )
    | _JSON,
    max_size=4,
)
# Random values for any question, plus rows shaped like the repeat questions' rows.
_ANSWERS = st.tuples(
    st.dictionaries(st.sampled_from(sorted(QUESTION_BY_KEY)), _JSON, max_size=40),
    st.fixed_dictionaries({}, optional={"opioids": _ROWS, "other_medications": _ROWS}),
).map(lambda pair: {**pair[0], **pair[1]})


@settings(max_examples=300, deadline=None)
@given(
    base=st.sampled_from([{}, CLEAN, BASE, FIBROMYALGIA]),
    patch=_ANSWERS,
    cutoff=st.sampled_from([3, 4]),
)
def test_screen_never_raises_on_malformed_answers(base, patch, cutoff):
    result = run({**base, **patch}, Policy(pcptsd_cutoff=cutoff))
    assert result.triage in list(Triage)
    for flag in result.flags:
        assert flag.severity in SEVERITIES
        assert len(flag.detail) <= DETAIL_MAX
        assert all(isinstance(a, str) and isinstance(b, str) for a, b in flag.triggers)
