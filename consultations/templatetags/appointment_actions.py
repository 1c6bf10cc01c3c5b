"""`appointment|staff_actions`: the buttons status.offered() allows for it now."""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

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


def _button(action: A, appointment) -> Button:
    pk = appointment.pk
    change = reverse("schedule:change_status", args=[pk])
    return {
        A.CHECK_IN: Button(
            action, "Check in", "bi-person-check", "btn-outline-primary", change, True
        ),
        A.COMPLETE: Button(
            action, "Completed", "bi-check2-circle", "btn-outline-primary", change, True
        ),
        A.MOVE: Button(
            action,
            "Move",
            "bi-arrow-left-right",
            "btn-outline-secondary",
            reverse("schedule:move", args=[pk]),
            False,
        ),
        A.CANCEL: Button(
            action,
            "Cancel",
            "bi-x-circle",
            "btn-outline-danger",
            reverse("schedule:cancel", args=[pk]),
            False,
        ),
        A.NO_SHOW: Button(
            action,
            "No-show",
            "bi-person-x",
            "btn-outline-secondary",
            f"{change}?action=no_show",
            False,
        ),
        A.UNDO: Button(
            action,
            UNDO_LABELS.get(appointment.status, "Undo"),
            "bi-arrow-counterclockwise",
            "btn-outline-secondary",
            reverse("schedule:undo", args=[pk]),
            False,
        ),
    }[action]


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
