"""The dispatcher: claim due messages, send each once, record what happened.

Claiming is a conditional UPDATE (status and attempts must still be what we read: one
statement for all the rows read with the same status and attempt number), under
SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite the IMMEDIATE transaction holds
the write lock for the claim. Either way two dispatchers never claim the same row.
A claim is a lease: if the worker dies mid-send, the row is claimed again after the lease.
Each row's lease is renewed just before it is sent, only if the claim still holds (the
attempt number is unchanged), so a row that waited out its lease in a long batch and was
claimed by another dispatcher meanwhile is not sent twice.

A batch's rows are read in one query with everything their texts show (recipient, contact
preference, appointment with its type, place and clinician, intake), and read again if
sending them has taken longer than FRESH_SECONDS, so a reason that has gone (a cancelled
appointment, an SMS opt-out) is seen within about a second; what a kind reads beyond the
row (an appointment's events, the clinic's settings) is read once a batch too. What each
send still writes on its own, and must: its outcome and attempt row, with the next row's
lease renewal, in one commit before the next send (one statement on PostgreSQL), so a
worker killed mid-batch re-sends at most the message it was sending.
"""

import contextlib
import datetime as dt
import logging
import time
from collections import defaultdict

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from . import compose, kinds
from .channels import send_email, send_sms
from .kinds import Skip
from .models import Attempt, Message

log = logging.getLogger(__name__)
S = Message.Status
# What the kinds' texts read of a row (compose.py and each app's messages.py): loaded with
# the batch, so rendering a message makes no query of its own for them.
RELATED = (
    "recipient__contact_preference",
    "appointment__patient__contact_preference",  # the zone its times are shown in
    "appointment__appointment_type",
    "appointment__location",
    "appointment__provider",
    "intake__patient__contact_preference",
)
FRESH_SECONDS = 1.0  # a batch's rows are read again when sending them takes longer


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
        read_as: dict[tuple[str, int], list[int]] = defaultdict(list)
        for pk, status, attempts in candidates:
            read_as[status, attempts].append(pk)
        won: dict[int, int] = {}
        for (status, attempts), pks in read_as.items():
            for pk in _claim_rows(pks, status, attempts, lease_until):
                won[pk] = attempts + 1
    return [(pk, won[pk]) for pk, _status, _attempts in candidates if pk in won]


def _claim_rows(pks: list[int], status: str, attempts: int, lease_until) -> list[int]:
    """Claim rows read with this status and attempt number: one UPDATE for all of them.
    Locked (PostgreSQL) or under the write lock (SQLite), none can have changed since; if
    some did all the same, that UPDATE is undone and each row is claimed on its own."""

    def update(rows):
        return Message.objects.filter(pk__in=rows, status=status, attempts=attempts).update(
            status=S.SENDING, attempts=attempts + 1, lease_until=lease_until
        )

    with transaction.atomic():
        if update(pks) == len(pks):
            return pks
        transaction.set_rollback(True)
    return [pk for pk in pks if update([pk])]


def _finish(message: Message, **fields) -> bool:
    """Record the outcome only if our claim still holds (nobody reclaimed the row)."""
    return bool(
        Message.objects.filter(pk=message.pk, status=S.SENDING, attempts=message.attempts).update(
            **fields, lease_until=None
        )
    )


def _failed(message: Message, error: Exception, now: dt.datetime, renew=None) -> tuple:
    """Retried with backoff, then shown to staff as failed."""
    text = f"{type(error).__name__}: {error}"[:500]
    final = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    fields = {
        "status": S.FAILED if final else S.PENDING,
        "last_error": text,
        "due_at": now + backoff(message.attempts),
    }
    held = _record(message, fields, attempt={"ok": False, "error": text}, renew=renew)
    log.warning("outbox message %s failed (attempt %s)", message.pk, message.attempts)
    return S.FAILED if final else S.PENDING, held


def send_one(pk: int, *, now: dt.datetime, attempt: int | None = None) -> str:
    """Send a claimed row. With `attempt` (the claim's number), first check the claim still
    holds and renew its lease: rows wait in a batch while earlier ones are sent, and a row
    whose lease ran out meanwhile may have been claimed and sent by another dispatcher."""
    if attempt is not None and not _renew(pk, attempt, now):
        return S.SENDING
    return _send(Message.objects.select_related(*RELATED).get(pk=pk), now)[0]


