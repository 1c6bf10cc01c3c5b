"""Section: insurance, pharmacy and the patient's doctors, collected once (peer intake
tools ask these too). Photos of the insurance card, ID and letters are uploaded beside this
step (clinic/documents); a member ID typed here is still useful when a photo is unclear.

The payment, referring-doctor and primary-care keys are the ones earlier versions asked on
other steps, so older intakes still show them here.
"""

from .schema import Question, Section, ShowIf
from .shapes import choices

_INSURED = ShowIf("payment", "eq", "insurance")
# Fields that answer one prompt together are one fieldset (counted as one question).
_INSURANCE = "Your insurance"
_PHARMACY = "Your pharmacy"


def _doctor(prefix: str, whose: str, legend: str, **shown) -> tuple[Question, ...]:
    shown["group"] = legend
    return (
        Question(
            f"{prefix}_name",
            f"{whose} name",
            "text",
            required=False,
            max_length=200,
            example="Dr. Maria Lopez",
            **shown,
        ),
        Question(
            f"{prefix}_practice",
            f"{whose} practice or clinic",
            "text",
            required=False,
            max_length=200,
            **shown,
        ),
        Question(f"{prefix}_phone", f"{whose} phone number", "phone", required=False, **shown),
    )


CARE = Section(
    "care",
    "Insurance, pharmacy and doctors",
    "For your coverage, prescriptions and doctors. Only what you know: blanks are fine.",
    (
        Question(
            "payment",
            "How do you plan to pay for treatment?",
            "choice",
            choices(
                ("insurance", "Through my insurance"),
                ("self_pay", "I don't have insurance, or I will pay myself"),
                ("not_sure", "I'm not sure yet"),
            ),
        ),
        Question(
            "insurance_name",
            "Insurance company",
            "text",
            required=False,
            max_length=200,
            show_if=_INSURED,
            example="Aetna",
            help_text="As printed on your card.",
            group=_INSURANCE,
        ),
        Question(
            "insurance_member_id",
            "Member ID",
            "text",
            required=False,
            max_length=60,
            show_if=_INSURED,
            autocomplete="off",
            help_text="On the front of your card. Or skip it and add a photo of the card below.",
            group=_INSURANCE,
        ),
        Question(
            "insurance_group",
            "Group number",
            "text",
            required=False,
            max_length=60,
            show_if=_INSURED,
            autocomplete="off",
            help_text="If your card shows one.",
            group=_INSURANCE,
        ),
        Question(
            "insurance_subscriber",
            "Whose plan is it?",
            "choice",
            choices(
                ("self", "Mine"),
                ("spouse", "My spouse's or partner's"),
                ("parent", "My parent's"),
                ("other", "Someone else's"),
            ),
            required=False,
            show_if=_INSURED,
            group=_INSURANCE,
        ),
        Question(
            "insurance_subscriber_name",
            "Name of the person the plan belongs to",
            "text",
            required=False,
            max_length=200,
            show_if=ShowIf("insurance_subscriber", "in", ("spouse", "parent", "other")),
            group=_INSURANCE,
        ),
        Question(
            "pharmacy_name",
            "Pharmacy name",
            "text",
            required=False,
            max_length=200,
            example="CVS on Main Street",
            group=_PHARMACY,
        ),
        Question(
            "pharmacy_phone", "Pharmacy phone number", "phone", required=False, group=_PHARMACY
        ),
        Question(
            "pharmacy_city",
            "Pharmacy town or city",
            "text",
            required=False,
            max_length=100,
            autocomplete="address-level2",
            group=_PHARMACY,
        ),
        *_doctor(
            "referring_physician",
            "Referring doctor's",
            "The doctor who referred you",
        ),
        Question(
            "pcp_source",
            "Your primary care doctor",
            "choice",
            choices(
                ("same", "The same doctor who referred me"),
                ("other", "A different doctor"),
                ("none", "I don't have one"),
            ),
            required=False,
        ),
        # Shown unless "same" or "none": an older intake (no pcp_source) still shows its answer.
        *_doctor(
            "pcp",
            "Primary care doctor's",
            "Your primary care doctor's details",
            show_if=(ShowIf("pcp_source", "ne", "same"), ShowIf("pcp_source", "ne", "none")),
        ),
    ),
)
