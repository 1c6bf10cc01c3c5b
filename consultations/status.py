"""An appointment's status changes on the day: check in, completed, no-show (and cancelled)."""

from django.db import transaction

from .models import Appointment, AppointmentEvent

S = Appointment.Status

# Which status may follow which. Completed, no-show and cancelled are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.BOOKED: frozenset({S.CHECKED_IN, S.NO_SHOW, S.CANCELLED_PATIENT, S.CANCELLED_CLINIC}),
    S.CHECKED_IN: frozenset({S.COMPLETED, S.NO_SHOW}),
}


class StatusChangeNotAllowed(Exception):
    """The appointment cannot move from its current status to the one asked for."""


def allowed_next(status: str) -> frozenset[str]:
    return TRANSITIONS.get(status, frozenset())


def set_status(*, appointment: Appointment, status: str, actor, note: str = "") -> Appointment:
    """Moves the appointment to `status` and records who did it; illegal moves raise."""
    with transaction.atomic():
        # Re-read under a lock: two front-desk screens may press buttons at the same time.
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if status not in allowed_next(current.status):
            raise StatusChangeNotAllowed(
                f"This appointment is {current.get_status_display().lower()}; "
                f"it cannot be marked “{S(status).label if status in S.values else status}”."
            )
        AppointmentEvent.objects.create(
            appointment=current,
            actor=actor,
            from_status=current.status,
            to_status=status,
            note=note,
        )
        current.status = status
        current.save(update_fields=["status", "updated_at"])
    appointment.status = current.status
    return current
