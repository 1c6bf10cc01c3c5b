"""Pure: the ordered steps of the intake, which apply, which are complete, where to go next."""

from dataclasses import dataclass

from .questionnaire import SECTIONS, Section, is_answered

REVIEW = "review"


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    number: int
    section: Section | None  # None for the review step


ALL_STEPS: tuple[Step, ...] = tuple(
    Step(s.key, s.title, i + 1, s) for i, s in enumerate(SECTIONS)
) + (Step(REVIEW, "Review and submit", len(SECTIONS) + 1, None),)
STEP_BY_KEY = {step.key: step for step in ALL_STEPS}
TOTAL = len(ALL_STEPS)


def applicable_steps(answers: dict) -> list[Step]:
    """The steps this patient goes through: today every patient goes through all of them."""
    return list(ALL_STEPS)


def missing_in(section: Section, answers: dict) -> list:
    return [
        q
        for q in section.visible_questions(answers)
        if q.required and not is_answered(q, answers.get(q.key))
    ]


def is_complete(step: Step, answers: dict) -> bool:
    return step.section is None or not missing_in(step.section, answers)


def shows_done(step: Step, answers: dict) -> bool:
    """A step earns its tick when nothing required is missing and something was answered:
    an optional step left empty, or the review step, is not "done"."""
    if step.section is None or not is_complete(step, answers):
        return False
    return any(is_answered(q, answers.get(q.key)) for q in step.section.visible_questions(answers))


def next_step(key: str, answers: dict) -> Step:
    steps = applicable_steps(answers)
    keys = [s.key for s in steps]
    index = keys.index(key) if key in keys else -1
    return steps[min(index + 1, len(steps) - 1)]


def previous_step(key: str, answers: dict) -> Step:
    steps = applicable_steps(answers)
    keys = [s.key for s in steps]
    index = keys.index(key) if key in keys else 1
    return steps[max(index - 1, 0)]
