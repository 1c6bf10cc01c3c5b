"""Section 3, diagnoses: the coded list, who diagnosed each and when, and the symptom
questions for CRPS (Budapest) and fibromyalgia (ACR 2016)."""

from .schema import Question, Section, ShowIf
from .shapes import YES_NO_SCORED, choices, scored_choices, yesno

# The coded list of docs/CLINICAL.md §2 (evidence grades live in screening.py).
DIAGNOSIS_CHOICES = choices(
    ("crps_1", "Complex regional pain syndrome (CRPS) type I, also called RSD"),
    ("crps_2", "Complex regional pain syndrome (CRPS) type II, also called causalgia"),
    ("sci", "Pain after a spinal cord injury"),
    ("neuropathic_mixed", "Nerve pain (neuropathic pain) of mixed or other cause"),
    ("phn", "Post-herpetic neuralgia (pain after shingles)"),
    ("diabetic_neuropathy", "Diabetic neuropathy"),
    ("nerve_injury", "Pain from a nerve injury"),
    ("phantom_limb", "Phantom limb pain"),
    ("fibromyalgia", "Fibromyalgia"),
    ("fibromyalgia_suspected", "Fibromyalgia suspected: a doctor said I might have it"),
    ("cancer_pain", "Cancer pain"),
    ("ischemic_pain", "Ischemic pain (from poor blood flow)"),
    ("migraine", "Migraine"),
    ("cluster_headache", "Cluster headache"),
    ("low_back_pain", "Low back pain"),
    ("post_surgical", "Long-lasting pain after surgery"),
    ("post_injury", "Long-lasting pain after an injury"),
    ("arthritis", "Arthritis"),
    ("other", "Another diagnosis"),
)
_DX_LABELS = {c.value: c.label for c in DIAGNOSIS_CHOICES}
# Shorter names for the follow-up questions, asked just below the ticked diagnosis.
_DX_SHORT = {
    "crps_1": "CRPS type I",
    "crps_2": "CRPS type II",
    "neuropathic_mixed": "Nerve pain",
    "phn": "Post-herpetic neuralgia",
    "fibromyalgia_suspected": "Suspected fibromyalgia",
    "ischemic_pain": "Ischemic pain",
    "post_surgical": "Pain after surgery",
    "post_injury": "Pain after an injury",
}


def _diagnosis_details() -> tuple[Question, ...]:
    """Who diagnosed each ticked condition, and when."""
    questions = []
    for code, label in _DX_LABELS.items():
        label = _DX_SHORT.get(code, label)
        shown = ShowIf("diagnoses", "contains", code)
        questions += [
            Question(
                f"dx_{code}_by",
                f"{label}: who diagnosed it?",
                "text",
                required=False,
                show_if=shown,
                max_length=200,
                example="Dr. Lee, neurologist",
            ),
            Question(
                f"dx_{code}_year",
                f"{label}: year it was diagnosed",
                "integer",
                required=False,
                show_if=shown,
                min_value=1940,
                max_value=2100,
                example="2018",
            ),
        ]
    return tuple(questions)


_CRPS = ShowIf("diagnoses", "any", ("crps_1", "crps_2"))
# A suspected fibromyalgia gets the same ACR 2016 questions: they help confirm or rule it out.
_FIBRO = ShowIf("diagnoses", "any", ("fibromyalgia", "fibromyalgia_suspected"))
# The four symptom categories answer one prompt together: one fieldset under this legend.
_BUDAPEST = "Have you noticed any of these in the painful area? Leave blank if none."
# ACR 2016 symptom severity wording (Wolfe 2016).
_SSS_SEVERITY = scored_choices(
    (
        "No problem",
        "Slight or mild problems, generally mild or intermittent",
        "Moderate, considerable problems, often present and/or at a moderate level",
        "Severe: pervasive, continuous, life-disturbing problems",
    )
)
_SSS_HELP = "How severe has this been over the past week?"


def _sss_severity(key: str, label: str, help_text: str) -> Question:
    return Question(
        key, label, "choice", _SSS_SEVERITY, show_if=_FIBRO, instrument="SSS", help_text=help_text
    )


def _sss_yesno(key: str, label: str) -> Question:
    return yesno(key, label, YES_NO_SCORED, show_if=_FIBRO, instrument="SSS")


