"""Section 4, treatments tried (how each went and whether it is still used), the
CRPS-specific ones for a CRPS diagnosis, and any earlier ketamine."""

from .schema import Question, Section, ShowIf
from .shapes import choices, if_yes, yesno

# How it went and whether it is still used, in one answer (one question per treatment keeps
# the step short on a phone): "still using / stopped / trial only" with the outcome.
TREATMENT_CHOICES = choices(
    ("not_tried", "Not tried"),
    ("helps_using", "It helps, and I still use it"),
    ("helped_stopped", "It helped, but I stopped"),
    ("did_not_help", "It did not help"),
    ("side_effects", "Stopped because of side effects"),
    ("trial_only", "Only tried it briefly"),
)
# Answers earlier versions stored that are no longer offered, as staff should read them.
LEGACY_TREATMENT_LABELS = {"helped": "Tried: it helped (still using not asked)"}
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
_CRPS = ShowIf("diagnoses", "any", ("crps_1", "crps_2"))
_KETAMINE = if_yes("prior_ketamine")


def _treatment(code: str, label: str, shown: ShowIf | None = None) -> Question:
    return Question(f"tx_{code}", label, "choice", TREATMENT_CHOICES, show_if=shown)


TREATMENTS = Section(
    "treatments",
    "Treatments you have tried",
    "For each treatment, tell us whether you have tried it, how it went and whether you "
    'still use it. "Not tried" is a fine answer.',
    (
        *(_treatment(code, label) for code, label in PAST_TREATMENTS),
        *(_treatment(code, label, _CRPS) for code, label in CRPS_TREATMENTS),
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
)
