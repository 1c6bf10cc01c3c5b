"""django.shortcuts.render for a large page (the calendar week): the same response, the
same bytes, with less work after the drawing.

- A RequestContext refers to itself (each ContextDict it holds holds it back), so all a
  page drew from, its values and its template tags' state, was left for the garbage
  collector: a week page's thousand-odd objects, swept in the next request's time
  (~0.25 ms a request on the bench). Emptied once drawn, the context goes, and all it
  held, when the last reference does.
- The HTML is encoded with clinic.core.html.utf8.
"""

from django.http import HttpResponse
from django.template import loader
from django.template.context import make_context

from .html import utf8


def render_large(request, template_name: str, context: dict) -> HttpResponse:
    template = loader.get_template(template_name)  # the backend's, as render() finds it
    made = make_context(context, request, autoescape=template.backend.engine.autoescape)
    try:
        html = template.template.render(made)
    finally:
        made.dicts.clear()
        made.render_context.dicts.clear()
    return HttpResponse(utf8(html))
