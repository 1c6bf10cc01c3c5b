"""The staff daily digest: counts only (no patient names or clinical details in email)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from consultations.reminders import daily_digest_due

from . import outbox
from .models import Message


def digest_numbers(date_iso: str) -> dict:
    from consultations.models import Appointment
    from intake.models import Intake, UrgentAlert

    day = dt.date.fromisoformat(date_iso)
    zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
    start = dt.datetime.combine(day, dt.time(), zone)
    return {
        "new_submissions": Intake.objects.filter(
            submitted_at__gte=daily_digest_due(
                date=day - dt.timedelta(days=1), clinic_time_zone=settings.CLINIC_TIME_ZONE
            )
        ).count(),
        "urgent_open": UrgentAlert.objects.filter(acknowledged_at__isnull=True).count(),
        "appointments_today": Appointment.objects.filter(
            status="booked", start__gte=start, start__lt=start + dt.timedelta(days=1)
        ).count(),
        "failed_messages": Message.objects.failed().count(),
    }


def enqueue_daily_digest(*, today: dt.date | None = None) -> int:
    """One digest per staff member per day, however often beat fires (the key is the day)."""
    from clinic.accounts.models import User
    from clinic.accounts.roles import Role

    today = today or timezone.localdate()
    due = daily_digest_due(date=today, clinic_time_zone=settings.CLINIC_TIME_ZONE)
    staff = (
        User.objects.filter(is_active=True)
        .filter(groups__name__in=[Role.CLINICIAN.value, Role.COORDINATOR.value])
        .distinct()
    )
    for user in staff:
        outbox.enqueue(
            kind="daily_digest",
            recipient=user,
            channel="email",
            due_at=due,
            key=f"digest:{today.isoformat()}:user:{user.pk}",
            context={"date": today.isoformat()},
        )
    return len(staff)
