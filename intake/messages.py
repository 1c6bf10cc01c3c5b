"""Messages about an intake: what each says (its declaration) and the services that queue
the immediate ones. A name and a link, nothing clinical. Registered through
settings.MESSAGE_MODULES; the nudges and the staff digest queue themselves on a schedule
(nudges.py, digest.py), each beside its timing rule.
"""

from django.utils import timezone

from clinic.core.models import ClinicSettings
from clinic.notifications import outbox
from clinic.notifications.kinds import MessageKind, Skip, absolute_url
from consultations.timefmt import format_when, patient_zone

from .digest import digest_numbers
from .models import Intake


def _intake(message) -> Intake:
    if message.intake is None:
        raise Skip("Intake gone")
    return message.intake


def _portal_context(message) -> dict:
    return {"intake": _intake(message), "link": absolute_url("intake:resume")}


def _nudge_context(message) -> dict:
    if _intake(message).status != Intake.Status.IN_PROGRESS:
        raise Skip("Intake no longer in progress")
    return _portal_context(message)


def _alert_context(message) -> dict:
    """Where staff see what raised the alert: the intake, or the staff page given when it
    was raised (a check-in: the patient's check-ins, where the positive answer is marked)."""
    intake = _intake(message)
    where = message.context or {}
    if where.get("route"):
        link = absolute_url(where["route"], *where.get("args", ()))
        return {"intake": intake, "link": link, "source": where.get("source", "")}
    return {"intake": intake, "link": absolute_url("staff:intake", intake.pk), "source": ""}


def _digest_context(message) -> dict:
    return {
        "numbers": digest_numbers(message.context["date"]),
        "link": absolute_url("staff:dashboard"),
    }


def _nudge(code: str, label: str) -> MessageKind:
    return MessageKind(
        code=code,
        label=label,
        subject="Your intake is saved and waiting for you",
        templates={"email": "notifications/intake_nudge.email.txt"},
        context=_nudge_context,
    )


def _booking_context(message) -> dict:
    # The approval's next action is booking: the link goes straight to the day list.
    return {**_portal_context(message), "link": absolute_url("consultations:book"), "book": True}


def _update(code: str, label: str, subject: str, context=_portal_context) -> MessageKind:
    # One text for every decision: the email says only that the portal has an update.
    return MessageKind(
        code=code,
        label=label,
        subject=subject,
        templates={"email": "notifications/intake_update.email.txt"},
        context=context,
    )


NUDGE_24H = _nudge("intake_nudge_24h", "Intake reminder (after 1 day)")
NUDGE_72H = _nudge("intake_nudge_72h", "Intake reminder (after 3 days)")
MORE_INFO = _update(
    "intake_more_info",
    "Intake: more information needed",
    "The clinic has a question about your intake",
)
APPROVED = _update(
    "intake_approved",
    "Intake approved: book now",
    "You can now book your consultation",
    context=_booking_context,
)
DECISION = _update(
    "intake_decision", "Intake: update in portal", "There is an update in your patient portal"
)


def _receipt_context(message) -> dict:
    # A name, a time and a link: never what was answered.
    intake = _intake(message)
    zone = patient_zone(intake.patient)
    return {
        "intake": intake,
        "submitted": format_when(intake.submitted_at or timezone.now(), zone),
        "link": absolute_url("intake:portal"),
    }


def _finish_later_context(message) -> dict:
    # A name, the step's title and a link back to it (the link needs a login); no answers.
    from .steps import STEP_BY_KEY

    step = STEP_BY_KEY.get(message.context.get("step", ""))
    if step is None or step.section is None:
        raise Skip("Step gone")
    return {
        "intake": _intake(message),
        "step_title": step.title,
        "link": absolute_url("intake:step", step.key),
    }


FINISH_LATER = MessageKind(
    code="intake_finish_later",
    label="Intake: link to finish later",
    subject="Your intake is saved: a link to carry on",
    templates={"email": "notifications/intake_finish_later.email.txt"},
    context=_finish_later_context,
)
RECEIPT = MessageKind(
    code="intake_receipt",
    label="Intake received (receipt)",
    subject="We have received your intake",
    templates={"email": "notifications/intake_receipt.email.txt"},
    context=_receipt_context,
)
URGENT_ALERT = MessageKind(
    code="urgent_alert",
    label="Urgent safety alert to clinician",
    subject="Urgent: a patient needs a clinician now",
    templates={"email": "notifications/urgent_alert.email.txt"},
    context=_alert_context,
)
DAILY_DIGEST = MessageKind(
    code="daily_digest",
    label="Daily summary for staff",
    subject="Clinic daily summary",
    templates={"email": "notifications/daily_digest.email.txt"},
    context=_digest_context,
)

KINDS = [
    NUDGE_24H,
    NUDGE_72H,
    MORE_INFO,
    APPROVED,
    DECISION,
    RECEIPT,
    FINISH_LATER,
    URGENT_ALERT,
    DAILY_DIGEST,
]


def patient_update(*, intake: Intake, kind: MessageKind) -> None:
    """Tell the patient there is an update in the portal (sent once committed)."""
    now = timezone.now()
    outbox.enqueue(
        kind=kind.code,
        recipient=intake.patient,
        channel="email",
        due_at=now,
        intake=intake,
        key=f"intake:{intake.pk}:{kind.code}:{now.isoformat()}",
    )
    outbox.send_now_on_commit()


def finish_later_link(*, intake: Intake, step: str) -> None:
    """Email the patient a link back to this step (sent once committed)."""
    now = timezone.now()
    outbox.enqueue(
        kind=FINISH_LATER.code,
        recipient=intake.patient,
        channel="email",
        due_at=now,
        intake=intake,
        context={"step": step},
        key=f"intake:{intake.pk}:{FINISH_LATER.code}:{now.isoformat()}",
    )
    outbox.send_now_on_commit()


def urgent_alert(*, alert, where: dict | None = None) -> None:
    """Alert every on-call clinician at once (the text says only: open this page).

    `where` names the staff page to open when it is not the intake: {"route": url name,
    "args": [...], "source": "check-in"} (ids and words only, nothing clinical)."""
    for clinician in ClinicSettings.load().on_call_clinicians.filter(is_active=True):
        outbox.enqueue(
            kind=URGENT_ALERT.code,
            recipient=clinician,
            channel="email",
            due_at=timezone.now(),
            intake=alert.intake,
            context=where,
            key=f"alert:{alert.pk}:clinician:{clinician.pk}",
        )
    outbox.send_now_on_commit()
