"""Pure scoring of the intake instruments and of daily opioid dose (MME).

Every function takes the flat answers dict (question key -> JSON value) and returns plain
values. No Django, no clock, no database: the clinical arithmetic lives here so it can be
tested against published examples. Sources and cut-points: docs/CLINICAL.md.

An instrument with any unanswered or unreadable item is returned with complete=False,
value None and band "" -- a partial sum would look like a low (reassuring) score.
"""

from .criteria import (
    BUDAPEST_CATEGORIES,
    NOT_COUNTED_FOR_REGIONS,
    WPI_REGIONS,
    acr2016_fibromyalgia,
    budapest_symptoms,
    score_wpi,
)
from .instruments import (
    BANDED,
    INSTRUMENT_ITEMS,
    Banded,
    Score,
    item_points,
    phq9_item9_positive,
    score_auditc,
    score_banded,
    score_dast10,
    score_gad7,
    score_ort_oud,
    score_pcptsd5,
    score_peg,
    score_phq9,
    score_phq9_item9,
    score_sss,
)
from .mme import (
    MME_DISCLAIMER,
    MME_FACTORS,
    OPIOID_CHOICES,
    PATCH_DRUGS,
    MMEResult,
    OpioidLine,
    compute_mme,
)

__all__ = [
    "BANDED",
    "BUDAPEST_CATEGORIES",
    "INSTRUMENT_ITEMS",
    "MME_DISCLAIMER",
    "MME_FACTORS",
    "NOT_COUNTED_FOR_REGIONS",
    "OPIOID_CHOICES",
    "PATCH_DRUGS",
    "WPI_REGIONS",
    "Banded",
    "MMEResult",
    "OpioidLine",
    "Score",
    "acr2016_fibromyalgia",
    "budapest_symptoms",
    "compute_mme",
    "item_points",
    "phq9_item9_positive",
    "score_all",
    "score_auditc",
    "score_banded",
    "score_dast10",
    "score_gad7",
    "score_ort_oud",
    "score_pcptsd5",
    "score_peg",
    "score_phq9",
    "score_phq9_item9",
    "score_sss",
    "score_wpi",
]


def score_all(answers: dict, *, pcptsd_cutoff: int = 3) -> dict[str, Score]:
    """Every instrument, keyed by instrument code.

    Pass the visible answers (intake.questionnaire.visible_answers): a stale answer behind
    a closed gate would otherwise be scored. Visibility is the questionnaire's rule, and
    the questionnaire imports this module's codes, so scoring does not import it back.
    """
    scores = [
        score_peg(answers),
        score_phq9(answers),
        score_phq9_item9(answers),
        score_gad7(answers),
        score_pcptsd5(answers, pcptsd_cutoff),
        score_dast10(answers),
        score_ort_oud(answers),
        score_auditc(answers, answers.get("sex_at_birth")),
        score_wpi(answers),
        score_sss(answers),
        acr2016_fibromyalgia(answers),
        budapest_symptoms(answers),
    ]
    return {score.instrument: score for score in scores}
