"""The questionnaire's building blocks and its rules: question types, show-if conditions,
which questions a patient sees and which required answers are still missing.

Content lives in the section modules next to this one; nothing here names a question.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

TYPES = (
    "text",
    "textarea",
    "email",
    "phone",
    "date",
    "month",
    "integer",
    "decimal",
    "choice",
    "select",
    "multi",
    "yesno",
    "scale",
    "consent",
    "repeat",
)
# Characters an answer may have when its question sets no max_length. Numbers, dates and
# choices are short: anything longer is wrong already, and a draft keeps no more of it.
MAX_CHARS = {"text": 300, "textarea": 4000, "email": 254, "phone": 40}
MAX_CHARS_OTHER = 100
SHOW_IF_OPS = ("eq", "ne", "in", "contains", "any", "gt", "truthy")

# Every question of the questionnaire by key, filled once when the Questionnaire is built.
# Question.is_shown looks a condition's gate up here: a question carries only the key of
# the question it depends on, and that gate may itself be hidden.
_GATES: dict[str, Question] = {}


def is_empty(value: object) -> bool:
    """True for the answers that count as "not answered": None, blank text, empty list."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple) and not value


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    score: int | None = None  # points for instrument items


@dataclass(frozen=True)
class ShowIf:
    key: str
    op: str
    value: object = None

    def __post_init__(self):
        if self.op not in SHOW_IF_OPS:
            raise ValueError(f"unknown ShowIf op {self.op!r}")

    def test(self, answers: dict) -> bool:
        """Does the condition hold? A missing answer fails every op except "ne"."""
        answer = answers.get(self.key)
        if is_empty(answer):
            return self.op == "ne"
        if self.op == "eq":
            return answer == self.value
        if self.op == "ne":
            return answer != self.value
        if self.op == "in":
            return answer in self.value
        if self.op == "gt":
            try:
                return float(answer) > float(self.value)
            except (TypeError, ValueError):
                return False
        if self.op == "truthy":
            return bool(answer)
        if not isinstance(answer, list | tuple):
            return False
        if self.op == "contains":
            return self.value in answer
        return any(v in answer for v in self.value)  # "any"


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    type: str
    choices: tuple[Choice, ...] = ()
    required: bool = True
    help_text: str = ""
    show_if: ShowIf | tuple[ShowIf, ...] | None = None  # a tuple means all must hold
    min_value: float | None = None
    max_value: float | None = None
    unit: str = ""
    max_length: int | None = None
    fields: tuple[Question, ...] = ()  # only for type "repeat"
    max_rows: int = 20
    instrument: str = ""
    autocomplete: str = ""
    example: str = ""
    # Consecutive questions with the same group are drawn as one fieldset under this legend
    # and read by the patient as one question (an address, a height and weight).
    group: str = ""

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"{self.key}: unknown question type {self.type!r}")

    def __hash__(self) -> int:
        # Questions and sections key per-process caches (a repeat's row form, a section's
        # form class) looked up on every request: hashing every label, choice and row field
        # under them each time cost more than the look-up saves. Equal ones still hash alike.
        return hash((self.key, self.type))

    @property
    def max_chars(self) -> int:
        """How many characters the answer may have: max_length, else its type's limit."""
        return self.max_length or MAX_CHARS.get(self.type, MAX_CHARS_OTHER)

    @property
    def conditions(self) -> tuple[ShowIf, ...]:
        if self.show_if is None:
            return ()
        return self.show_if if isinstance(self.show_if, tuple) else (self.show_if,)

    def is_shown(self, answers: dict, seen: dict[str, bool] | None = None) -> bool:
        """Shown when every condition holds. A condition on a question that is itself
        hidden sees no answer, so a stale answer behind a changed gate cannot show it.

        `seen` (question key -> shown, for these same answers) spares working a gate out
        again for each question behind it, when many questions are asked about at once.
        """
        if self.show_if is None:
            return True
        if seen is not None and (known := seen.get(self.key)) is not None:
            return known
        shown = True
        for condition in self.conditions:
            gate = _GATES.get(condition.key)
            if gate is not None and not gate.is_shown(answers, seen):
                if not condition.test({}):
                    shown = False
                    break
            elif not condition.test(answers):
                shown = False
                break
        if seen is not None:
            seen[self.key] = shown
        return shown

    def choice_label(self, value: str) -> str:
        """The label shown for a stored choice value (the value itself if unknown)."""
        try:
            return self._labels.get(value, value)
        except TypeError:  # a value that is no choice's (a list stored by mistake)
            return value

    @cached_property
    def _labels(self) -> dict:
        # Looked up, not searched: the review page shows answers from lists of hundreds.
        labels: dict = {}
        for choice in self.choices:
            labels.setdefault(choice.value, choice.label)  # the first, as a search finds
        return labels


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str = ""
    questions: tuple[Question, ...] = ()
    # Not asked: their answers are derived from other answers (derived.py) or kept from
    # drafts and intakes made before a checklist replaced them. Shown to staff and scored.
    derived: tuple[Question, ...] = ()

    def __hash__(self) -> int:
        return hash(self.key)  # see Question.__hash__

    def visible_questions(self, answers: dict, seen: dict | None = None) -> list[Question]:
        return [q for q in self.questions if q.is_shown(answers, seen)]


def is_answered(question: Question, value: object) -> bool:
    """Has the patient given an answer that satisfies a required question?"""
    if question.type == "consent":
        return value is True
    if question.type == "repeat":
        # At least one row with something in it.
        return isinstance(value, list) and any(
            isinstance(row, dict) and not all(is_empty(v) for v in row.values()) for row in value
        )
    return not is_empty(value)


class Questionnaire:
    """The sections in form order, under the version stored with each intake."""

    def __init__(self, version: str, sections: tuple[Section, ...]):
        self.version = version
        self.sections = sections
        self.section_by_key: dict[str, Section] = {s.key: s for s in sections}
        self.question_by_key: dict[str, Question] = {
            q.key: q for s in sections for q in (*s.questions, *s.derived)
        }
        _GATES.clear()
        _GATES.update(self.question_by_key)

    def iter_questions(self) -> Iterator[Question]:
        """Every top-level question, in form order."""
        for section in self.sections:
            yield from section.questions

    def missing_answers(self, answers: dict) -> list[tuple[Section, Question]]:
        """Required questions the patient can see but has not answered, in form order."""
        return [
            (section, question)
            for section in self.sections
            for question in section.visible_questions(answers)
            if question.required and not is_answered(question, answers.get(question.key))
        ]

    def visible_answers(self, answers: dict, seen: dict | None = None) -> dict:
        """The answers to questions currently shown; drops answers left behind a changed
        gate (e.g. PC-PTSD-5 items after the exposure answer became "no"). Derived answers
        follow their own show-if (that of the answer they come from). `seen`: as for
        Question.is_shown, for these same answers."""
        shown = {q.key for s in self.sections for q in s.visible_questions(answers, seen)}
        shown |= {q.key for s in self.sections for q in s.derived if q.is_shown(answers, seen)}
        return {key: value for key, value in answers.items() if key in shown}
