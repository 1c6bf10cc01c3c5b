"""The review page's long lists, drawn by intake.review_html:
`{{ sections|answer_sections }}`, `{% flag_items flags intake may_clear=reviewer %}`,
`{{ scores|score_rows }}`, `{{ mme.lines|mme_rows }}`, `{{ events|history_items }}`,
`{{ viewers|viewer_items }}`; and its links, `{% review_url 'staff:intake' intake.pk %}`."""

from functools import lru_cache

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.urls import get_script_prefix, reverse

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
        clear_url=lambda flag: url("staff:clear_flag", intake.pk, flag.pk),
        csrf_input=CsrfTokenNode().render(context) if may_clear else "",
        may_clear=bool(may_clear),
    )


# Stand-ins for the ids in a URL reversed once; no real route holds these numbers otherwise.
_IDS = (2_147_483_647, 2_147_483_646)


@lru_cache(maxsize=64)
def _url_shape(name: str, shape: tuple, prefix: str) -> tuple[str, ...]:
    """The text of the route's URL around its ids (`shape`: its arguments, None for each
    id): one reverse() a process (and script prefix) instead of one a link."""
    ids = iter(_IDS)
    text = reverse(name, args=[next(ids) if arg is None else arg for arg in shape])
    parts = []
    for stand_in in _IDS[: shape.count(None)]:
        before, text = text.split(str(stand_in))
        parts.append(before)
    return (*parts, text)


def url(name: str, *args) -> str:
    """reverse(name, args=args): the int arguments are ids, put into the route's URL shape;
    the others are part of the shape (an action's name)."""
    shape = tuple(None if isinstance(arg, int) else arg for arg in args)
    parts = _url_shape(name, shape, get_script_prefix())
    ids = [str(arg) for arg in args if isinstance(arg, int)]
    return "".join(part + pk for part, pk in zip(parts, [*ids, ""], strict=True))


@register.simple_tag
def review_url(name, *args):
    """`{% url name args %}` (escaped the same way), each route reversed once a process."""
    return url(name, *args)
