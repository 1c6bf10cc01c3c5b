"""Shapes that recur across sections, so the section modules read as content."""

from __future__ import annotations

from collections.abc import Iterable

from .schema import Choice, Question, ShowIf

YES_NO = (Choice("yes", "Yes"), Choice("no", "No"))
YES_NO_SCORED = (Choice("yes", "Yes", 1), Choice("no", "No", 0))
YES_NO_REVERSED = (Choice("yes", "Yes", 0), Choice("no", "No", 1))

# PHQ-9 and GAD-7 response options (Kroenke 2001; Spitzer 2006).
FREQUENCY_0_3 = (
    Choice("0", "Not at all", 0),
    Choice("1", "Several days", 1),
    Choice("2", "More than half the days", 2),
    Choice("3", "Nearly every day", 3),
)


def choices(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    """Unscored choices from (value, label) pairs."""
    return tuple(Choice(value, label) for value, label in pairs)


def scored_choices(labels: Iterable[str]) -> tuple[Choice, ...]:
    """Choices "0", "1", … worth 0, 1, … points, in the order given."""
    return tuple(Choice(str(points), label, points) for points, label in enumerate(labels))


def yesno(key: str, label: str, choices: tuple[Choice, ...] = YES_NO, **kwargs) -> Question:
    return Question(key, label, "yesno", choices, **kwargs)


def if_yes(key: str) -> ShowIf:
    return ShowIf(key, "eq", "yes")


def scale_0_10(key: str, label: str, help_text: str, **kwargs) -> Question:
    """A 0–10 rating; help_text says what the two ends mean."""
    return Question(key, label, "scale", min_value=0, max_value=10, help_text=help_text, **kwargs)


def item_group(
    instrument: str,
    prefix: str,
    labels: Iterable[str],
    type: str,
    choices: tuple[Choice, ...],
    *,
    overrides: dict[int, dict] | None = None,
    **shared,
) -> tuple[Question, ...]:
    """The numbered items prefix_1, prefix_2, … of one instrument, sharing type, choices
    and any other field in shared; overrides changes single items by their number."""
    overrides = overrides or {}
    fields = {"type": type, "choices": choices, "instrument": instrument, **shared}
    return tuple(
        Question(f"{prefix}_{n}", label, **{**fields, **overrides.get(n, {})})
        for n, label in enumerate(labels, start=1)
    )
