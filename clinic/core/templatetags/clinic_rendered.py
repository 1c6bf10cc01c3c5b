"""Crispy fields and forms kept per process when they show nothing typed (see
clinic.core.rendered): `{{ field|cached_crispy_field }}`, `{{ form|cached_crispy }}`,
`{% cached_field_template field "a/template.html" %}`."""

from django import template

from clinic.core import rendered

register = template.Library()


@register.filter
def cached_crispy_field(bound):
    return rendered.crispy_field(bound)


@register.filter
def cached_crispy(form):
    return rendered.crispy_form(form)


@register.simple_tag
def cached_field_template(bound, template_name):
    """`{% include template_name with field=bound %}` for a template that reads only
    `field`, from the cache when the field shows nothing typed."""
    return rendered.field_template(bound, template_name)
