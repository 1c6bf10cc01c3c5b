"""Template filters for the patient's intake pages."""

import functools

from django import template

from intake.medications import reading_text

register = template.Library()


@register.filter
def medicine_reading(value) -> str:
    """ "We read this as Klonopin (clonazepam)…" for a typed medicine name, else ""."""
    return reading_text(value)


@register.simple_tag
def body_map(field) -> dict:
    """The pain step's body map for this bound checkbox field: each group's checkboxes (the
    real controls, with the ids Django gives them) and the drawing's shapes per view."""
    from intake import bodymap

    boxes = {box.data["value"]: box for box in field}
    chosen = {str(v) for v in (field.value() or [])}
    groups = [
        (title, [boxes[a.code] for a in areas if a.code in boxes])
        for title, areas in bodymap.grouped()
    ]
    views = [
        (name, title, [(s, bodymap.AREA_BY_CODE[s.code].label) for s in bodymap.shapes(name)])
        for name, title in (("front", "Front"), ("back", "Back"))
    ]
    return {
        "groups": groups,
        "views": views,
        "chosen": chosen,
        "width": bodymap.WIDTH,
        "height": bodymap.HEIGHT,
    }


@register.simple_tag
def intake_minutes() -> int:
    """The whole intake's estimate, as its first step's "about N minutes left" says it
    (`intake.length`, every required question costed as answered)."""
    return _whole_intake_minutes()


@functools.cache
def _whole_intake_minutes() -> int:
    from intake import length
    from intake.questionnaire import SECTIONS

    return length.minutes_left({}, from_key=SECTIONS[0].key)


@register.simple_tag(takes_context=True)
def step_questions(context):
    """The step form's questions (intake.step_page), from the step page's context."""
    from intake import step_page

    return step_page.questions(
        context["form"],
        step_key=context["step"].key,
        crisis=context.get("crisis", False),
        opioid_total=context.get("opioid_total"),
    )


@register.simple_tag(takes_context=True)
def steps_nav(context):
    """The list of steps beside a step or the review page (intake.step_page)."""
    from intake import step_page

    return step_page.steps_nav(
        steps=context["steps"],
        current=context["step"].key,
        visited=context["intake"].visited_steps,
        complete=context["complete"],
    )
