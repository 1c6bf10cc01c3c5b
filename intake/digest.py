"""The staff daily digest: the intake queue, open alerts and today's appointments, as counts
only (no patient names or clinical details in email).

`daily_digest_due` is the timing rule: pure (no clock, no database), tested with literals.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from clinic.accounts.models import User
from clinic.accounts.roles import Role
from clinic.notifications import outbox
from clinic.notifications.models import Message
from consultations.models import Appointment

from .models import Intake, UrgentAlert


def daily_digest_due(
    *, date: dt.date, clinic_time_zone: str, at: dt.time = dt.time(7, 0)
) -> dt.datetime:
    """When the staff digest for `date` goes out: `at` clinic-local time, as aware UTC."""
    local = dt.datetime.combine(date, at.replace(tzinfo=None), tzinfo=ZoneInfo(clinic_time_zone))
    return local.astimezone(dt.UTC)


def digest_numbers(date_iso: str) -> dict:
    day = dt.date.fromisoformat(date_iso)
    zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
    start = dt.datetime.combine(day, dt.time(), zone)
    since = daily_digest_due(date=day - dt.timedelta(days=1), clinic_time_zone=zone.key)
    return {
        "new_submissions": Intake.objects.filter(submitted_at__gte=since).count(),
        "urgent_open": UrgentAlert.objects.filter(acknowledged_at__isnull=True).count(),
        "appointments_today": Appointment.objects.filter(
            status=Appointment.Status.BOOKED,
            start__gte=start,
            start__lt=start + dt.timedelta(days=1),
        ).count(),
        "failed_messages": Message.objects.failed().count(),
    }


def enqueue_daily_digest(*, today: dt.date | None = None) -> int:
    """One digest per staff member per day, however often beat fires (the key is the day)."""
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
