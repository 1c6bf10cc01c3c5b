"""Pure: what the screening flags suggest getting before a first infusion, and the legal
moves of each checklist item (requested / received / not needed).

A suggestion, never an order: the clinician decides. The tests come from CLINICAL.md §3
(baseline ECG when cardiovascular disease is suspected or risk is high; liver function
tests with liver disease, alcohol misuse or chronic hepatitis) and from the screening rules'
own messages (a pregnancy test when the patient could be pregnant; records when the
severity of liver disease is not known). No Django, no database, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    why: str
    flags: tuple[str, ...]  # screening rule codes that suggest it


_CARDIAC = (
    "suggest_ecg",
    "uncontrolled_hypertension",
    "recent_heart_attack_or_unstable_angina",
    "recent_cardiovascular_disease",
    "past_heart_condition",
)
_HEPATIC = (
    "suggest_liver_tests",
    "liver_disease_severe",
    "liver_disease_moderate",
    "liver_disease_severity_unknown",
    "hepatitis",
    "auditc_positive",
)

ITEMS: tuple[Item, ...] = (
    Item(
        "baseline_ecg",
        "Baseline ECG",
        "Suggested by the guideline when cardiovascular disease is suspected or cardiac risk "
        "is high (Cohen 2018).",
        _CARDIAC,
    ),
    Item(
        "liver_function_tests",
        "Liver function tests",
        "Suggested by the guideline with liver disease, chronic hepatitis or alcohol misuse "
        "(Cohen 2018).",
        _HEPATIC,
    ),
    Item(
        "liver_records",
        "Records showing how severe the liver disease is",
        "Severe liver disease is a reason to avoid ketamine; the severity is not known yet.",
        ("liver_disease_severity_unknown",),
    ),
    Item(
        "pregnancy_test",
        "Pregnancy test",
        "The patient could be pregnant: a pregnancy test is needed before any infusion.",
        ("pregnancy",),
    ),
)
ITEM_BY_CODE = {item.code: item for item in ITEMS}

# Statuses as stored (ChecklistItem.Status uses the same values).
SUGGESTED, REQUESTED, RECEIVED, NOT_NEEDED = "suggested", "requested", "received", "not_needed"
STATUS_LABELS = {
    SUGGESTED: "Not yet requested",
    REQUESTED: "Requested",
    RECEIVED: "Received",
    NOT_NEEDED: "Not needed",
}

# from -> the statuses it may move to. Received and not needed can be corrected back to
# requested (a result was for the wrong test, or the clinician changed their mind).
TRANSITIONS: dict[str, frozenset[str]] = {
    SUGGESTED: frozenset({REQUESTED, RECEIVED, NOT_NEEDED}),
    REQUESTED: frozenset({RECEIVED, NOT_NEEDED}),
    RECEIVED: frozenset({REQUESTED}),
    NOT_NEEDED: frozenset({REQUESTED}),
}


class ChecklistError(ValueError):
    """A move the checklist refuses, worded for staff."""


def needs_note(from_status: str, to_status: str) -> bool:
    """Skipping a suggested test, or undoing what was recorded, needs a reason."""
    return to_status == NOT_NEEDED or from_status in (RECEIVED, NOT_NEEDED)


def check_move(from_status: str, to_status: str, note: str) -> None:
    """Raise ChecklistError unless from_status may move to to_status with this note."""
    if to_status not in TRANSITIONS.get(from_status, ()):
        raise ChecklistError(
            f"An item that is “{STATUS_LABELS.get(from_status, from_status).lower()}” cannot "
            f"be marked “{STATUS_LABELS.get(to_status, to_status).lower()}”."
        )
    if needs_note(from_status, to_status) and not note.strip():
        raise ChecklistError("Say why (for example who decided and on what grounds).")


def suggested(flags: Iterable[tuple[str, str]]) -> list[tuple[Item, tuple[str, ...]]]:
    """(item, titles of the flags behind it) for each item the flags suggest, in ITEMS order.

    `flags` are (rule code, flag title) pairs; a cleared flag still suggests its test.
    """
    titles: dict[str, list[str]] = {}
    for code, title in flags:
        titles.setdefault(code, []).append(title)
    found = []
    for item in ITEMS:
        why = tuple(t for code in item.flags for t in titles.get(code, ()))
        if why:
            found.append((item, why))
    return found
