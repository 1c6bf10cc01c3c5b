"""`appointment|staff_actions`: the buttons status.offered() allows for it now, and
`{% appointment_actions appointment %}`, those buttons drawn."""

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from django import template
from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.template.defaulttags import CsrfTokenNode
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from clinic.core.html import e
from consultations import status

register = template.Library()
A = status.Action


@dataclass(frozen=True)
class Button:
    action: str
    label: str
    icon: str
    style: str
    url: str
    post: bool  # one click (check in, completed): a form; the rest link to a confirmation


UNDO_LABELS = {
    status.CHECKED_IN: "Undo check-in",
    status.COMPLETED: "Undo completed",
    status.NO_SHOW: "Undo no-show",
    status.CANCELLED_PATIENT: "Undo cancellation",
    status.CANCELLED_CLINIC: "Undo cancellation",
}


# (label, icon, style, URL name, extra query, one click) of each action's button.
_SHAPES = {
    A.CHECK_IN: ("Check in", "bi-person-check", "btn-outline-primary", "change_status", "", True),
    A.COMPLETE: ("Completed", "bi-check2-circle", "btn-outline-primary", "change_status", "", True),
    A.MOVE: ("Move", "bi-arrow-left-right", "btn-outline-secondary", "move", "", False),
    A.CANCEL: ("Cancel", "bi-x-circle", "btn-outline-danger", "cancel", "", False),
    A.NO_SHOW: (
        "No-show",
        "bi-person-x",
        "btn-outline-secondary",
        "change_status",
        "?action=no_show",
        False,
    ),
    A.UNDO: ("Undo", "bi-arrow-counterclockwise", "btn-outline-secondary", "undo", "", False),
}
_PK = 2_147_483_647  # a stand-in id, reversed once; no real route holds this number otherwise


@lru_cache(maxsize=32)
def _url_shape(name: str, prefix: str) -> tuple[str, str]:
    """The URL of schedule:<name> for an appointment, as the text around its id: one
    reverse() a process (and script prefix) instead of one a button."""
    before, after = reverse(f"schedule:{name}", args=[_PK]).split(str(_PK))
    return before, after


def _url(name: str, pk: int) -> str:
    before, after = _url_shape(name, get_script_prefix())
    return f"{before}{pk}{after}"


def _button(action: A, appointment) -> Button:
    label, icon, style, name, query, post = _SHAPES[action]
    if action == A.UNDO:
        label = UNDO_LABELS.get(appointment.status, "Undo")
    return Button(action, label, icon, style, _url(name, appointment.pk) + query, post)


@register.filter
def staff_actions(appointment) -> list[Button]:
    facts = status.Facts(
        status=appointment.status,
        start=appointment.start,
        end=appointment.end,
        now=timezone.now(),
        zone=settings.CLINIC_TIME_ZONE,
    )
    return [_button(action, appointment) for action in status.offered(facts)]


_CSRF = CsrfTokenNode()


@lru_cache(maxsize=64)
def _shape_html(action: A, label: str, prefix: str) -> tuple:
    """A button's own words, escaped once a process: the URL before the appointment's id
    and after it, the action's value, its classes, icon and label, whether it is a form,
    and what joins `next=` to its URL."""
    _label, icon, style, name, query, post = _SHAPES[action]
    before, after = _url_shape(name, prefix)
    joiner = "&" if "?" in query else "?"
    values = (before, after + query, action, style, icon, label)
    return (*(e(v) for v in values), post, joiner)


