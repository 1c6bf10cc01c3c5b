"""Template tags for the review page's decision includes (staff/_reopen.html, _changes.html),
so the page itself needs one include line each and no new view context."""

from django import template

from .. import decisions

register = template.Library()


@register.simple_tag(takes_context=True)
def reopen_panel(context, intake):
    return decisions.reopen_panel(intake, context["request"].user)


@register.simple_tag(takes_context=True)
def resubmission(context, intake):
    return decisions.resubmission(intake, context["request"].user)
