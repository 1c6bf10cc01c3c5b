"""Section 4, treatments tried (how each went and whether it is still used), the
CRPS-specific ones for a CRPS diagnosis, and any earlier ketamine.

Asked as a checklist of the treatments tried, then, for each one ticked, how it went: one
table-like fieldset rather than a question per treatment, most of them "not tried". The
one-per-treatment keys (tx_nsaids, …) of earlier versions are written back from these
answers (derived.py), so older intakes and exports read the same way.
"""

from .schema import Question, Section, ShowIf
from .shapes import choices, if_yes, yesno

NOT_TRIED = "not_tried"
# How it went and whether it is still used, in one answer: "still using / stopped / trial
# only" with the outcome. Asked only for a treatment ticked as tried, once per row of the
# table, so the wording is short.
OUTCOME_CHOICES = choices(
    ("helps_using", "Helps, still using it"),
    ("helped_stopped", "Helped, but stopped"),
    ("did_not_help", "Did not help"),
    ("side_effects", "Stopped for side effects"),
    ("trial_only", "Only tried briefly"),
)
# The per-treatment question of versions up to 2026.12.4, as it was worded (the same values).
TREATMENT_CHOICES = choices(
    (NOT_TRIED, "Not tried"),
    ("helps_using", "It helps, and I still use it"),
    ("helped_stopped", "It helped, but I stopped"),
    ("did_not_help", "It did not help"),
    ("side_effects", "Stopped because of side effects"),
    ("trial_only", "Only tried it briefly"),
)
# Answers earlier versions stored that are no longer offered, as staff should read them.
LEGACY_TREATMENT_LABELS = {"helped": "Tried: it helped (still using not asked)"}
PAST_TREATMENTS = (
    ("nsaids", "Anti-inflammatory painkillers (NSAIDs): ibuprofen, naproxen, celecoxib"),
    ("acetaminophen", "Acetaminophen (Tylenol)"),
    ("gabapentinoids", "Gabapentin (Neurontin) or pregabalin (Lyrica)"),
    ("snris", "Duloxetine (Cymbalta), venlafaxine (Effexor) or milnacipran (Savella)"),
    ("tcas", "Amitriptyline, nortriptyline or another tricyclic antidepressant"),
    ("topicals", "Skin creams, gels or patches, such as lidocaine or diclofenac"),
    ("muscle_relaxants", "Muscle relaxants such as cyclobenzaprine, tizanidine or baclofen"),
    ("cannabinoids", "Cannabis, CBD or medical marijuana"),
    ("nerve_blocks", "Nerve blocks"),
    ("epidural_injections", "Epidural steroid injections"),
    ("spinal_cord_stimulator", "Spinal cord stimulator (SCS)"),
    ("surgery", "Surgery for the pain"),
    ("physical_therapy", "Physical therapy"),
    ("cbt_psychotherapy", "Cognitive behavioral therapy (CBT) or other talking therapy"),
    ("acupuncture", "Acupuncture"),
)
# Asked only with a CRPS diagnosis: treatments CRPS guidelines describe (Harden 2022).
CRPS_TREATMENTS = (
    ("sympathetic_blocks", "Sympathetic nerve blocks (stellate ganglion or lumbar sympathetic)"),
    ("bisphosphonates", "Bisphosphonates such as pamidronate, zoledronic acid or alendronate"),
    ("mirror_therapy", "Mirror therapy"),
    ("graded_motor_imagery", "Graded motor imagery"),
    ("drg_stimulation", "Dorsal root ganglion (DRG) stimulation"),
)
# Checklist key -> the treatments it lists (derived.py writes tx_<code> from it).
TREATMENT_CHECKLISTS = {
    "treatments_tried": tuple(code for code, _ in PAST_TREATMENTS),
    "crps_treatments_tried": tuple(code for code, _ in CRPS_TREATMENTS),
}
# The table's rows name each treatment ticked just above, so a short name is enough.
SHORT_NAMES = {
    "nsaids": "Anti-inflammatories (NSAIDs)",
    "gabapentinoids": "Gabapentin or pregabalin",
    "snris": "Duloxetine, venlafaxine or milnacipran",
    "tcas": "Tricyclic antidepressants",
    "topicals": "Creams, gels or patches",
    "muscle_relaxants": "Muscle relaxants",
    "cannabinoids": "Cannabis or CBD",
    "spinal_cord_stimulator": "Spinal cord stimulator",
    "cbt_psychotherapy": "CBT or talking therapy",
    "sympathetic_blocks": "Sympathetic nerve blocks",
    "bisphosphonates": "Bisphosphonates",
    "drg_stimulation": "DRG stimulation",
}
_CRPS = ShowIf("diagnoses", "any", ("crps_1", "crps_2"))
_KETAMINE = if_yes("prior_ketamine")
_HOW_IT_WENT = "How did each one go?"
_NONE_TRIED = ("none", "I have not tried any of these")


def outcome_key(code: str) -> str:
    return f"tx_{code}_outcome"


def _outcome(checklist: str, code: str, label: str) -> Question:
    # A drop-down per row: the table stays one line per treatment on a phone.
    return Question(
        outcome_key(code),
        SHORT_NAMES.get(code, label),
        "select",
        OUTCOME_CHOICES,
        show_if=ShowIf(checklist, "contains", code),
        group=_HOW_IT_WENT,
    )


def _old(code: str, label: str, shown: ShowIf | None = None) -> Question:
    return Question(f"tx_{code}", label, "choice", TREATMENT_CHOICES, show_if=shown)


TREATMENTS = Section(
    "treatments",
    "Treatments you have tried",
    "Tick what you have tried, then tell us how each one went.",
    (
        Question(
            "treatments_tried",
            "Which of these have you tried for your pain?",
            "multi",
            choices(*PAST_TREATMENTS, _NONE_TRIED),
            help_text="Tick all that apply.",
        ),
        Question(
            "crps_treatments_tried",
            "Have you tried any of these treatments for CRPS?",
            "multi",
            choices(*CRPS_TREATMENTS, _NONE_TRIED),
            show_if=_CRPS,
            help_text="Tick all that apply.",
        ),
        *(_outcome("treatments_tried", code, label) for code, label in PAST_TREATMENTS),
        *(_outcome("crps_treatments_tried", code, label) for code, label in CRPS_TREATMENTS),
        yesno(
            "prior_ketamine",
            "Have you had ketamine treatment before, for pain, depression or any other reason?",
            help_text="Do not count ketamine given only as anesthesia during surgery.",
        ),
        Question(
            "ketamine_routes",
            "How was the ketamine given?",
            "multi",
            choices(
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
            choices(
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
    # One question per treatment, as versions up to 2026.12.4 asked it (derived.py).
    derived=(
        *(_old(code, label) for code, label in PAST_TREATMENTS),
        *(_old(code, label, _CRPS) for code, label in CRPS_TREATMENTS),
    ),
)
