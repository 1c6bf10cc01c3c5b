"""Pure: answers as people read them, generated from the questionnaire definition."""

from dataclasses import dataclass, replace

from clinic.core.formats import human_date, human_month, human_phone

from .questionnaire import SECTIONS, Question, Section, is_empty
from .questionnaire.derived import shown_to_staff
from .questionnaire.treatments import LEGACY_TREATMENT_LABELS
from .scoring import PATCH_DRUGS

NOT_ANSWERED = "Not answered"


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def format_answer(q: Question, value) -> str:
    if q.type == "consent":
        return "Yes, I agree" if value is True else NOT_ANSWERED
    if is_empty(value):
        return NOT_ANSWERED
    if q.type == "multi":
        return ", ".join(q.choice_label(v) for v in value)
    if q.type in ("choice", "yesno", "select"):
        if q.key.startswith("tx_") and value in LEGACY_TREATMENT_LABELS:
            return LEGACY_TREATMENT_LABELS[value]  # an older intake's answer
        return q.choice_label(value)
    if q.type in ("integer", "decimal", "scale"):
        return f"{_number(value)} {q.unit}".strip() + (" / 10" if q.type == "scale" else "")
    if q.type == "repeat":
        return "; ".join(format_row(q, row) for row in value if isinstance(row, dict))
    if q.type == "date":
        return human_date(value)
    if q.type == "month":
        return human_month(value)
    if q.type == "phone":
        return human_phone(value)
    return str(value)


def format_row(q: Question, row: dict) -> str:
    parts = [
        f"{sub.label}: {format_answer(_row_field(sub, row), row.get(sub.key))}"
        for sub in q.fields
        if not is_empty(row.get(sub.key))
    ]
    return ", ".join(parts)


def _row_field(sub: Question, row: dict) -> Question:
    # A patch's strength is a rate in mcg/h, not mg per dose (docs/CLINICAL.md §5).
    if sub.key == "strength" and row.get("drug") in PATCH_DRUGS:
        return replace(sub, unit="mcg/h")
    return sub


@dataclass(frozen=True)
class AnsweredQuestion:
    question: Question
    text: str
    rows: tuple[str, ...] = ()  # for repeatable lists, one line per row


@dataclass(frozen=True)
class AnsweredSection:
    section: Section
    items: tuple[AnsweredQuestion, ...]


def answered_sections(
    answers: dict,
    keys: tuple[str, ...] | None = None,
    *,
    derived: bool = True,
    seen: dict | None = None,
) -> list[AnsweredSection]:
    """Every visible question with its answer, by section (only `keys` sections if given);
    with `derived`, also the answers worked out rather than asked (for staff). `seen`: which
    questions these same answers show, as far as worked out already (Question.is_shown),
    filled in as they are worked out here."""
    out = []
    for section in SECTIONS:
        if keys is not None and section.key not in keys:
            continue
        items = []
        for q in section.visible_questions(answers, seen):
            value = answers.get(q.key)
            rows = ()
            if q.type == "repeat" and isinstance(value, list):
                rows = tuple(format_row(q, r) for r in value if isinstance(r, dict))
            items.append(AnsweredQuestion(q, format_answer(q, value), rows))
        for q in section.derived if derived else ():  # ORT-OUD age; old yes/no answers
            if shown_to_staff(q.key, answers) and q.is_shown(answers, seen):
                items.append(AnsweredQuestion(q, format_answer(q, answers.get(q.key)), ()))
        out.append(AnsweredSection(section, tuple(items)))
    return out


# ------------------------------------------------------------------------------ scores

# Instruments that are a yes/no reading of criteria: their 0/1 "value" is not a score a
# person reads ("1 / 1"), so the row shows only the band ("criteria met").
CRITERIA_ONLY = frozenset({"FM_ACR2016"})
# Instruments asked only behind a gate: when the gate is closed the patient was never asked,
# which is "not applicable", not "incomplete" (Budapest only for a CRPS diagnosis).
GATED_BY = {"BUDAPEST": "crps_disproportionate_pain"}
NOT_APPLICABLE = "not applicable"


@dataclass(frozen=True)
class ScoreRow:
    """One line of the review page's score table, worded for people."""

    label: str
    value: str  # "12 / 27"; "" when there is no number to show
    note: str  # "incomplete", "not applicable", or ""
    band: str
    badge: bool  # show a "positive" badge next to the band
    detail: str


# The gates above are questions asked in a section (not derived, not inside a list).
_ASKED = {q.key: q for s in SECTIONS for q in s.questions}


def _asked(key: str, answers: dict) -> bool:
    """Whether these answers show the question `key` asked in a section (only that question
    worked out, not every one)."""
    question = _ASKED.get(key)
    return question is not None and question.is_shown(answers)


def score_rows(scores: dict, answers: dict) -> list[ScoreRow]:
    """The score table's rows, in score_all's order, from the scores of these answers."""
    rows = []
    for code, score in scores.items():
        gate = GATED_BY.get(code)
        if gate is not None and not _asked(gate, answers):
            rows.append(ScoreRow(score.label, "", NOT_APPLICABLE, "", False, ""))
            continue
        if not score.complete:
            rows.append(ScoreRow(score.label, "", "incomplete", "", False, score.detail))
            continue
        value = (
            "" if code in CRITERIA_ONLY else f"{_number(score.value)} / {_number(score.max_value)}"
        )
        # A band that already says "positive" needs no badge saying it again.
        badge = score.positive and "positive" not in score.band
        rows.append(ScoreRow(score.label, value, "", score.band, badge, score.detail))
    return rows
