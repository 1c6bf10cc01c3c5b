"""Writing the audit trail. Everything that records goes through `record` (or builds its
row with `new_event`, for a write that inserts it in the same statement)."""

from collections.abc import Collection

from django.conf import settings
from django.db import connection, models, transaction

from clinic.core import overlapped, server_prepared

from .client import client_ip, user_agent
from .middleware import current_request
from .models import Action, AuditEvent


def _label(user) -> str:
    return f"{user.get_full_name()} <{user.email}>".strip() if user else ""


def record(
    *,
    actor,
    action: str,
    request=None,
    patient=None,
    target: models.Model | None = None,
    detail: dict | None = None,
    patient_ids: Collection[int] = (),
    wait_for_disk: bool = True,
) -> AuditEvent:
    """Append one audit event (one INSERT); the request (given, or the one being served)
    supplies page, client IP and user agent. `wait_for_disk=False` (a read): see `_save`."""
    event = new_event(
        actor=actor,
        action=action,
        request=request,
        patient=patient,
        target=target,
        detail=detail,
        patient_ids=patient_ids,
    )
    _save(event, wait_for_disk=wait_for_disk)
    return event


def new_event(
    *,
    actor,
    action: str,
    request=None,
    patient=None,
    target: models.Model | None = None,
    detail: dict | None = None,
    patient_ids: Collection[int] = (),
) -> AuditEvent:
    """The row `record` appends, not saved yet: for a write that inserts it in its own
    statement (clinic.core.row_version), committed with the change it records."""
    request = request if request is not None else current_request.get()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # AnonymousUser: recorded as no one, with the request's IP
    role = actor.role if actor is not None else None
    event = AuditEvent(
        actor=actor,
        actor_label=_label(actor),
        actor_role=role.value if role else "",
        action=action,
        patient=patient,
        patient_label=_label(patient),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        detail=detail or {},
    )
    if patient_ids:  # a list page: every patient it showed, searchable as ",12,"
        event.patient_ids = "," + ",".join(map(str, sorted(patient_ids))) + ","
        event.detail.setdefault("count", len(patient_ids))
    if request is not None:
        match = getattr(request, "resolver_match", None)
        event.view_name = (match.view_name if match else "")[:100]
        event.path = request.path[:300]
        event.ip = client_ip(request)
        event.user_agent = user_agent(request)
    return event


def _save(event: AuditEvent, *, wait_for_disk: bool) -> None:
    """Insert the row; a read's row (not `wait_for_disk`) is committed without waiting for
    PostgreSQL to flush it to disk.

    The flush was the dearest part of every staff page that shows patient data (1 to 10 ms
    on a busy disk, issue 15). The row is committed all the same: everyone sees it at once,
    and PostgreSQL writes it out within a fraction of a second (wal_writer_delay, 200 ms by
    default, at most three times that). Only a crash of the database server inside that
    window would lose it, leaving the database consistent. A change's row waits for the
    disk as before, and so does any row written inside a transaction (its SET LOCAL would
    reach the change that transaction commits). Opt-in: AUDIT_READS_WAIT_FOR_DISK=false; by
    default every row waits (with a synchronous standby, skipping the wait also skips the
    standby, so a failover could lose read rows as well)."""
    if (
        wait_for_disk
        or settings.AUDIT_READS_WAIT_FOR_DISK
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
    ):
        _insert(event)
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        _insert(event)


_INSERTS: dict[str, tuple[str, list, bool]] = {}  # by database vendor


def _insert_statement() -> tuple[str, list, bool]:
    """The row's INSERT, written once a process from the model's fields (each typed as its
    column, so PostgreSQL prepares it once a connection whatever is NULL), the fields, and
    whether it returns the new id."""
    found = _INSERTS.get(connection.vendor)
    if found is None:
        qn = connection.ops.quote_name
        meta = AuditEvent._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        # Only names from the model's _meta are written into the SQL; values are parameters.
        sql = (
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        returning = connection.features.can_return_columns_from_insert
        if returning:
            sql += f" RETURNING {qn(meta.pk.column)}"
        server_prepared.declare(sql, [f.cast_db_type(connection) for f in fields])
        found = _INSERTS[connection.vendor] = (sql, fields, returning)
    return found


def _insert(event: AuditEvent) -> None:
    """What event.save() does for a new row, without the ORM's save machinery (a quarter
    of a millisecond on every staff page that shows patient data, issue 15): no signals
    are sent for audit rows, and none is listened for."""
    sql, fields, returning = _insert_statement()
    params = [f.get_db_prep_save(f.pre_save(event, add=True), connection) for f in fields]
    event._state.adding = False
    event._state.db = connection.alias
    if overlapped.is_open():
        # Sent, not waited for: the page is drawn while PostgreSQL commits the row, and the
        # window's end (before the response leaves) confirms it or raises.
        def numbered(rows):
            event.pk = int(rows[-1][0])

        with overlapped.cursor(then=numbered) as cursor:
            server_prepared.execute(cursor, connection, [(sql, params)])
        return
    with connection.cursor() as cursor:
        server_prepared.execute(cursor, connection, [(sql, params)])
        event.pk = cursor.fetchone()[0] if returning else cursor.lastrowid


def changed_values(before: dict, after: dict) -> dict[str, list]:
    """{key: [old, new]} for every key that had a value before and now holds another."""
    return {
        key: [before[key], after.get(key)]
        for key in before
        if before[key] not in (None, "", []) and after.get(key) != before[key]
    }


def record_changes(*, actor, patient, target: models.Model, before: dict, after: dict):
    """Record overwritten values with their new ones (nothing when nothing was overwritten)."""
    event = changes_event(actor=actor, patient=patient, target=target, before=before, after=after)
    if event is not None:
        _save(event, wait_for_disk=True)
    return event


def changes_event(*, actor, patient, target: models.Model, before: dict, after: dict):
    """The row record_changes appends, not saved yet (see new_event); None when nothing
    was overwritten."""
    if changes := changed_values(before, after):
        return new_event(
            actor=actor,
            action=Action.UPDATE,
            patient=patient,
            target=target,
            detail={"changes": changes},
        )
    return None
