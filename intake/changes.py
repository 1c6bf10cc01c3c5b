"""Pure: what changed in a patient's answers between two submissions, as people read it.

Generated from the questionnaire, so each change carries its question's label and answers
written as the review page writes them. A repeatable list (opioid medicines, other
medicines) is compared row by row: rows are matched by what they name (the medicine), so
lowering a dose reads "Your opioid medicines — Oxycodone, strength: 10 mg → 5 mg" rather
than the whole list twice. Only answers the patient could see count: an answer left behind
a closed gate reads as no longer given.
"""

from dataclasses import dataclass

from .display import NOT_ANSWERED, _row_field, format_answer, format_row
from .questionnaire import SECTIONS, Question, is_empty, visible_answers

NOT_LISTED = "Not listed"
REMOVED = "Removed"


@dataclass(frozen=True)
class AnswerChange:
    section: str  # the section's title
    question: str  # the question's label
    item: str  # for a list: which row and field ("Oxycodone, strength"); else ""
    before: str
    after: str


def answer_changes(before: dict, after: dict) -> list[AnswerChange]:
    """Every answer that reads differently in `after` than in `before`, in form order."""
    old, new = visible_answers(before), visible_answers(after)
    changes: list[AnswerChange] = []
    for section in SECTIONS:
        for q in section.questions:
            if q.key not in old and q.key not in new:
                continue
            if q.type == "repeat":
                changes += _row_changes(
                    section.title, q, _rows(old.get(q.key)), _rows(new.get(q.key))
                )
                continue
            was, now = _shown(q, old.get(q.key)), _shown(q, new.get(q.key))
            if was != now:
                changes.append(AnswerChange(section.title, q.label, "", was, now))
    return changes


def _shown(q: Question, value) -> str:
    return format_answer(q, value)


def _rows(value) -> list[dict]:
    rows = value if isinstance(value, list) else []
    return [r for r in rows if isinstance(r, dict) and not all(is_empty(v) for v in r.values())]


def row_name(q: Question, row: dict) -> str:
    """What a row is about, in words: its first field ("Oxycodone", "Lorazepam")."""
    first = q.fields[0]
    value = row.get(first.key)
    other = row.get(f"{first.key}_other")
    if value == "other" and not is_empty(other):
        return str(other).strip()
    text = format_answer(first, value)
    return text.split(" (")[0]  # "Oxycodone (OxyContin, …)" → "Oxycodone"


def _row_changes(section: str, q: Question, old: list[dict], new: list[dict]) -> list[AnswerChange]:
    unmatched = list(new)
    pairs, removed = [], []
    for row in old:
        key = row_name(q, row).casefold()
        match = next((r for r in unmatched if row_name(q, r).casefold() == key), None)
        if match is None:
            removed.append(row)
        else:
            unmatched.remove(match)
            pairs.append((row, match))
    changes = []
    for was, now in pairs:
        name = row_name(q, now)
        for sub in q.fields[1:]:
            before = format_answer(_row_field(sub, was), was.get(sub.key))
            after = format_answer(_row_field(sub, now), now.get(sub.key))
            if before != after:
                item = f"{name}, {sub.label[:1].lower()}{sub.label[1:]}"
                changes.append(AnswerChange(section, q.label, item, before, after))
    for row in removed:
        changes.append(
            AnswerChange(section, q.label, row_name(q, row), format_row(q, row), REMOVED)
        )
    for row in unmatched:
        changes.append(
            AnswerChange(section, q.label, row_name(q, row), NOT_LISTED, format_row(q, row))
        )
    return changes


__all__ = ["NOT_ANSWERED", "NOT_LISTED", "REMOVED", "AnswerChange", "answer_changes", "row_name"]
