"""Section 6, other medicines and allergies."""

from .schema import Question, Section
from .shapes import if_yes, yesno

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
                # Keys are unique across rows too (the opioid row has "prescriber").
                Question(
                    "prescribed_by",
                    "Who prescribes it?",
                    "text",
                    required=False,
                    max_length=200,
                    example="Dr. Patel",
                    help_text="Leave blank for medicines you buy yourself.",
                ),
            ),
        ),
        yesno(
            "has_allergies",
            "Do you have any allergies, to medicines, foods, latex or anything else?",
        ),
        Question(
            "allergies",
            "What are you allergic to, and what happens?",
            "textarea",
            show_if=if_yes("has_allergies"),
            max_length=2000,
        ),
        yesno("ketamine_reaction", "Have you ever had an allergy or a bad reaction to ketamine?"),
        Question(
            "ketamine_reaction_details",
            "What happened with ketamine?",
            "textarea",
            show_if=if_yes("ketamine_reaction"),
            max_length=2000,
        ),
        yesno(
            "anesthesia_reaction",
            "Have you ever had a bad reaction to anesthesia "
            "(medicine that puts you to sleep or numbs you for surgery)?",
        ),
        Question(
            "anesthesia_reaction_details",
            "What happened with anesthesia?",
            "textarea",
            show_if=if_yes("anesthesia_reaction"),
            max_length=2000,
        ),
    ),
)
