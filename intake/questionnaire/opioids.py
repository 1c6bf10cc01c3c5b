"""Section 5, opioid medicines: what the patient takes (for MME) and ORT-OUD."""

from intake.scoring import OPIOID_CHOICES

from .schema import Question, Section
from .shapes import YES_NO_SCORED, choices, if_yes, yesno

_ON_OPIOIDS = if_yes("takes_opioids")

_FAMILY = "Tick each one a parent, brother, sister or child has had a problem with."
_PERSONAL = "Tick each one you have had a problem with at any time."
_DIAGNOSED = "Tick each one a doctor or therapist has diagnosed."
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
    ("Age between 16 and 45 years", "Worked out from the date of birth."),
    (
        "Psychological disease: attention deficit disorder (ADD), obsessive-compulsive disorder "
        "(OCD), bipolar disorder or schizophrenia",
        _DIAGNOSED,
    ),
    ("Psychological disease: depression", _DIAGNOSED),
)

OPIOID_ROW = (
    Question("drug", "Medicine", "select", choices(*OPIOID_CHOICES)),
    # A combination tablet (Percocet = oxycodone + acetaminophen) is recorded by name, so the
    # form can check the strength is the opioid part (intake/combinations.py).
    Question(
        "product",
        "Brand or product name, if any",
        "text",
        required=False,
        max_length=100,
        help_text="As on the label, for example Percocet, Norco or Tylenol #3.",
        example="Percocet",
    ),
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
        help_text="mg of the opioid in one dose, or mcg/h for a patch. A tablet that "
        "combines two medicines shows two numbers, such as 5/325: enter the first (5).",
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


def _checklist(key: str, label: str, options: tuple[tuple[str, str], ...], help_text: str):
    """An ORT-OUD checklist: the instrument's heading as the question, its items as ticks."""
    return Question(
        key,
        label,
        "multi",
        choices(*options, ("none", "None of these")),
        instrument="ORT_OUD",
        help_text=help_text.removesuffix(".") + ', or "None of these".',
    )


_SUBSTANCES = (
    ("alcohol", "Alcohol"),
    ("illegal_drugs", "Illegal drugs"),
    ("prescription_drugs", "Prescription drugs"),
)

OPIOIDS = Section(
    "opioids",
    "Opioid medicines",
    "Many of our patients take opioids. Your answers help the team plan safely; they do not "
    "stop you from being seen.",
    (
        yesno(
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
        # Three yes/no questions as one checklist (derived.py writes the old keys back).
        Question(
            "opioid_situation",
            "Do any of these apply to you?",
            "multi",
            choices(
                (
                    "dose_up_pain_worse",
                    "In the last 6 months, my opioid dose has gone up while my pain got worse",
                ),
                ("wants_less", "I would like to take less opioid medicine"),
                ("naloxone", "I have naloxone (Narcan) at home"),
            ),
            required=False,
            show_if=_ON_OPIOIDS,
            help_text="Tick all that apply; leave blank if none do.",
        ),
        # ORT-OUD (Cheatle et al., J Pain 2019) [verify]: the item headings of the published
        # form, asked as three checklists; the age item comes from the date of birth.
        # Asked of every patient, not only those taking opioids.
        _checklist(
            "ort_family",
            "Family history of substance abuse",
            _SUBSTANCES,
            "These questions are asked of every patient. " + _FAMILY,
        ),
        _checklist("ort_personal", "Personal history of substance abuse", _SUBSTANCES, _PERSONAL),
        _checklist(
            "ort_psychological",
            "Psychological disease",
            (
                (
                    "add_ocd_bipolar_schizophrenia",
                    "Attention deficit disorder (ADD), obsessive-compulsive disorder (OCD), "
                    "bipolar disorder or schizophrenia",
                ),
                ("depression", "Depression"),
            ),
            _DIAGNOSED,
        ),
    ),
    derived=(
        yesno(
            "opioid_dose_increased_pain_worse",
            "In the last 6 months, has your opioid dose gone up while your pain got worse?",
            show_if=_ON_OPIOIDS,
        ),
        yesno(
            "wants_to_reduce_opioids",
            "Would you like to take less opioid medicine?",
            show_if=_ON_OPIOIDS,
        ),
        yesno("naloxone_at_home", "Do you have naloxone (Narcan) at home?", show_if=_ON_OPIOIDS),
        *(
            yesno(f"ort_{n}", label, YES_NO_SCORED, instrument="ORT_OUD", help_text=help_text)
            for n, (label, help_text) in enumerate(_ORT_OUD_ITEMS, start=1)
        ),
    ),
)