def _renew(pk: int, attempt: int, now: dt.datetime) -> bool:
    renewed = _renew_rows(pk, attempt, _lease(now))
    if not renewed:
        _claim_lost(pk)
    return renewed


def _renew_rows(pk: int, attempt: int, lease_until: dt.datetime) -> bool:
    return bool(
        Message.objects.filter(pk=pk, status=S.SENDING, attempts=attempt).update(
            lease_until=lease_until
        )
    )


def _claim_lost(pk: int) -> None:
    log.info("outbox message %s: claim lost (lease ran out), not sent", pk)


class Renewal:
    """The batch's next row, whose lease is renewed with the outcome of the row before it
    (one commit for both): (pk, claim number) and the clock the lease counts from."""

    def __init__(self, pk: int, attempt: int, clock):
        self.pk, self.attempt, self.clock = pk, attempt, clock


def _record(message: Message, fields: dict, *, attempt: dict | None, renew: Renewal | None):
    """The outcome of a send (only if our claim still holds), its attempt row if any, and
    the next row's lease renewal: committed together, before the next send, so a worker
    killed mid-batch re-sends at most the message it was sending (killed before this
    commits, the row stays "sending" and is sent again after its lease, with the same
    idempotency key), and never leaves a sent row without its attempt (or the reverse).
    Returns whether the next row's claim still holds (None with no next row)."""
    if connection.vendor == "postgresql":
        if not connection.in_atomic_block:  # the statement is its own transaction
            return _record_in_one_statement(message, fields, attempt, renew)
        with transaction.atomic():  # inside a caller's transaction: a savepoint, as below
            return _record_in_one_statement(message, fields, attempt, renew)
    with transaction.atomic():
        _finish(message, **fields)
        if attempt is not None:
            Attempt.objects.create(message=message, **attempt)
        if renew is None:
            return None
        return _renew_rows(renew.pk, renew.attempt, _lease(renew.clock()))


def _record_in_one_statement(message, fields, attempt, renew):
    """PostgreSQL: the same writes as one statement (data-modifying WITH clauses), so one
    round trip and one commit a message. The UPDATEs are those of _finish and _renew_rows,
    the INSERT is Attempt.objects.create's."""
    qn = connection.ops.quote_name
    table = qn(Message._meta.db_table)

    def column(name: str) -> str:
        return qn(Message._meta.get_field(name).column)

    def claim_holds(pk: int, claim: int) -> tuple[str, list]:
        # The row by its key; the status compared as an expression (`|| ''`) so the planner
        # cannot take the (status, due_at) index instead: its statistics, gathered while
        # hardly a row is "sending", make that index look best, and during a batch it walks
        # every claimed row (and their dead versions) for each message.
        where = (
            f"{column('id')} = %s AND {column('status')} || '' = %s AND {column('attempts')} = %s"
        )
        return where, [pk, S.SENDING, claim]

    sets = [f"{column(name)} = %s" for name in fields] + [f"{column('lease_until')} = NULL"]
    params = [
        Message._meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in fields.items()
    ]
    where, where_params = claim_holds(message.pk, message.attempts)
    # Only names from the models' _meta are written into the SQL; every value is a parameter.
    sets_sql = ", ".join(sets)
    parts = [f"finished AS (UPDATE {table} SET {sets_sql} WHERE {where} RETURNING 1)"]  # noqa: S608
    params += where_params
    if attempt is not None:
        row = Attempt(message=message, **attempt)
        columns = [f for f in Attempt._meta.concrete_fields if not f.primary_key]
        names = ", ".join(qn(f.column) for f in columns)
        parts.append(
            f"logged AS (INSERT INTO {qn(Attempt._meta.db_table)} ({names}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(columns))}))"
        )
        params += [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in columns]
    counts = "(SELECT count(*) FROM finished)"
    if renew is not None:
        where, where_params = claim_holds(renew.pk, renew.attempt)
        parts.append(
            f"renewed AS (UPDATE {table} SET {column('lease_until')} = %s "  # noqa: S608
            f"WHERE {where} RETURNING 1)"
        )
        lease_until = Message._meta.get_field("lease_until").get_db_prep_save(
            _lease(renew.clock()), connection
        )
        params += [lease_until, *where_params]
        counts += ", (SELECT count(*) FROM renewed)"
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT {counts}", params)
        row = cursor.fetchone()
    return None if renew is None else bool(row[1])


