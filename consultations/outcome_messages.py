"""The message that tells a patient the consultation's outcome is in the portal.

A name and a link to the consultation's page, nothing clinical: the portal shows the
clinic's kind words. Registered through settings.MESSAGE_MODULES.
"""

from django.utils import timezone

from clinic.notifications import outbox
from clinic.notifications.kinds import MessageKind, Skip, absolute_url


def _context(message) -> dict:
    appointment = message.appointment
    if appointment is None:
        raise Skip("Appointment gone")
    link = absolute_url("consultations:detail", appointment.pk)
    return {"appointment": appointment, "link": link}


OUTCOME = MessageKind(
    code="consultation_outcome",
    label="Consultation outcome: update in portal",
    subject="There is an update in your patient portal",
    templates={"email": "notifications/consultation_outcome.email.txt"},
    context=_context,
)

KINDS = [OUTCOME]


def outcome_recorded(*, outcome) -> None:
    """Tell the patient there is an update about their consultation (sent once committed)."""
    outbox.enqueue(
        kind=OUTCOME.code,
        recipient=outcome.patient,
        channel="email",
        due_at=timezone.now(),
        appointment=outcome.appointment,
        key=f"outcome:{outcome.pk}:v{outcome.version}",
    )
    outbox.send_now_on_commit()
