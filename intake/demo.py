"""Realistic, complete intake answers for demo data, tests and benchmarks (not for patients).

Each persona also carries the answers derived from it (questionnaire/derived.py) as a save
would write them, so scoring and screening tests can read a persona directly.
"""

import datetime as dt

from .questionnaire.derived import derive_answers

_DEMO_DAY = dt.date(2026, 12, 1)

BASE = derive_answers(
    {
        # About you
        "legal_first_name": "Alice",
        "legal_last_name": "Anderson",
        "preferred_name": "Ali",
        "date_of_birth": "1979-04-23",
        "sex_at_birth": "female",
        "mobile_phone": "+12025550143",
        "address_line1": "12 Elm Street",
        "city": "Springfield",
        "state": "VA",
        "postal_code": "22150",
        "emergency_contact_name": "Sam Anderson",
        "emergency_contact_relationship": "spouse",
        "emergency_contact_phone": "+12025550198",
        "reminder_channel": "sms",
        "sms_consent": "yes",
        "measurement_system": "us",
        "height_ft": 5,
        "height_in": 6,
        "weight_lb": 150.0,
        "pcp_name": "Dr. Rivera",
        "pharmacy_name": "CVS on Main Street",
        "pharmacy_city": "Springfield",
        # Your pain
        "main_complaint": "Burning pain in my right foot since an ankle fracture; it spreads up.",
        "pain_regions": [
            "foot_right",
            "ankle_right",
            "lower_leg_right",
            "upper_leg_right",
            "lower_back",
        ],
        "pain_started": "2021-03",
        "pain_onset": "injury",
        "pain_qualities": ["burning", "electric"],
        "pain_worst": 9,
        "peg_pain": 7,
        "peg_enjoyment": 8,
        "peg_activity": 6,
        "pain_helps": "Rest, cool air on the foot.",
        # Diagnoses
        "diagnoses": ["crps_1"],
        "dx_crps_1_by": "Dr. Lee, pain specialist",
        "dx_crps_1_year": 2021,
        "crps_limbs": ["right_leg"],
        "crps_disproportionate_pain": "yes",
        "crps_sensory": ["allodynia"],
        "crps_vasomotor": ["temperature_asymmetry", "skin_color_changes"],
        "crps_sudomotor_edema": ["edema"],
        "crps_motor_trophic": [],
        # Treatments tried: a checklist, then how each one went (derived.py writes tx_<code>).
        "treatments_tried": [
            "nsaids",
            "acetaminophen",
            "gabapentinoids",
            "snris",
            "topicals",
            "nerve_blocks",
            "physical_therapy",
            "acupuncture",
        ],
        "tx_nsaids_outcome": "did_not_help",
        "tx_acetaminophen_outcome": "helps_using",
        "tx_gabapentinoids_outcome": "side_effects",
        "tx_snris_outcome": "did_not_help",
        "tx_topicals_outcome": "helps_using",
        "tx_nerve_blocks_outcome": "helped_stopped",
        "tx_physical_therapy_outcome": "trial_only",
        "tx_acupuncture_outcome": "did_not_help",
        "crps_treatments_tried": ["sympathetic_blocks", "mirror_therapy"],
        "tx_sympathetic_blocks_outcome": "helped_stopped",
        "tx_mirror_therapy_outcome": "trial_only",
        "prior_ketamine": "no",
        # Opioids
        "takes_opioids": "yes",
        "opioids": [
            {
                "drug": "oxycodone",
                "strength": 10.0,
                "doses_per_day": 4.0,
                "started": "2021-06",
                "prescriber": "Dr. Rivera",
            },
        ],
        "opioid_situation": ["dose_up_pain_worse", "wants_less"],
        # ORT-OUD as checklists; the age item is worked out from the date of birth.
        "ort_family": ["none"],
        "ort_personal": ["none"],
        "ort_psychological": ["add_ocd_bipolar_schizophrenia"],
        # Other medications and allergies
        "other_medications": [{"name": "Lorazepam", "dose": "0.5 mg", "how_often": "at night"}],
        "has_allergies": "no",
        "ketamine_reaction": "no",
        "anesthesia_reaction": "no",
        # Health questions
        "high_blood_pressure": "no",
        "heart_conditions": ["none"],
        "pregnancy_status": "not_pregnant",
        "health_conditions": ["none"],
        # No drug use in the past 12 months: DAST-10's items are not asked (it scores 0).
        "drug_use_past_year": "no",
        "auditc_1": "1",
        "auditc_2": "0",
        "auditc_3": "0",
        # Mood
        **{f"phq9_{n}": "1" for n in range(1, 10)},
        "phq9_9": "0",
        **{f"gad7_{n}": "1" for n in range(1, 8)},
        "pcptsd_exposure": "no",
        # Goals
        "goals": ["less_pain", "fewer_opioids", "better_sleep"],
        "preferred_days": ["tue", "thu"],
        "preferred_times": ["morning"],
        "has_driver": "yes",
        "payment": "insurance",
        "insurance_name": "Blue Cross",
        # Consent
        "consent_what_ketamine_is": True,
        "consent_side_effects": True,
        "consent_no_driving": True,
        "consent_honest_answers": True,
        "consent_privacy": True,
        "consent_signature": "Alice Anderson",
    },
    today=_DEMO_DAY,
)

