"""Messages about an intake, through the outbox: a name and a link, nothing clinical."""

from django.utils import timezone

from clinic.notifications import outbox

KINDS = {
    "more_info": "intake_more_info",
    "approved": "intake_approved",
    "decision": "intake_decision",
}


def patient_update(*, intake, kind: str) -> None:
    """Tell the patient there is an update in the portal (sent once committed)."""
    now = timezone.now()
    outbox.enqueue(
        kind=KINDS[kind],
        recipient=intake.patient,
        channel="email",
        due_at=now,
        intake=intake,
        key=f"intake:{intake.pk}:{KINDS[kind]}:{now.isoformat()}",
    )
    outbox.send_now_on_commit()


def urgent_alert(*, alert) -> None:
    """Alert every on-call clinician at once (the text says only: open this intake)."""
    from clinic.core.models import ClinicSettings

    for clinician in ClinicSettings.load().on_call_clinicians.filter(is_active=True):
        outbox.enqueue(
            kind="urgent_alert",
            recipient=clinician,
            channel="email",
            due_at=timezone.now(),
            intake=alert.intake,
            key=f"alert:{alert.pk}:clinician:{clinician.pk}",
        )
    outbox.send_now_on_commit()
