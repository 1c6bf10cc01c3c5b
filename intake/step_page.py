"""The intake step page's questions and its list of steps, written as HTML here.

The template loops that drew them (a wrapper per question, a fieldset per group, a list
item per step, each with its conditions) cost more than the fields themselves once those
come from the per-process cache (clinic.core.rendered). The markup is the templates' own;
every value from outside this module goes through `e`, and the fields, the body map,
repeatable lists and notes are drawn as before (crispy, or their own templates).
"""

import functools

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from clinic.core import rendered
from clinic.core.html import e

# Questions whose wrapper takes the "id_<key>" id: they have no element of that id (a radio,
# checkbox or repeat group), so the review page's "#id_<key>" links land on the question.
_WRAPPER_ID_TYPES = frozenset({"choice", "yesno", "scale", "multi", "repeat"})
_BODY_MAP = "pain_regions"


@functools.cache
def _crisis_box() -> str:
    return render_to_string("intake/_crisis_box.html")


def _question(q, target, shown, cond, note, *, step_key, crisis, opioid_total) -> str:
    """One question's wrapper with its field, its conflict note and what goes after it."""
    if q.type == "repeat":
        inner = render_to_string("intake/_repeat.html", {"q": q, "formset": target})
    elif q.key == _BODY_MAP:
        inner = rendered.field_template(target, "intake/_body_map.html")
    else:
        inner = rendered.crispy_field(target)
    if note:
        inner += render_to_string("intake/_conflict.html", {"q": q, "note": note})
    key = e(q.key)
    attrs = f' id="id_{key}" tabindex="-1"' if q.type in _WRAPPER_ID_TYPES else ""
    if cond:
        attrs += f' data-show-if="{e(cond)}"'
    if not shown:
        attrs += " hidden"
    html = f'<div class="q q-{e(q.type)}" data-key="{key}"{attrs}>{inner}</div>'
    if q.key == "phq9_9":
        # Beside item 9: filled at once (intake.js) when it is answered above 0, and announced.
        box = _crisis_box()
        html += (
            f'<div id="crisis-now" aria-live="assertive">{box if crisis else ""}</div>'
            f'<template id="crisis-template">{box}</template>'
        )
    if q.key == "opioids":
        url = e(reverse("intake:opioid_total", args=[step_key]))
        total = (
            render_to_string("intake/_opioid_total.html", {"total": opioid_total})
            if opioid_total
            else ""
        )
        hidden = "" if shown else " hidden"
        html += (
            f'<div id="mme-live" class="alert alert-info" aria-live="polite" '
            f'data-url="{url}"{hidden}>{total}</div>'
        )
    return html


def questions(form, *, step_key: str, crisis: bool = False, opioid_total=None) -> SafeString:
    """The step's questions in order: a group's questions share a fieldset under its legend,
    which hides when all of them do."""
    parts = []
    for legend, rows, any_shown in form.question_blocks():
        if legend:
            hidden = "" if any_shown else " hidden"
            parts.append(
                f'<fieldset class="q-group mb-3"{hidden}>'
                f'<legend class="h6 fw-semibold">{e(legend)}</legend>'
            )
        for row in rows:
            parts.append(
                _question(*row, step_key=step_key, crisis=crisis, opioid_total=opioid_total)
            )
        if legend:
            parts.append("</fieldset>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def steps_nav(*, steps, current: str, visited, complete) -> SafeString:
    """The list of steps beside the form: the current one marked, visited ones linked, a
    tick on each one done."""
    step_url = reverse("intake:step", args=["__key__"])
    items = []
    for s in steps:
        here = s.key == current
        title = e(s.title)
        if here:
            name = title
        elif s.key in visited:
            url = step_url.replace("__key__", s.key) if s.section else reverse("intake:review")
            name = f'<a href="{e(url)}" class="link-body-emphasis">{title}</a>'
        else:
            name = f'<span class="text-body-secondary">{title}</span>'
        done = ""
        if s.key in complete:
            colour = "" if here else " text-success"
            done = (
                f'<i class="bi bi-check-circle-fill{colour}" aria-hidden="true"></i>'
                '<span class="visually-hidden">(done)</span>'
            )
        active = ' active" aria-current="step"' if here else '"'
        items.append(
            '<li class="list-group-item d-flex justify-content-between align-items-start'
            f'{active}><span class="ms-2 me-auto">{name}</span>{done}</li>'
        )
    return mark_safe(  # noqa: S308 - every value above is escaped
        '<nav aria-label="Intake steps" class="mb-4">'
        f'<ol class="list-group list-group-numbered step-list">{"".join(items)}</ol></nav>'
    )
