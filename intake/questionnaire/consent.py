"""Section 10, consent: the acknowledgements ticked under the clinic's consent text."""

from .schema import Question, Section

# The consent text itself is clinic-edited and versioned in the database; these are the
# acknowledgements a patient ticks under it.
_UNDERSTAND = "Please tick each statement to confirm it"

CONSENT = Section(
    "consent",
    "Consent",
    "Please read the consent information first.",
    (
        Question(
            "consent_what_ketamine_is",
            "I understand that ketamine is a medicine given "
            "as a drip into a vein in a monitored clinic, to try to reduce chronic pain, "
            "and that it may not help me.",
            "consent",
            group=_UNDERSTAND,
        ),
        Question(
            "consent_side_effects",
            "I understand that ketamine can cause side effects, "
            "such as feeling detached or dreamlike, seeing or hearing things, higher blood "
            "pressure or heart rate, nausea, dizziness or blurred vision.",
            "consent",
            group=_UNDERSTAND,
        ),
        Question(
            "consent_no_driving",
            "I understand that I must not drive for 24 hours after "
            "each infusion and will need someone to take me home.",
            "consent",
            group=_UNDERSTAND,
        ),
        Question(
            "consent_honest_answers",
            "My answers are true and complete as far as I know, "
            "including about my medicines, alcohol and drug use.",
            "consent",
            group=_UNDERSTAND,
        ),
        Question(
            "consent_privacy",
            "I agree that the clinic's staff may store and read my "
            "answers to assess and plan my care.",
            "consent",
            group=_UNDERSTAND,
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