FIBROMYALGIA = derive_answers(
    {
        **BASE,
        "legal_first_name": "Carmen",
        "legal_last_name": "Cruz",
        "preferred_name": "",
        "main_complaint": "Aching all over, exhausted, foggy; worse in cold weather.",
        "pain_regions": [
            "shoulder_girdle_left",
            "shoulder_girdle_right",
            "upper_arm_left",
            "upper_arm_right",
            "upper_back",
            "lower_back",
            "neck",
            "hip_left",
            "hip_right",
            "upper_leg_left",
        ],
        "pain_onset": "unknown",
        "diagnoses": ["fibromyalgia", "migraine"],
        "fm_symptoms_3_months": "yes",
        "sss_fatigue": "3",
        "sss_waking_unrefreshed": "2",
        "sss_cognitive": "2",
        "sss_headache": "yes",
        "sss_lower_abdominal": "no",
        "sss_depression": "yes",
        "takes_opioids": "no",
        "opioids": [],
        "other_medications": [],
        **{f"phq9_{n}": "2" for n in range(1, 10)},
        "phq9_9": "1",
        "consent_signature": "Carmen Cruz",
    },
    today=_DEMO_DAY,
)

NO_OPIOIDS_METRIC = derive_answers(
    {
        **BASE,
        "legal_first_name": "Dan",
        "legal_last_name": "Diaz",
        "sex_at_birth": "male",
        "measurement_system": "metric",
        "height_cm": 180,
        "weight_kg": 82.5,
        "diagnoses": ["post_surgical"],
        "takes_opioids": "no",
        "opioids": [],
        "consent_signature": "Dan Diaz",
    },
    today=_DEMO_DAY,
)

# The patient of issue 13: 46, CRPS of the right foot for 3 years, oxycodone + tramadol,
# clonazepam and lamotrigine; 80 morphine milligram equivalents a day, as in the issue.
# intake.length measures the intake against this persona.
ISSUE_PERSONA = derive_answers(
    {
        **BASE,
        "legal_first_name": "Morgan",
        "legal_last_name": "Reyes",
        "preferred_name": "",
        "date_of_birth": "1980-05-14",
        "main_complaint": "Burning pain in my right foot (CRPS) since a sprain 3 years ago.",
        "pain_regions": ["foot_right", "ankle_right"],
        "pain_started": "2023-11",
        "opioids": [
            {"drug": "oxycodone", "strength": 10.0, "doses_per_day": 4.0, "started": "2024-02"},
            {"drug": "tramadol", "strength": 50.0, "doses_per_day": 2.0, "started": "2023-12"},
        ],
        "other_medications": [
            {"name": "Clonazepam", "dose": "0.5 mg", "how_often": "at night"},
            {"name": "Lamotrigine", "dose": "100 mg", "how_often": "twice a day"},
        ],
        "consent_signature": "Morgan Reyes",
    },
    today=_DEMO_DAY,
)
PERSONAS = {
    "Alice (CRPS, oxycodone)": BASE,
    "Carmen (fibromyalgia, no opioids)": FIBROMYALGIA,
    "Dan (post-surgical, no opioids, metric)": NO_OPIOIDS_METRIC,
    "Issue 13 persona (CRPS right foot, oxycodone + tramadol)": ISSUE_PERSONA,
}


def answers_for_steps(answers: dict, step_keys: tuple[str, ...]) -> dict:
    """Only the answers of the given steps: an intake still in progress."""
    from .questionnaire import SECTION_BY_KEY

    keys = {q.key for s in step_keys for q in SECTION_BY_KEY[s].questions}
    return {k: v for k, v in answers.items() if k in keys}


def seed_intake(*, patient, answers: dict, submit: bool):
    """Walk the real services step by step, as a patient would, then optionally submit."""
    from . import services
    from .questionnaire import SECTIONS

    intake = services.start_intake(patient=patient)
    for section in SECTIONS:
        step_answers = answers_for_steps(answers, (section.key,))
        if not step_answers:
            break
        intake = services.save_step(
            intake=intake, step=section.key, raw={}, valid_answers=step_answers, complete=True
        )
        if section.key == "consent":
            services.sign_consent(intake=intake, ip="127.0.0.1", user_agent="seed_demo")
    if submit:
        intake.refresh_from_db()
        intake = services.submit_intake(intake=intake)
    return intake
