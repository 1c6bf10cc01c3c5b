"""Helpers for intake tests: answers dicts as the POST data a browser would send."""

from django.urls import reverse

from intake.questionnaire import SECTION_BY_KEY, Question


def _field_values(question: Question, value) -> list[str] | str | None:
    """One answer as the browser posts it; None means the browser sends nothing."""
    if value is None:
        return None
    if question.type == "consent":
        return "on" if value else None
    if question.type == "multi":
        return [str(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def repeat_post_data(question: Question, rows: list[dict], initial: int = 0) -> dict:
    """A formset for a repeat question: management form plus `<key>-<i>-<field>` per row."""
    data = {
        f"{question.key}-TOTAL_FORMS": str(len(rows)),
        f"{question.key}-INITIAL_FORMS": str(initial),
        f"{question.key}-MIN_NUM_FORMS": "0",
        f"{question.key}-MAX_NUM_FORMS": str(question.max_rows),
    }
    fields = {f.key: f for f in question.fields}
    for i, row in enumerate(rows):
        for key, value in row.items():
            posted = _field_values(fields[key], value)
            if posted is not None:
                data[f"{question.key}-{i}-{key}"] = posted
    return data


def post_data(section_key: str, answers: dict, action: str = "next") -> dict:
    """POST data for one step from an answers dict (only this step's questions are used).

    Repeat questions always get a management form (with no rows if unanswered), as the
    rendered page always includes one.
    """
    section = SECTION_BY_KEY[section_key]
    data: dict = {"action": action} if action else {}
    for question in section.questions:
        value = answers.get(question.key)
        if question.type == "repeat":
            data.update(repeat_post_data(question, value or []))
            continue
        posted = _field_values(question, value)
        if posted is not None:
            data[question.key] = posted
    return data


def step_url(key: str) -> str:
    return reverse("intake:step", args=[key])


def autosave_url(key: str) -> str:
    return reverse("intake:autosave", args=[key])
