"""Section 4, treatments tried, and any earlier ketamine."""

from .schema import Question, Section
from .shapes import choices, if_yes, yesno

TREATMENT_CHOICES = choices(
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
_KETAMINE = if_yes("prior_ketamine")

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