def _send(message: Message, now: dt.datetime, renew: Renewal | None = None) -> tuple:
    """(outcome, whether `renew`'s claim still holds: None without one)."""
    try:
        to, rendered = compose.render(message)
    except Skip as reason:
        fields = {"status": S.SKIPPED, "last_error": str(reason)[:500]}
        return S.SKIPPED, _record(message, fields, attempt=None, renew=renew)
    except Exception as error:  # a template or data error: must not stall the batch
        return _failed(message, error, now, renew)
    try:
        send = send_email if message.channel == Message.Channel.EMAIL else send_sms
        provider_id = send(to=to, rendered=rendered, key=message.idempotency_key)
    except Exception as error:  # any provider failure is retried, then shown to staff
        return _failed(message, error, now, renew)
    fields = {
        "status": S.SENT,
        "sent_at": timezone.now(),
        "provider_message_id": provider_id,
        "last_error": "",
    }
    attempt = {"ok": True, "provider_message_id": provider_id}
    return S.SENT, _record(message, fields, attempt=attempt, renew=renew)


def _load(pks) -> dict[int, Message]:
    """The rows with their relations, and what each kind declares it reads beyond them
    (one query a lookup for all of the batch's messages of that kind)."""
    loaded = {m.pk: m for m in Message.objects.select_related(*RELATED).filter(pk__in=pks)}
    by_kind: dict[str, list[Message]] = defaultdict(list)
    for message in loaded.values():
        by_kind[message.kind].append(message)
    for code, messages in by_kind.items():
        try:
            lookups = kinds.get(code).prefetch
        except kinds.UnknownKind:
            continue  # reported when it is rendered
        if lookups:
            prefetch_related_objects(messages, *lookups)
    return loaded


def send_batch(claimed: list[tuple[int, int]], *, now: dt.datetime | None = None) -> int:
    """Send the rows of one claim, in order; returns how many were handled."""
    pending = dict(claimed)
    loaded, loaded_at = _load(pending), time.monotonic()
    clock = (lambda: now) if now else timezone.now
    held = None  # whether this row's claim holds, when the write before renewed it
    # What the kinds read once a batch (the clinic's settings): kept as long as the rows.
    with kinds.batch_reads({}) as shared:
        for i, (pk, attempt) in enumerate(claimed):
            del pending[pk]
            if time.monotonic() - loaded_at > FRESH_SECONDS:
                loaded, loaded_at = _load([pk, *pending]), time.monotonic()
                shared.clear()
            # The clock at each send: the lease is renewed from it, backoff counts from it.
            at = clock()
            if held is None:
                held = _renew(pk, attempt, at)
            elif not held:
                _claim_lost(pk)
            if not held or pk not in loaded:
                held = None  # the next row renews its own lease
                continue
            message = loaded[pk]
            message.attempts = attempt  # what our claim made it (the row was read after)
            following = claimed[i + 1] if i + 1 < len(claimed) else None
            renew = following and Renewal(*following, clock)
            held = _send(message, at, renew)[1]
    return len(claimed)


def dispatch_due(*, now: dt.datetime | None = None, batch: int = 50, max_batches: int = 20) -> int:
    """Send what is due; returns how many were handled. Bounded so a task never runs long."""
    handled = 0
    with _commits_not_waiting_for_the_disk():
        for _ in range(max_batches):
            claimed = claim(now=now or timezone.now(), limit=batch)
            if not claimed:
                break
            handled += send_batch(claimed, now=now)
    return handled


@contextlib.contextmanager
def _commits_not_waiting_for_the_disk():
    """PostgreSQL: the dispatcher's commits (claims, renewals, outcomes) return once written,
    not once flushed to disk (synchronous_commit off, for this connection while it sends).

    Each send commits its outcome before the next (see _record), and waiting for the disk
    flush was most of a message's time. What it gives up is only on a crash of the database
    server itself: the last commits (well under a second's) can be lost, and a message whose
    "sent" was among them is sent again after its lease, with the same idempotency key —
    as a worker killed before its commit does. Commits stay in order, so nothing later is
    kept without them, and nothing is ever lost unsent: a lost claim or renewal only returns
    the row to the queue. Other work on the connection (enqueueing a message) is unchanged.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        # A broken connection is closed and its setting gone with it; an aborted outer
        # transaction undoes the SET itself. Either way there is nothing left to reset.
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def resend(message: Message) -> None:
    """Staff: try a failed message again, now."""
    Message.objects.filter(pk=message.pk, status=S.FAILED).update(
        status=S.PENDING, due_at=timezone.now(), attempts=0
    )
