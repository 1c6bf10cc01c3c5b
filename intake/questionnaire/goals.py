"""Section 9, goals, when the patient can come, a driver home, payment."""

from .schema import Question, Section, ShowIf
from .shapes import choices, yesno

_WHEN = "When could you usually come in?"

GOALS = Section(
    "goals",
    "Your goals and scheduling",
    "",
    (
        Question(
            "goals",
            "What would you most like treatment to help with?",
            "multi",
            choices(
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
            choices(
                ("mon", "Monday"),
                ("tue", "Tuesday"),
                ("wed", "Wednesday"),
                ("thu", "Thursday"),
                ("fri", "Friday"),
                ("sat", "Saturday"),
            ),
            help_text="Tick all that could work.",
            group=_WHEN,
        ),
        Question(
            "preferred_times",
            "Which times of day suit you?",
            "multi",
            choices(("morning", "Morning"), ("midday", "Midday"), ("afternoon", "Afternoon")),
            help_text="Tick all that could work.",
            group=_WHEN,
        ),
        yesno(
            "has_driver",
            "You cannot drive for 24 hours after each infusion. Will someone be able to "
            "drive you home?",
            help_text="Not sure yet? Answer No and our team will talk through options with you.",
        ),
    ),
)
