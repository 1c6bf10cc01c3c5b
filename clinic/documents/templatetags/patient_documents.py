"""The care step's uploads panel, so the step page needs one include line and no view code."""

from django import template

from clinic.documents.patient_views import rows

register = template.Library()


@register.simple_tag(takes_context=True)
def my_documents(context) -> list[dict]:
    return rows(context["request"].user)
