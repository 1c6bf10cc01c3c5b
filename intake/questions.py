"""The intake questionnaire as data.

Each question is defined once here; forms, the review page, the staff view and exports are
generated from these definitions, so a clinician can read a diff of this file and see what
changed. Bump QUESTIONNAIRE_VERSION with any change a patient would notice: the version is
stored with each intake.

Instrument items keep the published wording verbatim (CLINICAL.md §4). Their points are
carried on the choices so the staff view can show them; intake.scoring holds the same rules
and a test checks the two agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from intake.scoring import DAST_REVERSED, OPIOID_CHOICES, WPI_REGIONS

QUESTIONNAIRE_VERSION = "2026.11.1"

TYPES = (
    "text",
    "textarea",
    "email",
    "phone",
    "date",
    "month",
    "integer",
    "decimal",
    "choice",
    "select",
    "multi",
    "yesno",
    "scale",
    "consent",
    "repeat",
)
SHOW_IF_OPS = ("eq", "ne", "in", "contains", "any", "gt", "truthy")


def is_empty(value: object) -> bool:
    """True for the answers that count as "not answered": None, blank text, empty list."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple) and not value


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    score: int | None = None  # points for instrument items


@dataclass(frozen=True)
class ShowIf:
    key: str
    op: str
    value: object = None

    def __post_init__(self):
        if self.op not in SHOW_IF_OPS:
            raise ValueError(f"unknown ShowIf op {self.op!r}")

    def test(self, answers: dict) -> bool:
        """Does the condition hold? A missing answer fails every op except "ne"."""
        answer = answers.get(self.key)
        if is_empty(answer):
            return self.op == "ne"
        if self.op == "eq":
            return answer == self.value
        if self.op == "ne":
            return answer != self.value
        if self.op == "in":
            return answer in self.value
        if self.op == "gt":
            try:
                return float(answer) > float(self.value)
            except (TypeError, ValueError):
                return False
        if self.op == "truthy":
            return bool(answer)
        if not isinstance(answer, list | tuple):
            return False
        if self.op == "contains":
            return self.value in answer
        return any(v in answer for v in self.value)  # "any"


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    type: str
    choices: tuple[Choice, ...] = ()
    required: bool = True
    help_text: str = ""
    show_if: ShowIf | tuple[ShowIf, ...] | None = None  # a tuple means all must hold
    min_value: float | None = None
    max_value: float | None = None
    unit: str = ""
    max_length: int | None = None
    fields: tuple[Question, ...] = ()  # only for type "repeat"
    max_rows: int = 20
    instrument: str = ""
    autocomplete: str = ""
    example: str = ""

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"{self.key}: unknown question type {self.type!r}")

    @property
    def conditions(self) -> tuple[ShowIf, ...]:
        if self.show_if is None:
            return ()
        return self.show_if if isinstance(self.show_if, tuple) else (self.show_if,)

    def is_shown(self, answers: dict) -> bool:
        """Shown when every condition holds. A condition on a question that is itself
        hidden sees no answer, so a stale answer behind a changed gate cannot show it."""
        for condition in self.conditions:
            gate = QUESTION_BY_KEY.get(condition.key)
            if gate is not None and not gate.is_shown(answers):
                if not condition.test({}):
                    return False
            elif not condition.test(answers):
                return False
        return True

    def choice_label(self, value: str) -> str:
        """The label shown for a stored choice value (the value itself if unknown)."""
        return next((c.label for c in self.choices if c.value == value), value)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str = ""
    questions: tuple[Question, ...] = ()
    applies_if: ShowIf | None = None  # no section uses it yet; steps.py honours it

    def applies(self, answers: dict) -> bool:
        return self.applies_if is None or self.applies_if.test(answers)

    def visible_questions(self, answers: dict) -> list[Question]:
        if not self.applies(answers):
            return []
        return [q for q in self.questions if q.is_shown(answers)]


# ------------------------------------------------------------------ building blocks

YES_NO = (Choice("yes", "Yes"), Choice("no", "No"))
YES_NO_SCORED = (Choice("yes", "Yes", 1), Choice("no", "No", 0))
YES_NO_REVERSED = (Choice("yes", "Yes", 0), Choice("no", "No", 1))

# PHQ-9 and GAD-7 response options (Kroenke 2001; Spitzer 2006).
FREQUENCY_0_3 = (
    Choice("0", "Not at all", 0),
    Choice("1", "Several days", 1),
    Choice("2", "More than half the days", 2),
    Choice("3", "Nearly every day", 3),
)


def _yesno(key: str, label: str, **kwargs) -> Question:
    return Question(key, label, "yesno", choices=YES_NO, **kwargs)


def _choices(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(value, label) for value, label in pairs)


def _if_yes(key: str) -> ShowIf:
    return ShowIf(key, "eq", "yes")


