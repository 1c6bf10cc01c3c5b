"""Putting messages in the outbox, and taking them out again (reschedule, cancel)."""

import datetime as dt

from django.db import IntegrityError, transaction

from .models import Message


def enqueue(
    *,
    kind: str,
    recipient,
    channel: str,
    due_at: dt.datetime,
    key: str,
    appointment=None,
    intake=None,
    context: dict | None = None,
) -> Message:
    """Add a message once: the same idempotency key never makes a second row.

    A cancelled row asked for again (an appointment moved away and back to the same time
    plans the same keys) is put back in the queue: it was never sent, and is wanted again.
    """
    existing = Message.objects.filter(idempotency_key=key).first()
    if existing:
        if existing.status == Message.Status.CANCELLED:
            Message.objects.filter(pk=existing.pk, status=Message.Status.CANCELLED).update(
                status=Message.Status.PENDING, due_at=due_at, attempts=0, last_error=""
            )
            existing.refresh_from_db()
        return existing
    try:
        with transaction.atomic():
            return Message.objects.create(
                kind=kind,
                recipient=recipient,
                channel=channel,
                due_at=due_at,
                idempotency_key=key,
                appointment=appointment,
                intake=intake,
                context=context or {},
            )
    except IntegrityError:
        return Message.objects.get(idempotency_key=key)


def cancel_pending(queryset) -> int:
    """Cancel messages not sent yet (a cancelled or moved appointment, a submitted intake)."""
    return queryset.filter(status=Message.Status.PENDING).update(status=Message.Status.CANCELLED)


def send_now_on_commit() -> None:
    """Ask a worker to run the dispatcher as soon as this transaction commits."""
    from .tasks import dispatch_outbox

    dispatch_outbox.delay_on_commit()
