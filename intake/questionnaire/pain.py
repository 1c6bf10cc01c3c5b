"""Section 2, the pain itself: where, since when, how bad (PEG-3, WPI areas), its effects."""

from intake.bodymap import AREAS

from .schema import Choice, Question, Section, ShowIf
from .shapes import choices, scale_0_10

# The body map (intake/bodymap.py): the 19 ACR 2016 WPI areas keep their codes, so older
# answers still read and score; hands, wrists, knees, ankles, feet, head and face are added.
PAIN_REGION_CHOICES = tuple(Choice(area.code, area.label) for area in AREAS)

_PAIN_0_10 = "0 = no pain, 10 = worst pain you can imagine"
_INTERFERES = "0 = does not interfere, 10 = completely interferes"
# A fieldset: questions that answer one prompt together, read (and counted) as one.
_BETTER_WORSE = "What makes your pain better or worse? (optional)"
_EFFECT = choices(
    ("none", "Not at all"),
    ("a_little", "A little"),
    ("moderately", "Moderately"),
    ("severely", "Severely"),
)

PAIN = Section(
    "pain",
    "Your pain",
    "",
    (
        Question(
            "main_complaint",
            "In a few words, what is the main pain problem you want help with?",
            "textarea",
            max_length=2000,
        ),
        Question(
            "pain_regions",
            "Where have you had pain over the past week?",
            "multi",
            PAIN_REGION_CHOICES,
            instrument="WPI",
            help_text="Tap each area that hurts on the picture, or tick it in the list. "
            "Left and right are your own.",
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
            choices(
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
            choices(
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
        # The month's worst is among the review summary's key facts (intake/summary.py),
        # beside PEG's average pain over the past week.
        scale_0_10(
            "pain_worst", "How bad was your pain at its worst in the past month?", _PAIN_0_10
        ),
        # PEG-3, verbatim from Krebs et al., J Gen Intern Med 2009;24(6):733-738.
        scale_0_10(
            "peg_pain",
            "What number best describes your pain on average in the past week?",
            "0 = no pain, 10 = pain as bad as you can imagine",
            instrument="PEG",
        ),
        scale_0_10(
            "peg_enjoyment",
            "What number best describes how, during the past week, pain "
            "has interfered with your enjoyment of life?",
            _INTERFERES,
            instrument="PEG",
        ),
        scale_0_10(
            "peg_activity",
            "What number best describes how, during the past week, pain "
            "has interfered with your general activity?",
            _INTERFERES,
            instrument="PEG",
        ),
        Question(
            "pain_helps",
            "What makes your pain better?",
            "textarea",
            required=False,
            max_length=2000,
            group=_BETTER_WORSE,
        ),
        Question(
            "pain_worse",
            "What makes your pain worse?",
            "textarea",
            required=False,
            max_length=2000,
            group=_BETTER_WORSE,
        ),
    ),
    # Asked up to version 2026.12.4; older intakes still show them to staff. None is scored.
    # PEG covers the same ground (average pain over the past week, interference with
    # enjoyment of life and general activity: Krebs 2009 chose these three from the BPI's
    # intensity and interference items), and PHQ-9 item 3 asks about sleep.
    derived=(
        scale_0_10("pain_now", "How bad is your pain right now?", _PAIN_0_10),
        scale_0_10(
            "pain_average",
            "How bad has your pain been on average over the past month?",
            _PAIN_0_10,
        ),
        scale_0_10(
            "pain_least", "How bad was your pain at its least in the past month?", _PAIN_0_10
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
