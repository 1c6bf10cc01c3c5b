"""Crispy fields and forms kept per process when they show nothing typed (see
clinic.core.rendered): `{{ field|cached_crispy_field }}`, `{{ form|cached_crispy }}`."""

from django import template

from clinic.core import rendered

register = template.Library()


@register.filter
def cached_crispy_field(bound):
    return rendered.crispy_field(bound)


@register.filter
def cached_crispy(form):
    return rendered.crispy_form(form)
