"""Section 8, mood: PHQ-9, GAD-7 and PC-PTSD-5."""

from .schema import Question, Section
from .shapes import FREQUENCY_0_3, YES_NO_SCORED, choices, if_yes, item_group, yesno

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
        *item_group("PHQ9", "phq9", _PHQ9_ITEMS, "choice", FREQUENCY_0_3),
        # The PHQ-9 functional item: shown to staff, never scored.
        Question(
            "phq9_difficulty",
            "If you checked off any problems, how difficult have these "
            "problems made it for you to do your work, take care of things at home, or get "
            "along with other people?",
            "choice",
            choices(
                ("not_difficult", "Not difficult at all"),
                ("somewhat", "Somewhat difficult"),
                ("very", "Very difficult"),
                ("extremely", "Extremely difficult"),
            ),
            required=False,
            instrument="PHQ9",
        ),
        # The stem once, above the first item, as on the published form.
        *item_group(
            "GAD7",
            "gad7",
            _GAD7_ITEMS,
            "choice",
            FREQUENCY_0_3,
            overrides={1: {"help_text": _GAD7_STEM}},
        ),
        yesno(
            "pcptsd_exposure",
            _PCPTSD_EXPOSURE,
            instrument="PCPTSD5",
            help_text="You do not need to tell us what happened.",
        ),
        *item_group(
            "PCPTSD5",
            "pcptsd",
            (f"In the past month, have you {item}" for item in _PCPTSD_ITEMS),
            "yesno",
            YES_NO_SCORED,
            show_if=if_yes("pcptsd_exposure"),
        ),
    ),
)