class Page:
    """What every button on one page shares: where it comes back to (as given and as a
    quoted query value), the CSRF field and now, worked out once a page, not once a
    button; and each set of buttons' HTML around the appointment's id and label, written
    once a page for each set drawn (most appointments of a week share a handful)."""

    def __init__(self, context, next: str = ""):  # noqa: A002 (the query's name)
        request = context.get("request")
        self.context = context
        self.back = next or (request.get_full_path() if request is not None else "")
        self.quoted = e(quote(self.back, safe="/"))
        self._csrf: str | None = None
        self.now = timezone.now()
        self.zone = settings.CLINIC_TIME_ZONE
        self.prefix = get_script_prefix()
        self._shapes: dict[tuple, tuple] = {}
        # Each (status, start, end)'s buttons as _shape's pieces (None: no buttons).
        self._offered: dict[tuple, tuple | None] = {}

    @property
    def csrf(self) -> str:
        if self._csrf is None:
            self._csrf = str(_CSRF.render(self.context))
        return self._csrf

    def actions(self, appointment, label: str = "", said: str | None = None) -> str:
        """The buttons of one appointment (HTML, not yet marked safe). `said`: the label
        already escaped (the calendar week keeps each appointment's buttons itself, for
        its grid and its list alike)."""
        if said is None:
            said = e(
                label
                or f"{appointment.patient}, "
                f"{date_filter(template_localtime(appointment.start), 'M j, g:i A')}"
            )
        return _draw(self, appointment, said)

    def shape(self, actions: tuple, undo_label: str) -> tuple[tuple[str, ...], ...]:
        """The HTML of these buttons in pieces: split where the appointment's label goes,
        and each of those where its id goes (see _draw)."""
        key = (actions, undo_label)
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = _shape(self, actions, undo_label)
        return shape


@register.simple_tag(takes_context=True)
def appointment_actions(context, appointment, label="", next=""):  # noqa: A002 (the query's name)
    """Move / Cancel / No-show / Undo (and check in, completed) for one appointment, as its
    status and the time allow: what _appointment_actions.html draws (see there).

    Drawn here rather than by a template; pages with many appointments (the calendar
    week) make one Page and call its actions() for each."""
    html = Page(context, next).actions(appointment, label)
    return mark_safe(html)  # noqa: S308 - every value in it went through e (escaped) once


_PK_HOLE, _SAID_HOLE = "\ue000", "\ue001"  # private-use characters: no URL or label has them


def _shape(page: Page, actions: tuple, undo_label: str) -> str:
    pk, said = _PK_HOLE, _SAID_HOLE
    to = f"{e(page.back)}#appt-{pk}"
    parts = []
    for action in actions:
        text = undo_label if action == A.UNDO else _SHAPES[action][0]
        before, after, value, style, icon, text, post, joiner = _shape_html(
            action, text, page.prefix
        )
        url = f"{before}{pk}{after}"
        if post:
            parts.append(
                f'\n<form method="post" action="{url}">{page.csrf}\n'
                f'<input type="hidden" name="action" value="{value}">\n'
                f'<input type="hidden" name="next" value="{to}">\n'
                f'<button class="btn btn-sm {style}"><i class="bi {icon}" aria-hidden="true"></i> '
                f'{text}<span class="visually-hidden">: {said}</span></button>\n</form>'
            )
        else:
            parts.append(
                f'\n<a class="btn btn-sm {style}" href="{url}{joiner}next={page.quoted}%23appt-'
                f'{pk}"><i class="bi {icon}" aria-hidden="true"></i> {text}'
                f'<span class="visually-hidden">: {said}</span></a>'
            )
    html = (
        '\n<div class="d-flex flex-wrap gap-1 no-print appointment-actions">'
        f"{''.join(parts)}\n</div>\n"
    )
    return tuple(tuple(part.split(pk)) for part in html.split(said))


def _draw(page: Page, appointment, said: str) -> str:
    # What is offered depends on the status and times alone (now and the zone are the
    # page's): appointments of a week share a few dozen of these between them.
    key = (appointment.status, appointment.start, appointment.end)
    try:
        pieces = page._offered[key]
    except KeyError:
        pieces = page._offered[key] = _pieces(page, appointment)
    if pieces is None:
        return "\n"  # the spacing the partial always had
    # The pieces joined around the id and the label: a few joins of short strings (a
    # %-format of the whole HTML cost twice as much). An id is an int: nothing to escape.
    pk = f"{appointment.pk:d}"
    return said.join([pk.join(part) for part in pieces])


def _pieces(page: Page, appointment) -> tuple | None:
    facts = status.Facts(
        status=appointment.status,
        start=appointment.start,
        end=appointment.end,
        now=page.now,
        zone=page.zone,
    )
    actions = tuple(status.offered(facts))
    if not actions:
        return None
    undo = UNDO_LABELS.get(appointment.status, "Undo") if A.UNDO in actions else ""
    return page.shape(actions, undo)
