"""Reminders for patients who started an intake and stopped: 24 h and 72 h after the last
change, never after submitting (the composer skips them if the intake moved on)."""

import datetime as dt

from django.utils import timezone

from consultations.reminders import intake_nudges

from . import outbox


def enqueue_intake_nudges(*, now: dt.datetime | None = None) -> int:
    from intake.models import Intake

    now = now or timezone.now()
    count = 0
    stale = Intake.objects.filter(
        status=Intake.Status.IN_PROGRESS,
        updated_at__lte=now - dt.timedelta(hours=24),
        updated_at__gte=now - dt.timedelta(days=4),
    ).select_related("patient")
    for intake in stale:
        for kind, due in intake_nudges(last_change=intake.updated_at, now=now):
            if due <= now:
                # The key names the last change: a later change earns new nudges, never repeats.
                outbox.enqueue(
                    kind=kind,
                    recipient=intake.patient,
                    channel="email",
                    due_at=due,
                    intake=intake,
                    key=f"intake:{intake.pk}:{kind}:{intake.updated_at.isoformat()}",
                )
                count += 1
    return count
