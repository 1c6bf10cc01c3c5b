"""The intake questionnaire as data.

Each question is defined once, in the module of its section; forms, the review page, the
staff view and exports are generated from these definitions, so a clinician can read a
diff of a section module and see what changed. The rules (show-if, missing answers) live
in schema.py, the recurring shapes (yes/no, 0–10 scales, instrument items) in shapes.py.

Bump QUESTIONNAIRE_VERSION with any change a patient would notice: the version is stored
with each intake.

Instrument items keep the published wording verbatim (docs/CLINICAL.md §4). Their points
are carried on the choices so the staff view can show them; intake.scoring holds the same
rules and a test checks the two agree.
"""

from .about import ABOUT
from .care import CARE
from .consent import CONSENT
from .diagnoses import DIAGNOSES, DIAGNOSIS_CHOICES
from .goals import GOALS
from .health import HEALTH
from .medications import MEDICATIONS
from .mood import MOOD
from .opioids import OPIOIDS
from .pain import PAIN
from .schema import TYPES, Choice, Question, Questionnaire, Section, ShowIf, is_answered, is_empty
from .treatments import TREATMENTS

# 2026.12.1: the time zone moved to the patient's preferences (set at sign-up).
# 2026.12.2: each opioid row asks the brand or product name (combination tablets).
# 2026.12.3: body map, CRPS limbs, suspected fibromyalgia, treatment use and CRPS treatments,
#            the prescriber of each medicine, and a care step (insurance, pharmacy, doctors).
# 2026.12.4: shorter: checklists for health conditions, ORT-OUD and opioid follow-ups (old
#   keys derived, questionnaire/derived.py), ORT-OUD age from the date of birth, a gate
#   before DAST-10, fieldsets for fields that answer one prompt together.
# 2026.12.5: shorter still (issue 13's target): treatments tried as a checklist and a table of
#   how each went (old tx_<code> keys derived), fieldsets on the care step, the Budapest
#   symptoms as one fieldset, four pain-step questions PEG covers no longer asked (kept for
#   older intakes), the GAD-7 stem once, shorter help texts.
QUESTIONNAIRE_VERSION = "2026.12.5"

QUESTIONNAIRE = Questionnaire(
    QUESTIONNAIRE_VERSION,
    (ABOUT, PAIN, DIAGNOSES, TREATMENTS, OPIOIDS, MEDICATIONS, HEALTH, MOOD, GOALS, CARE, CONSENT),
)

SECTIONS: tuple[Section, ...] = QUESTIONNAIRE.sections
SECTION_BY_KEY: dict[str, Section] = QUESTIONNAIRE.section_by_key
QUESTION_BY_KEY: dict[str, Question] = QUESTIONNAIRE.question_by_key
iter_questions = QUESTIONNAIRE.iter_questions
missing_answers = QUESTIONNAIRE.missing_answers
visible_answers = QUESTIONNAIRE.visible_answers

__all__ = [
    "DIAGNOSIS_CHOICES",
    "QUESTIONNAIRE",
    "QUESTIONNAIRE_VERSION",
    "QUESTION_BY_KEY",
    "SECTIONS",
    "SECTION_BY_KEY",
    "TYPES",
    "Choice",
    "Question",
    "Section",
    "ShowIf",
    "is_answered",
    "is_empty",
    "iter_questions",
    "missing_answers",
    "visible_answers",
]
