"""What each kind of message says, rendered at send time from ids.

Every text holds a name, a time and a link — never a diagnosis, a score or an answer.
A message whose reason has gone (appointment cancelled, intake submitted, SMS consent
withdrawn) is skipped, not sent.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from .channels import Rendered
from .models import ContactPreference, Message


class Skip(Exception):
    pass


SUBJECTS = {
    "verify_email": "Please confirm your email address",
    "password_reset": "Reset your clinic password",
    "staff_welcome": "Your clinic staff account",
    "intake_nudge_24h": "Your intake is saved and waiting for you",
    "intake_nudge_72h": "Your intake is saved and waiting for you",
    "intake_more_info": "The clinic has a question about your intake",
    "intake_approved": "You can now book your consultation",
    "intake_decision": "There is an update in your patient portal",
    "booking_booked": "Your appointment is booked",
    "booking_rescheduled": "Your appointment has moved",
    "booking_cancelled": "Your appointment is cancelled",
    "reminder_72h": "Reminder: your appointment",
    "reminder_24h": "Reminder: your appointment tomorrow",
    "reminder_2h": "Reminder: your appointment today",
    "urgent_alert": "Urgent: a patient needs a clinician now",
    "daily_digest": "Clinic daily summary",
}


def url(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def _address(message: Message) -> str:
    user = message.recipient
    if message.channel == Message.Channel.EMAIL:
        return user.email
    preference = ContactPreference.objects.filter(user=user).first()
    if preference is None or not preference.sms_allowed:
        raise Skip("No SMS consent, opted out, or no mobile number")
    return preference.phone


def _appointment_context(message: Message) -> dict:
    from consultations.timefmt import format_when, patient_zone

    appointment = message.appointment
    if appointment is None:
        raise Skip("Appointment gone")
    if message.kind.startswith("reminder") and appointment.status != "booked":
        raise Skip(f"Appointment is {appointment.get_status_display().lower()}")
    return {
        "appointment": appointment,
        "when": format_when(appointment.start, patient_zone(appointment.patient)),
        "link": url("consultations:detail", appointment.pk),
    }


def _intake_context(message: Message) -> dict:
    intake = message.intake
    if intake is None:
        raise Skip("Intake gone")
    if message.kind.startswith("intake_nudge") and intake.status != "in_progress":
        raise Skip("Intake no longer in progress")
    if message.kind == "urgent_alert":
        return {"intake": intake, "link": url("staff:intake", intake.pk)}
    return {"intake": intake, "link": url("intake:resume")}


def _digest_context(message: Message) -> dict:
    from .digest import digest_numbers

    return {"numbers": digest_numbers(message.context["date"]), "link": url("staff:dashboard")}


def render(message: Message) -> tuple[str, Rendered]:
    """(address, rendered text) for a claimed message, or raise Skip."""
    to = _address(message)
    context = {"user": message.recipient, "clinic": settings.CLINIC, **message.context}
    attachments = []
    if message.appointment_id or message.kind.startswith(("booking", "reminder")):
        context.update(_appointment_context(message))
        if message.kind.startswith("booking") and message.channel == "email":
            from consultations.ics import appointment_ics

            ics = appointment_ics(
                context["appointment"], cancelled=message.kind == "booking_cancelled"
            )
            attachments.append(("appointment.ics", ics, "text/calendar"))
    elif message.intake_id:
        context.update(_intake_context(message))
    elif message.kind == "daily_digest":
        context.update(_digest_context(message))
    template = f"notifications/{message.kind}.{message.channel}.txt"
    body = render_to_string(template, context).strip() + "\n"
    return to, Rendered(SUBJECTS.get(message.kind, settings.CLINIC["name"]), body, attachments)
