"""Pure: how long the intake is for one patient's answers: questions shown, inputs, minutes.

What counts as a question: one prompt the patient reads and answers on a step, i.e. one
question shown, or one fieldset (consecutive questions sharing a `group` legend, such as a
home address) counted once. Inputs are counted too: every field shown, plus each field of
each repeat row (one opioid row is seven inputs).

Reading pace model (phone, tired patient in pain), in seconds:
- Reading: 150 words a minute, for every question label, help text, choice label and
  fieldset legend shown. Adults read about 240 words a minute on paper (Brysbaert 2019);
  a small screen, pain and fatigue slow that down, so the estimate takes 150.
- Answering, per input: a tap (yes/no, choice, 0–10 scale, tick box) 2 s; each further
  tick in a checklist 2 s; a drop-down 5 s; a short typed answer (name, number, phone) 8 s;
  a date or month 10 s; a free-text box 40 s; a repeat row 10 s to add plus its fields.
  Optional questions left blank cost only their reading; an answer known before the
  patient starts (prefilled from the account) costs only its reading.
- Each step: 15 s to load, scroll and press "Save and continue".
For a step not reached yet, answers are unknown: every required question shown is costed
as answered (the estimate errs long, never short).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from .questionnaire import SECTIONS, Question, Section, is_answered

WORDS_PER_MINUTE = 150
STEP_SECONDS = 15
TAP, EXTRA_TICK, DROPDOWN, TYPED, DATE, FREE_TEXT, ADD_ROW = 2, 2, 5, 8, 10, 40, 10
ANSWER_SECONDS = {
    "yesno": TAP,
    "choice": TAP,
    "scale": TAP,
    "consent": TAP,
    "multi": TAP,
    "select": DROPDOWN,
    "text": TYPED,
    "email": TYPED,
    "phone": TYPED,
    "integer": TYPED,
    "decimal": TYPED,
    "date": DATE,
    "month": DATE,
    "textarea": FREE_TEXT,
}


@dataclass(frozen=True)
class Length:
    questions: int
    inputs: int
    seconds: float

    @property
    def minutes(self) -> int:
        return math.ceil(self.seconds / 60)


def _words(text: str) -> int:
    return len(text.split())


def blocks(section: Section, answers: dict, seen: dict | None = None) -> list[tuple[Question, ...]]:
    """The questions of a section shown for these answers, fieldsets as one block each."""
    out: list[list[Question]] = []
    for q in section.visible_questions(answers, seen):
        if q.group and out and out[-1][0].group == q.group:
            out[-1].append(q)
        else:
            out.append([q])
    return [tuple(block) for block in out]


@cache
def _reading_words(q: Question) -> int:
    """The words a question shows (the questionnaire's own: counted once a process)."""
    words = _words(q.label) + _words(q.help_text)
    if q.type != "select":  # a drop-down's options are not all read
        words += sum(_words(c.label) for c in q.choices)
    return words


def _question_seconds(q: Question, answers: dict, prefilled: frozenset[str], known: bool) -> float:
    seconds = _reading_words(q) * 60 / WORDS_PER_MINUTE
    value = answers.get(q.key)
    answered = is_answered(q, value) if known else q.required
    if not answered or q.key in prefilled:
        return seconds
    if q.type == "repeat":
        rows = value if known and isinstance(value, list) else [{}]
        for row in rows:
            seconds += ADD_ROW
            for field in q.fields:
                if not known or field.required or not is_answered(field, row.get(field.key)):
                    seconds += _words(field.label) * 60 / WORDS_PER_MINUTE
                if field.required or (known and is_answered(field, row.get(field.key))):
                    seconds += ANSWER_SECONDS.get(field.type, TAP)
        return seconds
    seconds += ANSWER_SECONDS.get(q.type, TAP)
    if q.type == "multi" and known and isinstance(value, list):
        seconds += EXTRA_TICK * max(len(value) - 1, 0)
    return seconds


@cache
def _unknown_seconds(section: Section) -> dict[str, tuple[float, float]]:
    """_question_seconds of each of the section's questions on a step not reached yet (not
    prefilled, prefilled): the answers play no part, so they are worked out once a process."""
    return {
        q.key: (
            _question_seconds(q, {}, frozenset(), known=False),
            _question_seconds(q, {}, frozenset({q.key}), known=False),
        )
        for q in section.questions
    }


def _inputs(q: Question, answers: dict) -> int:
    if q.type != "repeat":
        return 1
    rows = answers.get(q.key)
    return len(q.fields) * max(len(rows) if isinstance(rows, list) else 0, 1)


def measure(
    answers: dict,
    *,
    sections: Iterable[Section] = SECTIONS,
    prefilled: Iterable[str] = (),
    unknown: Iterable[str] = (),
) -> Length:
    """Questions shown, inputs and estimated seconds for these answers. Sections in
    `unknown` are costed as not yet answered (see the module docstring)."""
    prefilled, unknown = frozenset(prefilled), frozenset(unknown)
    questions = inputs = 0
    seconds = 0.0
    seen: dict[str, bool] = {}  # which questions show, each worked out once
    for section in sections:
        known = section.key not in unknown
        costs = None if known else _unknown_seconds(section)
        seconds += STEP_SECONDS + _words(section.intro) * 60 / WORDS_PER_MINUTE
        for block in blocks(section, answers, seen):
            questions += 1
            if len(block) > 1:
                seconds += _words(block[0].group) * 60 / WORDS_PER_MINUTE
            for q in block:
                inputs += _inputs(q, answers)
                if costs is None:
                    seconds += _question_seconds(q, answers, prefilled, known)
                else:
                    seconds += costs[q.key][q.key in prefilled]
    return Length(questions, inputs, seconds)


def minutes_left(answers: dict, *, from_key: str, sections: Iterable[Section] = SECTIONS) -> int:
    """About how many minutes the steps from `from_key` on take, costing each of them as
    not yet answered (the answers so far still decide which questions show)."""
    sections = tuple(sections)
    keys = [s.key for s in sections]
    if from_key not in keys:
        return 0
    rest = sections[keys.index(from_key) :]
    length = measure(answers, sections=rest, unknown={s.key for s in rest})
    return length.minutes
