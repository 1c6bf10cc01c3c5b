"""Reminders for patients who started an intake and stopped: 24 h and 72 h after the last
change, never after submitting (the message is skipped if the intake moved on).

`intake_nudges` is the timing rule: pure (no clock, no database), tested with literals.
"""

import datetime as dt

from django.utils import timezone

from clinic.notifications import outbox

from .models import Intake

UTC = dt.UTC


def intake_nudges(*, last_change: dt.datetime, now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """Nudges for an unfinished intake: 24 h and 72 h (elapsed) after the last change, UTC.

    Both are always returned, even if already past `now`: the caller decides whether a
    late nudge is still worth sending (the outbox drops or sends it by its own policy).
    `now` is accepted for symmetry with the other planners and checked for awareness.
    """
    for value, name in ((last_change, "last_change"), (now, "now")):
        if value.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware")
    last_change = last_change.astimezone(UTC)
    return [
        ("intake_nudge_24h", last_change + dt.timedelta(hours=24)),
        ("intake_nudge_72h", last_change + dt.timedelta(hours=72)),
    ]


def enqueue_intake_nudges(*, now: dt.datetime | None = None) -> int:
    """Queue the nudges now due for unfinished intakes (beat, every 15 minutes)."""
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