US_STATES = (
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("PR", "Puerto Rico"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
)

TIME_ZONES = (
    ("America/New_York", "Eastern time (New York)"),
    ("America/Chicago", "Central time (Chicago)"),
    ("America/Denver", "Mountain time (Denver)"),
    ("America/Phoenix", "Arizona (Phoenix)"),
    ("America/Los_Angeles", "Pacific time (Los Angeles)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
)

# ------------------------------------------------------------------------ 1. about

_US = ShowIf("measurement_system", "eq", "us")
_METRIC = ShowIf("measurement_system", "eq", "metric")

ABOUT = Section(
    "about",
    "About you",
    "We use these details to contact you and to keep your records accurate.",
    (
        Question(
            "legal_first_name",
            "Legal first name",
            "text",
            max_length=100,
            autocomplete="given-name",
        ),
        Question(
            "legal_last_name", "Legal last name", "text", max_length=100, autocomplete="family-name"
        ),
        Question(
            "preferred_name",
            "Name you would like us to use",
            "text",
            required=False,
            max_length=100,
            autocomplete="nickname",
            help_text="Leave blank if it is the same as your first name.",
        ),
        Question(
            "date_of_birth", "Date of birth", "date", autocomplete="bday", example="1980-04-23"
        ),
        Question(
            "sex_at_birth",
            "Sex assigned at birth",
            "choice",
            _choices(("female", "Female"), ("male", "Male"), ("intersex", "Intersex")),
            help_text="Some medical scores use this. You can tell us your gender below.",
        ),
        Question("gender", "Gender", "text", required=False, max_length=100, autocomplete="sex"),
        Question(
            "mobile_phone",
            "Mobile phone number",
            "phone",
            autocomplete="tel",
            example="(555) 123-4567",
        ),
        Question(
            "address_line1", "Street address", "text", max_length=200, autocomplete="address-line1"
        ),
        Question(
            "address_line2",
            "Apartment, suite or unit",
            "text",
            required=False,
            max_length=200,
            autocomplete="address-line2",
        ),
        Question("city", "City", "text", max_length=100, autocomplete="address-level2"),
        Question("state", "State", "select", _choices(*US_STATES), autocomplete="address-level1"),
        Question(
            "postal_code",
            "ZIP code",
            "text",
            max_length=10,
            autocomplete="postal-code",
            example="97201",
        ),
        Question("emergency_contact_name", "Emergency contact: name", "text", max_length=200),
        Question(
            "emergency_contact_relationship",
            "Emergency contact: relationship to you",
            "text",
            max_length=100,
            example="spouse",
        ),
        Question(
            "emergency_contact_phone",
            "Emergency contact: phone number",
            "phone",
            example="(555) 123-4567",
        ),
        Question(
            "reminder_channel",
            "How would you like to get appointment reminders?",
            "choice",
            _choices(("email", "Email"), ("sms", "Text message (SMS)")),
        ),
        _yesno(
            "sms_consent",
            "I agree to receive appointment reminders by text message at the number above. "
            "Message and data rates may apply. Reply STOP at any time to stop them.",
            show_if=ShowIf("reminder_channel", "eq", "sms"),
            help_text="If you answer No, we will send reminders by email instead.",
        ),
        Question(
            "time_zone",
            "Your time zone",
            "select",
            _choices(*TIME_ZONES),
            help_text="Appointment times are shown in this time zone.",
        ),
        Question(
            "measurement_system",
            "How would you like to enter your height and weight?",
            "choice",
            _choices(("us", "Feet and inches, pounds"), ("metric", "Centimeters, kilograms")),
        ),
        Question(
            "height_ft",
            "Height: feet",
            "integer",
            show_if=_US,
            min_value=3,
            max_value=8,
            unit="ft",
            example="5",
        ),
        Question(
            "height_in",
            "Height: inches",
            "integer",
            show_if=_US,
            min_value=0,
            max_value=11,
            unit="in",
            example="7",
            help_text="Enter 0 if your height is a whole number of feet.",
        ),
        Question(
            "weight_lb",
            "Weight",
            "decimal",
            show_if=_US,
            min_value=60,
            max_value=700,
            unit="lb",
            example="165",
            help_text="Ketamine doses are based on weight, so please be as accurate as you can.",
        ),
        Question(
            "height_cm",
            "Height",
            "integer",
            show_if=_METRIC,
            min_value=90,
            max_value=250,
            unit="cm",
            example="170",
        ),
        Question(
            "weight_kg",
            "Weight",
            "decimal",
            show_if=_METRIC,
            min_value=27,
            max_value=320,
            unit="kg",
            example="75",
            help_text="Ketamine doses are based on weight, so please be as accurate as you can.",
        ),
        Question(
            "referring_physician_name",
            "Referring doctor's name",
            "text",
            required=False,
            max_length=200,
            help_text="If a doctor sent you to us.",
        ),
        Question(
            "referring_physician_practice",
            "Referring doctor's practice or clinic",
            "text",
            required=False,
            max_length=200,
        ),
        Question(
            "referring_physician_phone", "Referring doctor's phone number", "phone", required=False
        ),
        Question("pcp_name", "Primary care doctor's name", "text", required=False, max_length=200),
        Question(
            "pcp_practice",
            "Primary care practice or clinic",
            "text",
            required=False,
            max_length=200,
        ),
        Question("pcp_phone", "Primary care phone number", "phone", required=False),
    ),
)

# ------------------------------------------------------------------------- 2. pain

# Labels for the 19 ACR 2016 Widespread Pain Index areas; the codes come from scoring.
_WPI_LABELS = {
    "jaw_left": "Jaw, left side",
    "jaw_right": "Jaw, right side",
    "shoulder_girdle_left": "Shoulder, left",
    "shoulder_girdle_right": "Shoulder, right",
    "upper_arm_left": "Upper arm, left",
    "upper_arm_right": "Upper arm, right",
    "lower_arm_left": "Lower arm (forearm), left",
    "lower_arm_right": "Lower arm (forearm), right",
    "hip_left": "Hip or buttock, left",
    "hip_right": "Hip or buttock, right",
    "upper_leg_left": "Upper leg (thigh), left",
    "upper_leg_right": "Upper leg (thigh), right",
    "lower_leg_left": "Lower leg (calf or shin), left",
    "lower_leg_right": "Lower leg (calf or shin), right",
    "neck": "Neck",
    "upper_back": "Upper back",
    "lower_back": "Lower back",
    "chest": "Chest",
    "abdomen": "Abdomen (belly)",
}
PAIN_REGION_CHOICES = tuple(Choice(code, _WPI_LABELS[code]) for code in WPI_REGIONS)

_PAIN_0_10 = "0 = no pain, 10 = worst pain you can imagine"
_EFFECT = _choices(
    ("none", "Not at all"),
    ("a_little", "A little"),
    ("moderately", "Moderately"),
    ("severely", "Severely"),
)

PAIN = Section(
    "pain",
    "Your pain",
    "Tell us about the pain you would like help with.",
    (
        Question(
            "main_complaint",
            "In a few words, what is the main pain problem you want help with?",
            "textarea",
            max_length=2000,
        ),
        Question(
            "pain_regions",
            "In which areas have you had pain over the past week?",
            "multi",
            PAIN_REGION_CHOICES,
            instrument="WPI",
            help_text="Tick every area that applies. Left and right mean your own left and right.",
        ),
        Question(
            "pain_started",
            "When did this pain start?",
            "month",
            example="2019-06",
            help_text="Month and year. A rough guess is fine.",
        ),
        Question(
            "pain_onset",
            "What started the pain?",
            "choice",
            _choices(
                ("injury", "An injury or accident"),
                ("surgery", "Surgery"),
                ("illness", "An illness"),
                ("unknown", "I don't know"),
                ("other", "Something else"),
            ),
        ),
        Question(
            "pain_onset_other",
            "What started the pain?",
            "text",
            max_length=200,
            show_if=ShowIf("pain_onset", "eq", "other"),
        ),
        Question(
            "pain_qualities",
            "What does the pain feel like?",
            "multi",
            _choices(
                ("burning", "Burning"),
                ("tingling", "Tingling or pins and needles"),
                ("shooting", "Shooting"),
                ("stabbing", "Stabbing"),
                ("aching", "Aching"),
                ("throbbing", "Throbbing"),
                ("electric", "Like an electric shock"),
                ("pressure", "Pressure"),
            ),
            required=False,
            help_text="Tick all that apply.",
        ),
        # Broad picture over a month here; the PEG items below cover the past week.
        Question(
            "pain_now",
            "How bad is your pain right now?",
            "scale",
            min_value=0,
            max_value=10,
            help_text=_PAIN_0_10,
        ),
        Question(
            "pain_average",
            "How bad has your pain been on average over the past month?",
            "scale",
            min_value=0,
            max_value=10,
            help_text=_PAIN_0_10,
        ),
        Question(
            "pain_worst",
            "How bad was your pain at its worst in the past month?",
            "scale",
            min_value=0,
            max_value=10,
            help_text=_PAIN_0_10,
        ),
        Question(
            "pain_least",
            "How bad was your pain at its least in the past month?",
            "scale",
            min_value=0,
            max_value=10,
            help_text=_PAIN_0_10,
        ),
        # PEG-3, verbatim from Krebs et al., J Gen Intern Med 2009;24(6):733-738.
        Question(
            "peg_pain",
            "What number best describes your pain on average in the past week?",
            "scale",
            min_value=0,
            max_value=10,
            instrument="PEG",
            help_text="0 = no pain, 10 = pain as bad as you can imagine",
        ),
        Question(
            "peg_enjoyment",
            "What number best describes how, during the past week, pain "
            "has interfered with your enjoyment of life?",
            "scale",
            min_value=0,
            max_value=10,
            instrument="PEG",
            help_text="0 = does not interfere, 10 = completely interferes",
        ),
        Question(
            "peg_activity",
            "What number best describes how, during the past week, pain "
            "has interfered with your general activity?",
            "scale",
            min_value=0,
            max_value=10,
            instrument="PEG",
            help_text="0 = does not interfere, 10 = completely interferes",
        ),
        Question(
            "pain_helps",
            "What makes your pain better?",
            "textarea",
            required=False,
            max_length=2000,
        ),
        Question(
            "pain_worse", "What makes your pain worse?", "textarea", required=False, max_length=2000
        ),
        Question("effect_sleep", "How much does pain affect your sleep?", "choice", _EFFECT),
        Question(
            "effect_work",
            "How much does pain affect your work, study or volunteering?",
            "choice",
            _EFFECT + (Choice("not_applicable", "Does not apply to me"),),
        ),
        Question(
            "effect_daily",
            "How much does pain affect everyday tasks such as washing, "
            "dressing, cooking or shopping?",
            "choice",
            _EFFECT,
        ),
    ),
)

# -------------------------------------------------------------------- 3. diagnoses

# The coded list of CLINICAL.md §2 (evidence grades live in screening.py).
DIAGNOSIS_CHOICES = _choices(
    ("crps_1", "Complex regional pain syndrome (CRPS) type I, also called RSD"),
    ("crps_2", "Complex regional pain syndrome (CRPS) type II, also called causalgia"),
    ("sci", "Pain after a spinal cord injury"),
    ("neuropathic_mixed", "Nerve pain (neuropathic pain) of mixed or other cause"),
    ("phn", "Post-herpetic neuralgia (pain after shingles)"),
    ("diabetic_neuropathy", "Diabetic neuropathy"),
    ("nerve_injury", "Pain from a nerve injury"),
    ("phantom_limb", "Phantom limb pain"),
    ("fibromyalgia", "Fibromyalgia"),
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


def _diagnosis_details() -> tuple[Question, ...]:
    """Who diagnosed each ticked condition, and when."""
    questions = []
    for code, label in _DX_LABELS.items():
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
_FIBRO = ShowIf("diagnoses", "contains", "fibromyalgia")
_BUDAPEST_HELP = "Tick any you have noticed in the painful area. Leave blank if none."
# ACR 2016 symptom severity wording (Wolfe 2016).
_SSS_SEVERITY = (
    Choice("0", "No problem", 0),
    Choice("1", "Slight or mild problems, generally mild or intermittent", 1),
    Choice("2", "Moderate, considerable problems, often present and/or at a moderate level", 2),
    Choice("3", "Severe: pervasive, continuous, life-disturbing problems", 3),
)
_SSS_HELP = "How severe has this been over the past week?"

DIAGNOSES = Section(
    "diagnoses",
    "Your diagnoses",
    "Tick any conditions a doctor has diagnosed. This helps our clinicians prepare; "
    "a diagnosis on its own does not decide whether treatment is right for you.",
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
            "Which limbs does the CRPS affect?",
            "multi",
            _choices(
                ("left_arm", "Left arm"),
                ("right_arm", "Right arm"),
                ("left_leg", "Left leg"),
                ("right_leg", "Right leg"),
                ("other", "Somewhere else"),
            ),
            show_if=_CRPS,
        ),
        # Budapest criteria, symptom part only (Harden 2010); signs are examined in clinic.
        _yesno(
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
            _choices(
                (
                    "hyperesthesia",
                    "Much more sensitive to pain or touch than normal (hyperesthesia)",
                ),
                ("allodynia", "Light touch, clothing or a breeze causes pain (allodynia)"),
            ),
            required=False,
            show_if=_CRPS,
            instrument="BUDAPEST",
            help_text=_BUDAPEST_HELP,
        ),
        Question(
            "crps_vasomotor",
            "Changes in temperature or skin color",
            "multi",
            _choices(
                ("temperature_asymmetry", "Feels warmer or colder than the other side"),
                ("skin_color_changes", "Skin color changes (red, blue, purple or pale)"),
                ("skin_color_asymmetry", "Skin color is different from the other side"),
            ),
            required=False,
            show_if=_CRPS,
            instrument="BUDAPEST",
            help_text=_BUDAPEST_HELP,
        ),
        Question(
            "crps_sudomotor_edema",
            "Swelling or sweating",
            "multi",
            _choices(
                ("edema", "Swelling (edema)"),
                ("sweating_changes", "Changes in sweating"),
                ("sweating_asymmetry", "Sweats more or less than the other side"),
            ),
            required=False,
            show_if=_CRPS,
            instrument="BUDAPEST",
            help_text=_BUDAPEST_HELP,
        ),
        Question(
            "crps_motor_trophic",
            "Movement, hair, nails or skin",
            "multi",
            _choices(
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
            help_text=_BUDAPEST_HELP,
        ),
        # ACR 2016 fibromyalgia: the WPI reuses pain_regions; only duration and SSS are new.
        _yesno(
            "fm_symptoms_3_months",
            "Have these symptoms been present at a similar level for at least 3 months?",
            show_if=_FIBRO,
        ),
        Question(
            "sss_fatigue",
            "Fatigue",
            "choice",
            _SSS_SEVERITY,
            show_if=_FIBRO,
            instrument="SSS",
            help_text=_SSS_HELP,
        ),
        Question(
            "sss_waking_unrefreshed",
            "Waking unrefreshed",
            "choice",
            _SSS_SEVERITY,
            show_if=_FIBRO,
            instrument="SSS",
            help_text=_SSS_HELP,
        ),
        Question(
            "sss_cognitive",
            "Cognitive symptoms",
            "choice",
            _SSS_SEVERITY,
            show_if=_FIBRO,
            instrument="SSS",
            help_text=_SSS_HELP + " (Trouble thinking, remembering or concentrating.)",
        ),
        Question(
            "sss_headache",
            "During the past 6 months, have you been bothered by headaches?",
            "yesno",
            YES_NO_SCORED,
            show_if=_FIBRO,
            instrument="SSS",
        ),
        Question(
            "sss_lower_abdominal",
            "During the past 6 months, have you been bothered by "
            "pain or cramps in the lower abdomen?",
            "yesno",
            YES_NO_SCORED,
            show_if=_FIBRO,
            instrument="SSS",
        ),
        Question(
            "sss_depression",
            "During the past 6 months, have you been bothered by depression?",
            "yesno",
            YES_NO_SCORED,
            show_if=_FIBRO,
            instrument="SSS",
        ),
    ),
)

# ------------------------------------------------------------------- 4. treatments

TREATMENT_CHOICES = _choices(
    ("not_tried", "Not tried"),
    ("helped", "Tried: it helped"),
    ("did_not_help", "Tried: it did not help"),
    ("side_effects", "Tried: stopped because of side effects"),
)
PAST_TREATMENTS = (
    ("nsaids", "Anti-inflammatory painkillers (NSAIDs) such as ibuprofen, naproxen or celecoxib"),
    ("acetaminophen", "Acetaminophen (Tylenol)"),
    ("gabapentinoids", "Gabapentin (Neurontin) or pregabalin (Lyrica)"),
    ("snris", "Duloxetine (Cymbalta), venlafaxine (Effexor) or milnacipran (Savella)"),
    ("tcas", "Amitriptyline, nortriptyline or another tricyclic antidepressant"),
    ("topicals", "Creams, gels or patches on the skin, such as lidocaine or diclofenac"),
    ("muscle_relaxants", "Muscle relaxants such as cyclobenzaprine, tizanidine or baclofen"),
    ("cannabinoids", "Cannabis, CBD or medical marijuana"),
    ("nerve_blocks", "Nerve blocks"),
    ("epidural_injections", "Epidural steroid injections"),
    ("spinal_cord_stimulator", "Spinal cord stimulator"),
    ("surgery", "Surgery for the pain"),
    ("physical_therapy", "Physical therapy"),
    ("cbt_psychotherapy", "Cognitive behavioral therapy (CBT) or other talking therapy"),
    ("acupuncture", "Acupuncture"),
)
_KETAMINE = _if_yes("prior_ketamine")

TREATMENTS = Section(
    "treatments",
    "Treatments you have tried",
    "For each treatment, tell us whether you have tried it and how it went. "
    '"Not tried" is a fine answer.',
    (
        *(
            Question(f"tx_{code}", label, "choice", TREATMENT_CHOICES)
            for code, label in PAST_TREATMENTS
        ),
        _yesno(
            "prior_ketamine",
            "Have you had ketamine treatment before, for pain, depression or any other reason?",
            help_text="Do not count ketamine given only as anesthesia during surgery.",
        ),
        Question(
            "ketamine_routes",
            "How was the ketamine given?",
            "multi",
            _choices(
                ("iv", "Through a drip into a vein (IV infusion)"),
                ("nasal", "Nasal spray (including esketamine, Spravato)"),
                ("oral", "By mouth (tablet, lozenge or troche)"),
                ("im", "Injection into a muscle"),
            ),
            show_if=_KETAMINE,
            help_text="Tick all that apply.",
        ),
        Question(
            "ketamine_when",
            "When was your most recent ketamine treatment?",
            "month",
            show_if=_KETAMINE,
            example="2024-03",
        ),
        Question(
            "ketamine_response",
            "How much did it help?",
            "choice",
            _choices(
                ("helped_a_lot", "It helped a lot"),
                ("helped_a_little", "It helped a little"),
                ("did_not_help", "It did not help"),
            ),
            show_if=_KETAMINE,
        ),
        Question(
            "ketamine_side_effects",
            "Did you have any side effects? Tell us about them.",
            "textarea",
            required=False,
            show_if=_KETAMINE,
            max_length=2000,
        ),
    ),
)

# ---------------------------------------------------------------------- 5. opioids

_ON_OPIOIDS = _if_yes("takes_opioids")

_FAMILY = "Answer yes if a parent, brother, sister or child has had a problem with this."
_PERSONAL = "Answer yes if you have had a problem with this at any time."
_DIAGNOSED = "Answer yes if a doctor or therapist has diagnosed this."
_ORT_OUD_ITEMS = (
    (
        "Family history of substance abuse: alcohol",
        "These questions are asked of every patient. " + _FAMILY,
    ),
    ("Family history of substance abuse: illegal drugs", _FAMILY),
    ("Family history of substance abuse: prescription drugs", _FAMILY),
    ("Personal history of substance abuse: alcohol", _PERSONAL),
    ("Personal history of substance abuse: illegal drugs", _PERSONAL),
    ("Personal history of substance abuse: prescription drugs", _PERSONAL),
    ("Age between 16 and 45 years", "Answer yes if you are."),
    (
        "Psychological disease: attention deficit disorder (ADD), obsessive-compulsive disorder "
        "(OCD), bipolar disorder or schizophrenia",
        _DIAGNOSED,
    ),
    ("Psychological disease: depression", _DIAGNOSED),
)

OPIOID_ROW = (
    Question("drug", "Medicine", "select", _choices(*OPIOID_CHOICES)),
    Question(
        "drug_other",
        "Name of the other opioid",
        "text",
        required=False,
        max_length=100,
        help_text='Only if you chose "Another opioid".',
    ),
    Question(
        "strength",
        "Strength",
        "decimal",
        min_value=0.01,
        unit="mg",
        help_text="mg per dose, or mcg/h for a patch",
        example="10",
    ),
    # Patch rows use strength (mcg/h) only, so this cannot be required here; the form layer
    # requires it for every drug except the fentanyl patch.
    Question(
        "doses_per_day",
        "Doses per day",
        "decimal",
        required=False,
        min_value=0.1,
        max_value=24,
        example="4",
        help_text="How many doses you take in a usual day. Leave blank for a patch.",
    ),
    Question("started", "When did you start it?", "month", required=False, example="2021-01"),
    Question("prescriber", "Who prescribes it?", "text", required=False, max_length=200),
)

OPIOIDS = Section(
    "opioids",
    "Opioid medicines",
    "Many of our patients take opioids. Your answers help the team plan safely; they do not "
    "stop you from being seen.",
    (
        _yesno(
            "takes_opioids",
            "Do you take any opioid pain medicine now, such as oxycodone, "
            "hydrocodone, morphine, tramadol, methadone, buprenorphine or a fentanyl patch?",
        ),
        Question(
            "opioids",
            "Your opioid medicines",
            "repeat",
            fields=OPIOID_ROW,
            show_if=_ON_OPIOIDS,
            max_rows=10,
            help_text="Add one row for each opioid, as it is written on the label.",
        ),
        _yesno(
            "opioid_dose_increased_pain_worse",
            "In the last 6 months, has your opioid dose gone up while your pain got worse?",
            show_if=_ON_OPIOIDS,
        ),
        _yesno(
            "wants_to_reduce_opioids",
            "Would you like to take less opioid medicine?",
            show_if=_ON_OPIOIDS,
        ),
        _yesno("naloxone_at_home", "Do you have naloxone (Narcan) at home?", show_if=_ON_OPIOIDS),
        # ORT-OUD (Cheatle et al., J Pain 2019) [verify]: labels keep the published form's
        # item headings; the full form could not be checked, so the wording is provisional.
        # Asked of every patient, not only those taking opioids.
        *(
            Question(
                f"ort_{n}", label, "yesno", YES_NO_SCORED, instrument="ORT_OUD", help_text=help_text
            )
            for n, (label, help_text) in enumerate(_ORT_OUD_ITEMS, start=1)
        ),
    ),
)

# ------------------------------------------------------------------ 6. medications

MEDICATIONS = Section(
    "medications",
    "Other medicines and allergies",
    "Some medicines change how ketamine works, so please list everything you take.",
    (
        Question(
            "other_medications",
            "Other medicines you take",
            "repeat",
            required=False,
            max_rows=30,
            help_text="Include over-the-counter medicines, vitamins and herbal "
            "supplements. You already told us about opioids.",
            fields=(
                Question("name", "Medicine", "text", max_length=200, example="sertraline"),
                Question("dose", "Dose", "text", required=False, max_length=100, example="50 mg"),
                Question(
                    "how_often",
                    "How often",
                    "text",
                    required=False,
                    max_length=100,
                    example="once a day",
                ),
            ),
        ),
        _yesno(
            "has_allergies",
            "Do you have any allergies, to medicines, foods, latex or anything else?",
        ),
        Question(
            "allergies",
            "What are you allergic to, and what happens?",
            "textarea",
            show_if=_if_yes("has_allergies"),
            max_length=2000,
        ),
        _yesno("ketamine_reaction", "Have you ever had an allergy or a bad reaction to ketamine?"),
        Question(
            "ketamine_reaction_details",
            "What happened with ketamine?",
            "textarea",
            show_if=_if_yes("ketamine_reaction"),
            max_length=2000,
        ),
        _yesno(
            "anesthesia_reaction",
            "Have you ever had a bad reaction to anesthesia "
            "(medicine that puts you to sleep or numbs you for surgery)?",
        ),
        Question(
            "anesthesia_reaction_details",
            "What happened with anesthesia?",
            "textarea",
            show_if=_if_yes("anesthesia_reaction"),
            max_length=2000,
        ),
    ),
)

# ----------------------------------------------------------------------- 7. health

_HEART_EVENTS = ("heart_attack", "stroke", "arrhythmia", "heart_failure", "unstable_angina")
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
# AUDIT-C: the first three items of the WHO AUDIT (Babor 2001), verbatim.
_AUDITC_ITEMS = (
    (
        "How often do you have a drink containing alcohol?",
        (
            "Never",
            "Monthly or less",
            "2 to 4 times a month",
            "2 to 3 times a week",
            "4 or more times a week",
        ),
    ),
    (
        "How many drinks containing alcohol do you have on a typical day when you are drinking?",
        ("1 or 2", "3 or 4", "5 or 6", "7, 8 or 9", "10 or more"),
    ),
    (
        "How often do you have six or more drinks on one occasion?",
        ("Never", "Less than monthly", "Monthly", "Weekly", "Daily or almost daily"),
    ),
)
_DRINKS = ShowIf("auditc_1", "ne", "0")  # someone who never drinks skips items 2 and 3

HEALTH = Section(
    "health",
    "Your health",
    "A few health conditions change how ketamine is given, or whether extra checks are "
    "needed first. Answer as best you can; our clinicians review every answer with you.",
    (
        _yesno("high_blood_pressure", "Have you been told you have high blood pressure?"),
        _yesno(
            "bp_controlled",
            "Is your blood pressure usually in the range your doctor is aiming for?",
            show_if=_if_yes("high_blood_pressure"),
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
            show_if=_if_yes("high_blood_pressure"),
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
            show_if=_if_yes("high_blood_pressure"),
        ),
        Question(
            "last_bp_date",
            "Date of that reading",
            "date",
            required=False,
            example="2026-10-01",
            show_if=_if_yes("high_blood_pressure"),
        ),
        Question(
            "heart_conditions",
            "Have you ever had any of these?",
            "multi",
            _choices(
                ("heart_attack", "Heart attack"),
                ("stroke", "Stroke"),
                ("arrhythmia", "Irregular heartbeat (arrhythmia)"),
                ("heart_failure", "Heart failure"),
                ("unstable_angina", "Chest pain at rest, or unstable angina"),
                ("none", "None of these"),
            ),
            help_text='Tick all that apply, or "None of these".',
        ),
        _yesno(
            "heart_event_recent",
            "Did any of these happen, or get worse, in the last 6 months?",
            show_if=ShowIf("heart_conditions", "any", _HEART_EVENTS),
        ),
        Question(
            "pregnancy_status",
            "Are you pregnant, could you be pregnant, or are you breastfeeding?",
            "choice",
            _choices(
                ("not_pregnant", "No, not pregnant or breastfeeding"),
                ("pregnant", "I am pregnant"),
                ("could_be_pregnant", "I could be pregnant"),
                ("breastfeeding", "I am breastfeeding"),
                ("not_applicable", "Does not apply to me"),
            ),
            show_if=ShowIf("sex_at_birth", "ne", "male"),
        ),
        _yesno(
            "psychosis_history",
            "Have you ever had psychosis or schizophrenia, or heard or "
            "seen things that others could not (hallucinations)?",
        ),
        _yesno(
            "bipolar_history", "Have you ever had mania or been diagnosed with bipolar disorder?"
        ),
        Question(
            "liver_disease",
            "Do you have liver disease, such as cirrhosis or fatty liver?",
            "choice",
            _choices(
                ("no", "No"),
                ("mild", "Yes, mild"),
                ("moderate", "Yes, moderate"),
                ("severe", "Yes, severe"),
                ("not_sure", "Yes, but I'm not sure how severe"),
            ),
            help_text='Choose "not sure" if you have liver disease but do not know how '
            "severe it is.",
        ),
        _yesno(
            "hepatitis", "Have you ever had hepatitis B or C, or another long-term liver infection?"
        ),
        _yesno(
            "head_injury_or_icp",
            "Have you been told you have raised pressure in the "
            "brain or a brain tumor, or have you had a recent serious head injury?",
        ),
        _yesno(
            "glaucoma_or_eye_pressure",
            "Have you been told you have glaucoma or high pressure in the eye?",
        ),
        _yesno("seizures", "Have you ever had seizures or epilepsy?"),
        _yesno(
            "bladder_problems",
            "Do you have bladder or urinary problems, such as pain when "
            "passing urine, needing to go very often, or blood in the urine?",
        ),
        _yesno("sleep_apnea", "Have you been told you have sleep apnea?"),
        _yesno("overactive_thyroid", "Do you have an overactive thyroid (hyperthyroidism)?"),
        _yesno(
            "substance_treatment_current",
            "Do you have a problem with alcohol or drug use "
            "right now, or are you being treated for one?",
        ),
        *(
            Question(
                f"dast_{n}",
                label,
                "yesno",
                YES_NO_REVERSED if f"dast_{n}" in DAST_REVERSED else YES_NO_SCORED,
                instrument="DAST10",
                help_text=_DAST_HELP
                if n > 1
                else (
                    "These questions are about your possible involvement with drugs, "
                    "not including alcohol or tobacco, during the past 12 months. "
                    '"Drug abuse" means using prescribed or over-the-counter drugs '
                    "more than directed, or any non-medical use of drugs."
                ),
            )
            for n, label in enumerate(_DAST_ITEMS, start=1)
        ),
        *(
            Question(
                f"auditc_{n}",
                label,
                "choice",
                tuple(Choice(str(s), text, s) for s, text in enumerate(options)),
                instrument="AUDITC",
                show_if=_DRINKS if n > 1 else None,
                help_text="One drink = 12 oz of beer, 5 oz of wine or 1.5 oz of spirits."
                if n == 2
                else "",
            )
            for n, (label, options) in enumerate(_AUDITC_ITEMS, start=1)
        ),
    ),
)

# ------------------------------------------------------------------------- 8. mood

# PHQ-9 (Kroenke 2001), verbatim; the stem is the section intro.
_PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
    "being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
# GAD-7 (Spitzer 2006), verbatim.
_GAD7_STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"
_GAD7_ITEMS = (
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
)
# PC-PTSD-5 (Prins 2016), verbatim.
_PCPTSD_EXPOSURE = (
    "Sometimes things happen to people that are unusually or especially frightening, "
    "horrible, or traumatic. For example: a serious accident or fire; a physical or sexual "
    "assault or abuse; an earthquake or flood; a war; seeing someone be killed or seriously "
    "injured; having a loved one die through homicide or suicide. "
    "Have you ever experienced this kind of event?"
)
_PCPTSD_ITEMS = (
    "had nightmares about the event(s) or thought about the event(s) when you did not want to?",
    "tried hard not to think about the event(s) or went out of your way to avoid situations "
    "that reminded you of the event(s)?",
    "been constantly on guard, watchful, or easily startled?",
    "felt numb or detached from people, activities, or your surroundings?",
    "felt guilty or unable to stop blaming yourself or others for the event(s) or any "
    "problems the event(s) may have caused?",
)

MOOD = Section(
    "mood",
    "Mood and wellbeing",
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    (
        *(
            Question(f"phq9_{n}", label, "choice", FREQUENCY_0_3, instrument="PHQ9")
            for n, label in enumerate(_PHQ9_ITEMS, start=1)
        ),
        # The PHQ-9 functional item: shown to staff, never scored.
        Question(
            "phq9_difficulty",
            "If you checked off any problems, how difficult have these "
            "problems made it for you to do your work, take care of things at home, or get "
            "along with other people?",
            "choice",
            _choices(
                ("not_difficult", "Not difficult at all"),
                ("somewhat", "Somewhat difficult"),
                ("very", "Very difficult"),
                ("extremely", "Extremely difficult"),
            ),
            required=False,
            instrument="PHQ9",
        ),
        *(
            Question(
                f"gad7_{n}", label, "choice", FREQUENCY_0_3, instrument="GAD7", help_text=_GAD7_STEM
            )
            for n, label in enumerate(_GAD7_ITEMS, start=1)
        ),
        Question(
            "pcptsd_exposure",
            _PCPTSD_EXPOSURE,
            "yesno",
            YES_NO,
            instrument="PCPTSD5",
            help_text="You do not need to tell us what happened.",
        ),
        *(
            Question(
                f"pcptsd_{n}",
                f"In the past month, have you {label}",
                "yesno",
                YES_NO_SCORED,
                instrument="PCPTSD5",
                show_if=_if_yes("pcptsd_exposure"),
            )
            for n, label in enumerate(_PCPTSD_ITEMS, start=1)
        ),
    ),
)

# ------------------------------------------------------------------------ 9. goals

GOALS = Section(
    "goals",
    "Your goals and scheduling",
    "",
    (
        Question(
            "goals",
            "What would you most like treatment to help with?",
            "multi",
            _choices(
                ("less_pain", "Less pain"),
                ("fewer_opioids", "Taking fewer opioids"),
                ("better_function", "Doing more of the things I want to do"),
                ("better_mood", "Better mood"),
                ("better_sleep", "Better sleep"),
                ("other", "Something else"),
            ),
            help_text="Tick all that apply.",
        ),
        Question(
            "goals_other",
            "What else would you like help with?",
            "text",
            max_length=200,
            show_if=ShowIf("goals", "contains", "other"),
        ),
        Question(
            "preferred_days",
            "Which days could you usually come in?",
            "multi",
            _choices(
                ("mon", "Monday"),
                ("tue", "Tuesday"),
                ("wed", "Wednesday"),
                ("thu", "Thursday"),
                ("fri", "Friday"),
                ("sat", "Saturday"),
            ),
            help_text="Tick all that could work.",
        ),
        Question(
            "preferred_times",
            "Which times of day suit you?",
            "multi",
            _choices(("morning", "Morning"), ("midday", "Midday"), ("afternoon", "Afternoon")),
            help_text="Tick all that could work.",
        ),
        _yesno(
            "has_driver",
            "After each infusion, someone needs to drive you home, and you "
            "cannot drive yourself for 24 hours. Will you have someone who can drive you "
            "home?",
            help_text="If you are not sure yet, that's okay. Answer No and our team will "
            "talk through options with you.",
        ),
        Question(
            "payment",
            "How do you plan to pay for treatment?",
            "choice",
            _choices(
                ("insurance", "Through my insurance"),
                ("self_pay", "I will pay myself"),
                ("not_sure", "I'm not sure yet"),
            ),
        ),
        Question(
            "insurance_name",
            "Insurance company",
            "text",
            required=False,
            max_length=200,
            show_if=ShowIf("payment", "eq", "insurance"),
        ),
    ),
)

# ---------------------------------------------------------------------- 10. consent

# The consent text itself is clinic-edited and versioned in the database; these are the
# acknowledgements a patient ticks under it.
CONSENT = Section(
    "consent",
    "Consent",
    "Please read the consent information, then tick each statement to confirm.",
    (
        Question(
            "consent_what_ketamine_is",
            "I understand that ketamine is a medicine given "
            "as a drip into a vein in a monitored clinic, to try to reduce chronic pain, "
            "and that it may not help me.",
            "consent",
        ),
        Question(
            "consent_side_effects",
            "I understand that ketamine can cause side effects, "
            "such as feeling detached or dreamlike, seeing or hearing things, higher blood "
            "pressure or heart rate, nausea, dizziness or blurred vision.",
            "consent",
        ),
        Question(
            "consent_no_driving",
            "I understand that I must not drive for 24 hours after "
            "each infusion and will need someone to take me home.",
            "consent",
        ),
        Question(
            "consent_honest_answers",
            "My answers are true and complete as far as I know, "
            "including about my medicines, alcohol and drug use.",
            "consent",
        ),
        Question(
            "consent_privacy",
            "I agree that the clinic's staff may store and read my "
            "answers to assess and plan my care.",
            "consent",
        ),
        Question(
            "consent_signature",
            "Type your full legal name as your signature",
            "text",
            max_length=200,
            autocomplete="name",
        ),
    ),
)

# ---------------------------------------------------------------------- registry

SECTIONS: tuple[Section, ...] = (
    ABOUT,
    PAIN,
    DIAGNOSES,
    TREATMENTS,
    OPIOIDS,
    MEDICATIONS,
    HEALTH,
    MOOD,
    GOALS,
    CONSENT,
)
SECTION_BY_KEY: dict[str, Section] = {s.key: s for s in SECTIONS}
QUESTION_BY_KEY: dict[str, Question] = {q.key: q for s in SECTIONS for q in s.questions}


def iter_questions() -> Iterator[Question]:
    """Every top-level question, in form order."""
    for section in SECTIONS:
        yield from section.questions


def is_answered(question: Question, value: object) -> bool:
    """Has the patient given an answer that satisfies a required question?"""
    if question.type == "consent":
        return value is True
    if question.type == "repeat":
        # At least one row with something in it.
        return isinstance(value, list) and any(
            isinstance(row, dict) and not all(is_empty(v) for v in row.values()) for row in value
        )
    return not is_empty(value)


def missing_answers(answers: dict) -> list[tuple[Section, Question]]:
    """Required questions the patient can see but has not answered, in form order."""
    return [
        (section, question)
        for section in SECTIONS
        for question in section.visible_questions(answers)
        if question.required and not is_answered(question, answers.get(question.key))
    ]


def visible_answers(answers: dict) -> dict:
    """The answers to questions currently shown; drops answers left behind a changed gate
    (e.g. PC-PTSD-5 items after the exposure answer became "no")."""
    shown = {q.key for s in SECTIONS for q in s.visible_questions(answers)}
    return {key: value for key, value in answers.items() if key in shown}
