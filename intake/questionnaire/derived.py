"""Pure: answers the patient is no longer asked, derived from what they did answer.

The shorter intake asks some yes/no items as one checklist, the treatments tried as a
checklist and a table of how each went, and works the ORT-OUD age item out from the date of
birth. Scoring, screening rules, the staff view and change history read the old keys
(ort_1 … ort_9, psychosis_history, tx_nsaids, …), so every save writes them from the new
answers: old and new intakes score the same way. A draft made before the checklists
existed has only the old keys; the checklist is filled from them so the patient finds it
answered.
"""

from __future__ import annotations

import datetime as dt

from .treatments import NOT_TRIED, OUTCOME_CHOICES, TREATMENT_CHECKLISTS, outcome_key

NONE = "none"
YES, NO = "yes", "no"

# Checklist key -> (option value -> yes/no key it stands for).
CHECKLISTS: dict[str, dict[str, str]] = {
    "ort_family": {"alcohol": "ort_1", "illegal_drugs": "ort_2", "prescription_drugs": "ort_3"},
    "ort_personal": {"alcohol": "ort_4", "illegal_drugs": "ort_5", "prescription_drugs": "ort_6"},
    "ort_psychological": {"add_ocd_bipolar_schizophrenia": "ort_8", "depression": "ort_9"},
    "health_conditions": {
        "psychosis": "psychosis_history",
        "bipolar": "bipolar_history",
        "hepatitis": "hepatitis",
        "brain_pressure": "head_injury_or_icp",
        "eye_pressure": "glaucoma_or_eye_pressure",
        "seizures": "seizures",
        "bladder": "bladder_problems",
        "sleep_apnea": "sleep_apnea",
        "thyroid": "overactive_thyroid",
        "substance_problem": "substance_treatment_current",
    },
    "opioid_situation": {
        "dose_up_pain_worse": "opioid_dose_increased_pain_worse",
        "wants_less": "wants_to_reduce_opioids",
        "naloxone": "naloxone_at_home",
    },
}
# Checklists with no "None of these" option: an empty answer still means "none ticked",
# but only once the patient has saved the step (the key is present).
WITHOUT_NONE = frozenset({"opioid_situation"})

# Liver disease is a tick in the health checklist plus how severe; the old question had
# both in one answer ("no", "mild", … "not_sure").
LIVER = ("health_conditions", "liver", "liver_severity", "liver_disease")

ORT_AGE_ITEM = "ort_7"  # "Age between 16 and 45 years"
ORT_AGE_RANGE = (16, 45)


def age_on(born: dt.date, day: dt.date) -> int:
    """Whole years of age on `day` (a 29 February birthday counts from 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def parse_date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def ort_age_item(date_of_birth: object, today: dt.date) -> str | None:
    """ "yes" when the patient is 16 to 45 years old today, "no" otherwise, None without a
    readable date of birth."""
    born = parse_date(date_of_birth)
    if born is None:
        return None
    low, high = ORT_AGE_RANGE
    return YES if low <= age_on(born, today) <= high else NO


def _answered(value: object) -> bool:
    return isinstance(value, list | tuple)


def _derive_liver(out: dict, *, filled_from_old: bool) -> None:
    checklist, option, severity, old = LIVER
    value = out.get(old)
    if filled_from_old:
        if value and value != NO:
            out[checklist] = [c for c in out[checklist] if c != NONE] + [option]
            out.setdefault(severity, value)
        return
    ticked = out.get(checklist)
    if not _answered(ticked):
        return
    if option not in ticked:
        out[old] = NO
    elif out.get(severity):
        out[old] = out[severity]
    else:
        out.pop(old, None)


_OUTCOMES = frozenset(c.value for c in OUTCOME_CHOICES)


def _derive_treatments(out: dict) -> None:
    """tx_<code> from the checklist of treatments tried and how each went ("not_tried" when
    not ticked); a draft with only the old answers gets the checklist filled from them."""
    for checklist, codes in TREATMENT_CHECKLISTS.items():
        ticked = out.get(checklist)
        if _answered(ticked):
            for code in codes:
                old, outcome = f"tx_{code}", out.get(outcome_key(code))
                if code not in ticked:
                    out[old] = NOT_TRIED
                elif outcome:
                    out[old] = outcome
                else:
                    out.pop(old, None)
        elif all(out.get(f"tx_{code}") for code in codes):
            tried = [code for code in codes if out[f"tx_{code}"] != NOT_TRIED]
            out[checklist] = tried or [NONE]
            for code in tried:
                # An answer no longer offered ("helped") is asked again.
                if out[f"tx_{code}"] in _OUTCOMES:
                    out.setdefault(outcome_key(code), out[f"tx_{code}"])


def derive_answers(answers: dict, *, today: dt.date) -> dict:
    """The answers with every derived key written from the answers it comes from."""
    out = dict(answers)
    filled_from_old = set()
    for checklist, items in CHECKLISTS.items():
        ticked = out.get(checklist)
        if _answered(ticked):
            for option, key in items.items():
                out[key] = YES if option in ticked else NO
        elif all(out.get(key) in (YES, NO) for key in items.values()):
            # A draft from before the checklist: fill it from the old answers.
            chosen = [option for option, key in items.items() if out[key] == YES]
            if chosen or checklist in WITHOUT_NONE:
                out[checklist] = chosen
            else:
                out[checklist] = [NONE]
            filled_from_old.add(checklist)
    _derive_liver(out, filled_from_old=LIVER[0] in filled_from_old)
    _derive_treatments(out)
    age_item = ort_age_item(out.get("date_of_birth"), today)
    if age_item is not None:
        out[ORT_AGE_ITEM] = age_item
    return out


SOURCE: dict[str, str] = {
    key: checklist for checklist, items in CHECKLISTS.items() for key in items.values()
}
SOURCE[LIVER[3]] = LIVER[0]
SOURCE |= {f"tx_{code}": key for key, codes in TREATMENT_CHECKLISTS.items() for code in codes}


def shown_to_staff(key: str, answers: dict) -> bool:
    """Should the staff view list this derived answer? The age item always (it is scored
    and the patient never saw it); an old yes/no answer only when its checklist was never
    answered (an intake from before the checklist)."""
    if key == ORT_AGE_ITEM:
        return key in answers
    source = SOURCE.get(key)
    return key in answers and (source is None or not _answered(answers.get(source)))
