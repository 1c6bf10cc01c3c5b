"""Template filters for the patient's intake pages."""

from django import template

from intake.medications import reading_text

register = template.Library()


@register.filter
def medicine_reading(value) -> str:
    """ "We read this as Klonopin (clonazepam)…" for a typed medicine name, else ""."""
    return reading_text(value)
