"""Section 7, health conditions that change how ketamine is given, DAST-10 and AUDIT-C."""

from .schema import Question, Section, ShowIf
from .shapes import (
    YES_NO_REVERSED,
    YES_NO_SCORED,
    choices,
    if_yes,
    item_group,
    scored_choices,
    yesno,
)

_HEART_EVENTS = ("heart_attack", "stroke", "arrhythmia", "heart_failure", "unstable_angina")
_DAST_INTRO = (
    "These questions are about your possible involvement with drugs, "
    "not including alcohol or tobacco, during the past 12 months. "
    '"Drug abuse" means using prescribed or over-the-counter drugs '
    "more than directed, or any non-medical use of drugs."
)
_DAST_HELP = "In the past 12 months. Do not count alcohol or tobacco."
# DAST-10, Skinner HA (1982), 10-item version, verbatim.
_DAST_ITEMS = (
    "Have you used drugs other than those required for medical reasons?",
    "Do you abuse more than one drug at a time?",
    "Are you always able to stop using drugs when you want to?",
    'Have you had "blackouts" or "flashbacks" as a result of drug use?',
    "Do you ever feel bad or guilty about your drug use?",
    "Does your spouse (or parents) ever complain about your involvement with drugs?",
    "Have you neglected your family because of your use of drugs?",
    "Have you engaged in illegal activities in order to obtain drugs?",
    "Have you ever experienced withdrawal symptoms (felt sick) when you stopped taking drugs?",
    "Have you had medical problems as a result of your drug use (e.g., memory loss, "
    "hepatitis, convulsions, bleeding, etc.)?",
)
_HEART = "Heart and circulation"
_LAST_READING = "Your last blood pressure reading, if you know it"
# A gate before DAST-10 in the words of its own definition of drug use: "no" skips the ten
# items and DAST-10 scores 0 (intake.scoring.score_dast10 reads this key).
DAST_GATE = "drug_use_past_year"
_DRINKS = ShowIf("auditc_1", "ne", "0")  # someone who never drinks skips items 2 and 3

