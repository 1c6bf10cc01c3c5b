"""Crispy-rendered fields and forms, kept per process when nothing typed is in them.

Crispy's bootstrap5 templates cost one to four milliseconds a field (a radio scale of
eleven options is the dearest): the intake step's eighteen questions cost more than the
rest of the page, and the review page's five action forms likewise (issue 15). The HTML of
a field is a function of its definition, its name and id, the value it shows (which
options are ticked) and its errors, so it is kept under a key holding all of those.

Only values picked from the field's own choices (or no value at all) are ever kept: what a
patient typed, or a clinician's note, is never held in memory beyond the request. A text
field holding typed text is kept with a hole where the text goes and the text is put in
on the way out, escaped as the widget escapes it. The caches are bounded (least recently
used goes first).
"""

import copy
from collections import OrderedDict

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms
from django.forms.widgets import ChoiceWidget
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

_MAX = 2048
_FIELDS: OrderedDict = OrderedDict()
_FORMS: OrderedDict = OrderedDict()


def _remember(cache: OrderedDict, key, render):
    html = cache.get(key)
    if html is None:
        html = cache[key] = render()
        if len(cache) > _MAX:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return html


def _shown_value(bound: forms.BoundField):
    """What the field shows, as a hashable value, when it is only choices (or nothing);
    None when it holds something typed (never kept)."""
    field, widget = bound.field, bound.field.widget
    value = bound.value()
    if isinstance(widget, forms.CheckboxInput):
        return ("checkbox", bool(widget.check_test(value)))
    if isinstance(widget, ChoiceWidget):
        # Read the choices once and render from that list: a model choice field would
        # otherwise query again on a miss only, and the query count would depend on the cache.
        # (Not list(): it asks a model choice iterator its length first, a COUNT query.)
        # Choices that are a list already are kept as they are (set again, they would be
        # normalised again, twice: sixty body areas on the pain step).
        listed = field.choices
        if not isinstance(listed, list):
            listed = [choice for choice in listed]  # noqa: C416
            field.choices = listed
        choices = tuple((str(v), str(label)) for v, label in listed)
        shown = tuple(widget.format_value(value))
        known = {v for v, _label in choices} | {""}
        if not set(shown) <= known:
            return None
        return ("choices", shown, choices)
    if value in (None, "", []):
        return ("empty", repr(value))  # None and "" render differently (value="")
    if not bound.form.is_bound and value == field.initial:
        return ("declared initial",)  # the form's own wording (the refer message), not typed
    return None


def _field_key(bound: forms.BoundField, shown=None):
    shown = _shown_value(bound) if shown is None else shown
    if shown is None:
        return None
    field, widget = bound.field, bound.field.widget
    return (
        type(bound.form),
        bound.html_name,
        bound.auto_id,
        bound.form.is_bound,
        shown,
        tuple(str(e) for e in bound.errors),
        str(field.label),
        str(field.help_text),
        field.required,
        field.disabled,
        type(widget),
        tuple(sorted((k, str(v)) for k, v in widget.attrs.items())),
    )


# Widgets that show their value in exactly one place, as `{{ widget.value }}`.
_TYPED_IN = (forms.TextInput, forms.EmailInput, forms.NumberInput, forms.DateInput, forms.Textarea)
_HOLE = "\u2063typed\u2063"  # stands for the value in a kept field; escaping leaves it be


def _with_hole(bound: forms.BoundField) -> forms.BoundField:
    """The same field, showing _HOLE instead of its value."""
    probe = copy.copy(bound)
    probe.__class__ = type("HoleBoundField", (type(bound),), {"value": lambda self: _HOLE})
    probe.field = copy.deepcopy(bound.field)  # crispy adds classes to the widget it draws
    return probe


def crispy_field(bound: forms.BoundField) -> str:
    """`bound|as_crispy_field`, from the cache when it shows nothing typed. A text field
    holding typed text is kept with a hole where the text goes (drawn once with _HOLE for
    its value) and the text, escaped as the widget escapes it, is put in the hole: the
    text itself is never kept."""
    key = _field_key(bound)
    if key is not None:
        return _remember(_FIELDS, key, lambda: as_crispy_field(bound))
    if type(bound.field.widget) not in _TYPED_IN or bound.value() in (None, ""):
        return as_crispy_field(bound)
    key = _field_key(bound, shown=("typed",))
    html = _FIELDS.get(key)
    if html is None:
        html = as_crispy_field(_with_hole(bound))
        if html.count(_HOLE) != 1:  # the value shows elsewhere too: never kept
            return as_crispy_field(bound)
        _remember(_FIELDS, key, lambda: html)
    typed = bound.field.widget.format_value(bound.value())
    return mark_safe(html.replace(_HOLE, conditional_escape(typed)))  # noqa: S308


def field_template(bound: forms.BoundField, template_name: str) -> str:
    """A template drawing one field (given to it as `field`, and nothing else), from the
    cache when the field shows nothing typed: the pain step's body map, 60 areas with a
    checkbox and a shape each, cost more than all the step's other questions."""
    key = _field_key(bound)
    if key is None:
        return render_to_string(template_name, {"field": bound})
    return _remember(
        _FIELDS, (template_name, key), lambda: render_to_string(template_name, {"field": bound})
    )


def crispy_form(form: forms.Form) -> str:
    """`form|crispy` for an unbound form (the empty action forms on the review page), from
    the cache; a bound form (typed text, errors) is rendered afresh."""
    if form.is_bound or getattr(form, "helper", None) is not None:
        return as_crispy_form(form)
    keys = []
    for bound in form:
        key = _field_key(bound)
        if key is None:
            return as_crispy_form(form)
        keys.append(key)
    return _remember(_FORMS, (type(form), form.prefix, tuple(keys)), lambda: as_crispy_form(form))
