"""The dispatcher: claim due messages, send each once, record what happened.

Claiming is a conditional UPDATE per row (status and attempts must still be what we read),
under SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite the IMMEDIATE transaction
holds the write lock for the claim. Either way two dispatchers never claim the same row.
A claim is a lease: if the worker dies mid-send, the row is claimed again after the lease.
Each row's lease is renewed just before it is sent, only if the claim still holds (the
attempt number is unchanged), so a row that waited out its lease in a long batch and was
claimed by another dispatcher meanwhile is not sent twice.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import compose
from .channels import send_email, send_sms
from .kinds import Skip
from .models import Attempt, Message

log = logging.getLogger(__name__)
S = Message.Status


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes, at most an hour."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _lease(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def claim(*, now: dt.datetime, limit: int) -> list[tuple[int, int]]:
    """(pk, attempt number) of each row won: the attempt number identifies our claim."""
    lease_until = _lease(now)
    with transaction.atomic():
        rows = Message.objects.claimable(now).order_by("due_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        candidates = list(rows.values_list("pk", "status", "attempts")[:limit])
        claimed = []
        for pk, status, attempts in candidates:
            won = Message.objects.filter(pk=pk, status=status, attempts=attempts).update(
                status=S.SENDING, attempts=attempts + 1, lease_until=lease_until
            )
            if won:
                claimed.append((pk, attempts + 1))
    return claimed


def _finish(message: Message, **fields) -> bool:
    """Record the outcome only if our claim still holds (nobody reclaimed the row)."""
    return bool(
        Message.objects.filter(pk=message.pk, status=S.SENDING, attempts=message.attempts).update(
            **fields, lease_until=None
        )
    )


def _failed(message: Message, error: Exception, now: dt.datetime) -> str:
    """Retried with backoff, then shown to staff as failed."""
    text = f"{type(error).__name__}: {error}"[:500]
    final = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    with transaction.atomic():  # the outcome and its attempt row: both or neither
        _finish(
            message,
            status=S.FAILED if final else S.PENDING,
            last_error=text,
            due_at=now + backoff(message.attempts),
        )
        Attempt.objects.create(message=message, ok=False, error=text)
    log.warning("outbox message %s failed (attempt %s)", message.pk, message.attempts)
    return S.FAILED if final else S.PENDING


def send_one(pk: int, *, now: dt.datetime, attempt: int | None = None) -> str:
    """Send a claimed row. With `attempt` (the claim's number), first check the claim still
    holds and renew its lease: rows wait in a batch while earlier ones are sent, and a row
    whose lease ran out meanwhile may have been claimed and sent by another dispatcher."""
    if attempt is not None:
        renewed = Message.objects.filter(pk=pk, status=S.SENDING, attempts=attempt).update(
            lease_until=_lease(now)
        )
        if not renewed:
            log.info("outbox message %s: claim lost (lease ran out), not sent", pk)
            return S.SENDING
    message = Message.objects.select_related("recipient").get(pk=pk)
    try:
        to, rendered = compose.render(message)
    except Skip as reason:
        _finish(message, status=S.SKIPPED, last_error=str(reason)[:500])
        return S.SKIPPED
    except Exception as error:  # a template or data error: must not stall the batch
        return _failed(message, error, now)
    try:
        send = send_email if message.channel == Message.Channel.EMAIL else send_sms
        provider_id = send(to=to, rendered=rendered, key=message.idempotency_key)
    except Exception as error:  # any provider failure is retried, then shown to staff
        return _failed(message, error, now)
    # One transaction: a worker killed between the two writes must not leave a sent row
    # without its attempt (or the reverse). Killed before it commits, the row stays
    # "sending" and is sent again after its lease, with the same idempotency key.
    with transaction.atomic():
        _finish(
            message,
            status=S.SENT,
            sent_at=timezone.now(),
            provider_message_id=provider_id,
            last_error="",
        )
        Attempt.objects.create(message=message, ok=True, provider_message_id=provider_id)
    return S.SENT


def dispatch_due(*, now: dt.datetime | None = None, batch: int = 50, max_batches: int = 20) -> int:
    """Send what is due; returns how many were handled. Bounded so a task never runs long."""
    handled = 0
    for _ in range(max_batches):
        claimed = claim(now=now or timezone.now(), limit=batch)
        if not claimed:
            break
        for pk, attempt in claimed:
            # The clock at each send: the lease is renewed from it, backoff counts from it.
            send_one(pk, now=now or timezone.now(), attempt=attempt)
            handled += 1
    return handled


def resend(message: Message) -> None:
    """Staff: try a failed message again, now."""
    Message.objects.filter(pk=message.pk, status=S.FAILED).update(
        status=S.PENDING, due_at=timezone.now(), attempts=0
    )