HEALTH = Section(
    "health",
    "Your health",
    "Some conditions change how ketamine is given. Answer as best you can; our clinicians "
    "go through your answers with you.",
    (
        yesno("high_blood_pressure", "Have you been told you have high blood pressure?"),
        yesno(
            "bp_controlled",
            "Is your blood pressure usually in the range your doctor is aiming for?",
            show_if=if_yes("high_blood_pressure"),
        ),
        Question(
            "last_bp_systolic",
            "Your last blood pressure reading: top number (systolic)",
            "integer",
            required=False,
            min_value=60,
            max_value=260,
            unit="mmHg",
            example="128",
            show_if=if_yes("high_blood_pressure"),
            group=_LAST_READING,
        ),
        Question(
            "last_bp_diastolic",
            "Your last blood pressure reading: bottom number (diastolic)",
            "integer",
            required=False,
            min_value=30,
            max_value=160,
            unit="mmHg",
            example="82",
            show_if=if_yes("high_blood_pressure"),
            group=_LAST_READING,
        ),
        Question(
            "last_bp_date",
            "Date of that reading",
            "date",
            required=False,
            example="2026-10-01",
            show_if=if_yes("high_blood_pressure"),
            group=_LAST_READING,
        ),
        Question(
            "heart_conditions",
            "Have you ever had any of these?",
            "multi",
            choices(
                ("heart_attack", "Heart attack"),
                ("stroke", "Stroke"),
                ("arrhythmia", "Irregular heartbeat (arrhythmia)"),
                ("heart_failure", "Heart failure"),
                ("unstable_angina", "Chest pain at rest, or unstable angina"),
                ("none", "None of these"),
            ),
            help_text='Tick all that apply, or "None of these".',
            group=_HEART,
        ),
        yesno(
            "heart_event_recent",
            "Did any of these happen, or get worse, in the last 6 months?",
            show_if=ShowIf("heart_conditions", "any", _HEART_EVENTS),
            group=_HEART,
        ),
        Question(
            "pregnancy_status",
            "Are you pregnant, could you be pregnant, or are you breastfeeding?",
            "choice",
            choices(
                ("not_pregnant", "No, not pregnant or breastfeeding"),
                ("pregnant", "I am pregnant"),
                ("could_be_pregnant", "I could be pregnant"),
                ("breastfeeding", "I am breastfeeding"),
                ("not_applicable", "Does not apply to me"),
            ),
            show_if=ShowIf("sex_at_birth", "ne", "male"),
        ),
        # Ten yes/no questions as one checklist (derived.py writes the old keys back).
        Question(
            "health_conditions",
            "Have you ever had, or been told you have, any of these?",
            "multi",
            choices(
                (
                    "psychosis",
                    "Psychosis or schizophrenia, or hearing or seeing things that others "
                    "could not (hallucinations)",
                ),
                ("bipolar", "Mania or bipolar disorder"),
                ("liver", "Liver disease, such as cirrhosis or fatty liver"),
                ("hepatitis", "Hepatitis B or C, or another long-term liver infection"),
                (
                    "brain_pressure",
                    "Raised pressure in the brain, a brain tumor, or a recent serious head injury",
                ),
                ("eye_pressure", "Glaucoma or high pressure in the eye"),
                ("seizures", "Seizures or epilepsy"),
                (
                    "bladder",
                    "Bladder or urinary problems, such as pain or blood when passing urine, "
                    "or needing to go very often",
                ),
                ("sleep_apnea", "Sleep apnea"),
                ("thyroid", "An overactive thyroid (hyperthyroidism)"),
                (
                    "substance_problem",
                    "A problem with alcohol or drug use right now, or treatment for one",
                ),
                ("none", "None of these"),
            ),
            help_text='Tick all that apply, or "None of these".',
        ),
        Question(
            "liver_severity",
            "How severe is your liver disease?",
            "choice",
            choices(
                ("mild", "Mild"),
                ("moderate", "Moderate"),
                ("severe", "Severe"),
                ("not_sure", "I'm not sure"),
            ),
            show_if=ShowIf("health_conditions", "contains", "liver"),
        ),
        yesno(
            DAST_GATE,
            "In the past 12 months, have you used street drugs, or used prescribed or "
            "over-the-counter medicines more than directed or for non-medical reasons?",
            help_text="Do not count alcohol or tobacco.",
        ),
        *item_group(
            "DAST10",
            "dast",
            _DAST_ITEMS,
            "yesno",
            YES_NO_SCORED,
            help_text=_DAST_HELP,
            # "ne": drafts from before the gate have no answer to it and keep their items.
            show_if=ShowIf(DAST_GATE, "ne", "no"),
            # Item 3 is the one where "no" scores the point (intake.scoring agrees; a test checks).
            overrides={1: {"help_text": _DAST_INTRO}, 3: {"choices": YES_NO_REVERSED}},
        ),
        # AUDIT-C: the first three items of the WHO AUDIT (Babor 2001), verbatim.
        Question(
            "auditc_1",
            "How often do you have a drink containing alcohol?",
            "choice",
            scored_choices(
                (
                    "Never",
                    "Monthly or less",
                    "2 to 4 times a month",
                    "2 to 3 times a week",
                    "4 or more times a week",
                )
            ),
            instrument="AUDITC",
        ),
        Question(
            "auditc_2",
            "How many drinks containing alcohol do you have on a typical day when you are "
            "drinking?",
            "choice",
            scored_choices(("1 or 2", "3 or 4", "5 or 6", "7, 8 or 9", "10 or more")),
            instrument="AUDITC",
            show_if=_DRINKS,
            help_text="One drink = 12 oz of beer, 5 oz of wine or 1.5 oz of spirits.",
        ),
        Question(
            "auditc_3",
            "How often do you have six or more drinks on one occasion?",
            "choice",
            scored_choices(
                ("Never", "Less than monthly", "Monthly", "Weekly", "Daily or almost daily")
            ),
            instrument="AUDITC",
            show_if=_DRINKS,
        ),
    ),
    derived=(
        Question(
            "liver_disease",
            "Do you have liver disease, such as cirrhosis or fatty liver?",
            "choice",
            choices(
                ("no", "No"),
                ("mild", "Yes, mild"),
                ("moderate", "Yes, moderate"),
                ("severe", "Yes, severe"),
                ("not_sure", "Yes, but I'm not sure how severe"),
            ),
            help_text='Choose "not sure" if you have liver disease but do not know how '
            "severe it is.",
        ),
        yesno(
            "psychosis_history",
            "Have you ever had psychosis or schizophrenia, or heard or "
            "seen things that others could not (hallucinations)?",
        ),
        yesno(
            "bipolar_history", "Have you ever had mania or been diagnosed with bipolar disorder?"
        ),
        yesno(
            "hepatitis", "Have you ever had hepatitis B or C, or another long-term liver infection?"
        ),
        yesno(
            "head_injury_or_icp",
            "Have you been told you have raised pressure in the "
            "brain or a brain tumor, or have you had a recent serious head injury?",
        ),
        yesno(
            "glaucoma_or_eye_pressure",
            "Have you been told you have glaucoma or high pressure in the eye?",
        ),
        yesno("seizures", "Have you ever had seizures or epilepsy?"),
        yesno(
            "bladder_problems",
            "Do you have bladder or urinary problems, such as pain when "
            "passing urine, needing to go very often, or blood in the urine?",
        ),
        yesno("sleep_apnea", "Have you been told you have sleep apnea?"),
        yesno("overactive_thyroid", "Do you have an overactive thyroid (hyperthyroidism)?"),
        yesno(
            "substance_treatment_current",
            "Do you have a problem with alcohol or drug use "
            "right now, or are you being treated for one?",
        ),
    ),
)
