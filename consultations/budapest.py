"""Pure: the examiner's half of the Budapest clinical criteria for CRPS (Harden 2010).

The intake collects the symptoms (intake.scoring.criteria.budapest_symptoms: categories
with >= 1 symptom the patient reports). At the consultation the clinician examines for
signs; the criteria are met when there is pain disproportionate to the inciting event,
symptoms in >= 3 of 4 categories, signs in >= 2 of 4, and no other diagnosis better
explains them (that last part is the clinician's judgement, so it is never computed
here). A decision aid for the clinician, never a diagnosis shown to the patient.
No Django, no database, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# The four categories, in the order the criteria list them (keys match the intake's
# symptom categories without the "crps_" prefix).
CATEGORIES: dict[str, str] = {
    "sensory": "Sensory",
    "vasomotor": "Vasomotor",
    "sudomotor_edema": "Sudomotor / edema",
    "motor_trophic": "Motor / trophic",
}

# The signs an examiner can find, by category (Harden 2010, clinical criteria).
SIGNS: dict[str, tuple[tuple[str, str], ...]] = {
    "sensory": (
        ("hyperalgesia_pinprick", "Hyperalgesia (to pinprick)"),
        ("allodynia", "Allodynia (to light touch, temperature, deep pressure or joint movement)"),
    ),
    "vasomotor": (
        ("temperature_asymmetry", "Temperature asymmetry (> 1 °C)"),
        ("skin_colour_change", "Skin colour changes or asymmetry"),
    ),
    "sudomotor_edema": (
        ("edema", "Edema"),
        ("sweating_change", "Sweating changes or asymmetry"),
    ),
    "motor_trophic": (
        ("reduced_range_of_motion", "Decreased range of motion"),
        ("motor_dysfunction", "Motor dysfunction (weakness, tremor, dystonia)"),
        ("trophic_change", "Trophic changes (hair, nail, skin)"),
    ),
}
SIGN_CATEGORY: dict[str, str] = {
    code: category for category, signs in SIGNS.items() for code, _ in signs
}
SIGN_LABEL: dict[str, str] = {code: label for signs in SIGNS.values() for code, label in signs}

SYMPTOM_CATEGORIES_NEEDED = 3
SIGN_CATEGORIES_NEEDED = 2


class UnknownSign(ValueError):
    """A sign code that is not one of SIGNS."""


@dataclass(frozen=True)
class Assessment:
    """Where the criteria stand once the signs are examined."""

    symptom_categories: int | None  # None: the intake's symptom part is incomplete
    sign_categories: tuple[str, ...]  # category keys with >= 1 sign, in CATEGORIES order
    symptoms_met: bool
    signs_met: bool

    @property
    def met(self) -> bool:
        """Symptoms and signs both meet their threshold ("no better explanation" is the
        clinician's to judge)."""
        return self.symptoms_met and self.signs_met

    @property
    def summary(self) -> str:
        symptoms = (
            "symptom part incomplete in the intake"
            if self.symptom_categories is None
            else f"symptoms in {self.symptom_categories} of 4 categories"
        )
        names = ", ".join(CATEGORIES[c].lower() for c in self.sign_categories) or "none"
        verdict = "Budapest criteria met" if self.met else "Budapest criteria not met"
        return f"{verdict}: {symptoms}; signs in {len(self.sign_categories)} of 4 ({names})."


def sign_categories(signs: Iterable[str]) -> tuple[str, ...]:
    """The categories with at least one sign, in CATEGORIES order; unknown codes raise."""
    found = set()
    for code in signs:
        if code not in SIGN_CATEGORY:
            raise UnknownSign(code)
        found.add(SIGN_CATEGORY[code])
    return tuple(c for c in CATEGORIES if c in found)


def assess(*, symptom_categories: int | None, symptoms_positive: bool, signs: Iterable[str]):
    """Combine the intake's symptom part with the examined signs.

    `symptom_categories` is the intake's count (0-4, None when incomplete) and
    `symptoms_positive` its verdict (it also needs disproportionate pain); signs meet the
    criteria in >= 2 of 4 categories.
    """
    categories = sign_categories(signs)
    symptoms_met = (
        symptom_categories is not None
        and symptoms_positive
        and symptom_categories >= SYMPTOM_CATEGORIES_NEEDED
    )
    return Assessment(
        symptom_categories=symptom_categories,
        sign_categories=categories,
        symptoms_met=symptoms_met,
        signs_met=len(categories) >= SIGN_CATEGORIES_NEEDED,
    )
