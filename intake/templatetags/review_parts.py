"""The review page's long lists, drawn by intake.review_html:
`{{ sections|answer_sections }}`, `{% flag_items flags intake may_clear=reviewer %}`,
`{{ scores|score_rows }}`, `{{ mme.lines|mme_rows }}`, `{{ events|history_items }}`,
`{{ viewers|viewer_items }}`."""

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse

from .. import review_html

register = template.Library()

register.filter("answer_sections", review_html.answers)
register.filter("score_rows", review_html.scores)
register.filter("mme_rows", review_html.mme_lines)
register.filter("history_items", review_html.history)
register.filter("viewer_items", review_html.viewers)


@register.simple_tag(takes_context=True)
def flag_items(context, flags, intake, *, may_clear: bool):
    """The flags; a stop flag not yet cleared has its clearing form if `may_clear` (a
    reviewer)."""
    return review_html.flags(
        flags,
        clear_url=lambda flag: reverse("staff:clear_flag", args=[intake.pk, flag.pk]),
        csrf_input=CsrfTokenNode().render(context) if may_clear else "",
        may_clear=bool(may_clear),
    )
