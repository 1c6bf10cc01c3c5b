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
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

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


@register.simple_tag(takes_context=True)
def appointment_actions(context, appointment, label="", next=""):  # noqa: A002 (the query's name)
    """Move / Cancel / No-show / Undo (and check in, completed) for one appointment, as its
    status and the time allow: what _appointment_actions.html draws (see there).

    Drawn here rather than by a template, and once a page for each appointment (the week
    shows every appointment in its grid and again in its list): a calendar week draws a
    few hundred of these."""
    request = context.get("request")
    back = next or (request.get_full_path() if request is not None else "")
    key = (label, back)
    drawn = appointment.__dict__.setdefault("_actions_drawn", {})
    if key not in drawn:
        drawn[key] = _draw(context, appointment, label, back)
    return drawn[key]


def _draw(context, appointment, label: str, back: str) -> str:
    buttons = staff_actions(appointment)
    if not buttons:
        return "\n"  # the spacing the partial always had
    said = label or format_html(
        "{}, {}",
        appointment.patient,
        date_filter(template_localtime(appointment.start), "M j, g:i A"),
    )
    to = f"{back}#appt-{appointment.pk}"
    parts = []
    for b in buttons:
        if b.post:
            parts.append(
                format_html(
                    '<form method="post" action="{}">{}\n'
                    '<input type="hidden" name="action" value="{}">\n'
                    '<input type="hidden" name="next" value="{}">\n'
                    '<button class="btn btn-sm {}"><i class="bi {}" aria-hidden="true"></i> {}'
                    '<span class="visually-hidden">: {}</span></button>\n</form>',
                    b.url,
                    _CSRF.render(context),
                    b.action,
                    to,
                    b.style,
                    b.icon,
                    b.label,
                    said,
                )
            )
        else:
            joiner = "&" if "?" in b.url else "?"
            parts.append(
                format_html(
                    '<a class="btn btn-sm {}" href="{}{}next={}%23appt-{}"><i class="bi {}" '
                    'aria-hidden="true"></i> {}<span class="visually-hidden">: {}</span></a>',
                    b.style,
                    b.url,
                    joiner,
                    quote(back, safe="/"),
                    appointment.pk,
                    b.icon,
                    b.label,
                    said,
                )
            )
    return format_html(
        '\n<div class="d-flex flex-wrap gap-1 no-print appointment-actions">{}\n</div>\n',
        mark_safe("".join(f"\n{part}" for part in parts)),  # noqa: S308 - format_html's each
    )