DIAGNOSES = Section(
    "diagnoses",
    "Your diagnoses",
    "This helps our clinicians prepare. A diagnosis on its own does not decide whether "
    "treatment is right for you.",
    (
        Question(
            "diagnoses",
            "Which of these has a doctor diagnosed?",
            "multi",
            DIAGNOSIS_CHOICES,
            required=False,
            help_text="Tick all that apply.",
        ),
        *_diagnosis_details(),
        Question(
            "diagnosis_other_text",
            "What is the other diagnosis?",
            "text",
            max_length=200,
            show_if=ShowIf("diagnoses", "contains", "other"),
        ),
        Question(
            "crps_limbs",
            "Where is the CRPS?",
            "multi",
            choices(
                ("right_arm", "Right arm or hand"),
                ("left_arm", "Left arm or hand"),
                ("right_leg", "Right leg or foot"),
                ("left_leg", "Left leg or foot"),
                ("spread", "It has spread from where it started to another limb"),
                ("other", "Somewhere else, such as the face or trunk"),
            ),
            show_if=_CRPS,
            help_text="Tick every limb it affects now.",
        ),
        Question(
            "crps_started_where",
            "Where did it start?",
            "text",
            required=False,
            max_length=200,
            show_if=ShowIf("crps_limbs", "contains", "spread"),
            example="right foot",
        ),
        # Budapest criteria, symptom part only (Harden 2010); signs are examined in clinic.
        yesno(
            "crps_disproportionate_pain",
            "Is your pain much worse, or has it lasted much "
            "longer, than you would expect from the injury or event that started it?",
            show_if=_CRPS,
            instrument="BUDAPEST",
        ),
        Question(
            "crps_sensory",
            "Changes in feeling",
            "multi",
            choices(
                (
                    "hyperesthesia",
                    "Much more sensitive to pain or touch than normal (hyperesthesia)",
                ),
                ("allodynia", "Light touch, clothing or a breeze causes pain (allodynia)"),
            ),
            required=False,
            show_if=_CRPS,
            instrument="BUDAPEST",
            group=_BUDAPEST,
        ),
        Question(
            "crps_vasomotor",
            "Changes in temperature or skin color",
            "multi",
            choices(
                ("temperature_asymmetry", "Feels warmer or colder than the other side"),
                ("skin_color_changes", "Skin color changes (red, blue, purple or pale)"),
                ("skin_color_asymmetry", "Skin color is different from the other side"),
            ),
            required=False,
            show_if=_CRPS,
            instrument="BUDAPEST",
            group=_BUDAPEST,
        ),
        Question(
            "crps_sudomotor_edema",
            "Swelling or sweating",
            "multi",
            choices(
                ("edema", "Swelling (edema)"),
                ("sweating_changes", "Changes in sweating"),
                ("sweating_asymmetry", "Sweats more or less than the other side"),
            ),
            required=False,
            show_if=_CRPS,
            instrument="BUDAPEST",
            group=_BUDAPEST,
        ),
        Question(
            "crps_motor_trophic",
            "Movement, hair, nails or skin",
            "multi",
            choices(
                (
                    "decreased_range_of_motion",
                    "Stiffness or less movement (decreased range of motion)",
                ),
                (
                    "motor_dysfunction",
                    "Weakness, tremor or muscle spasms that twist or hold the limb (dystonia)",
                ),
                ("trophic_changes", "Changes in how hair, nails or skin grow"),
            ),
            required=False,
            show_if=_CRPS,
            instrument="BUDAPEST",
            group=_BUDAPEST,
        ),
        # ACR 2016 fibromyalgia: the WPI reuses pain_regions; only duration and SSS are new.
        yesno(
            "fm_symptoms_3_months",
            "Have these symptoms been present at a similar level for at least 3 months?",
            show_if=_FIBRO,
        ),
        _sss_severity("sss_fatigue", "Fatigue", _SSS_HELP),
        _sss_severity("sss_waking_unrefreshed", "Waking unrefreshed", _SSS_HELP),
        _sss_severity(
            "sss_cognitive",
            "Cognitive symptoms",
            _SSS_HELP + " (Trouble thinking, remembering or concentrating.)",
        ),
        _sss_yesno(
            "sss_headache", "During the past 6 months, have you been bothered by headaches?"
        ),
        _sss_yesno(
            "sss_lower_abdominal",
            "During the past 6 months, have you been bothered by "
            "pain or cramps in the lower abdomen?",
        ),
        _sss_yesno(
            "sss_depression", "During the past 6 months, have you been bothered by depression?"
        ),
    ),
)
