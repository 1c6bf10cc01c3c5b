"""The audit trail itself: what one event records, and that nobody can rewrite it."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from clinic.audit.models import Action, AppendOnly, AuditEvent
from clinic.audit.services import record
from intake import demo

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (CI runs it)"
)


def _request(user, **meta):
    request = RequestFactory().get("/staff/intakes/7/?q=alice", **meta)
    request.user = user
    return request


def test_record_keeps_who_what_when_and_where(clinician, patient):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    request = _request(clinician, REMOTE_ADDR="198.51.100.4", HTTP_USER_AGENT="Firefox/140")

    event = record(
        actor=clinician, action=Action.VIEW, request=request, patient=patient, target=intake
    )

    event.refresh_from_db()
    assert (event.actor, event.actor_role) == (clinician, "clinician")
    assert "dr.lee@example.com" in event.actor_label
    assert (event.patient, event.target_type, event.target_id) == (
        patient,
        "intake.intake",
        str(intake.pk),
    )
    assert event.path == "/staff/intakes/7/"  # never the query string (it may hold a name)
    assert (event.ip, event.user_agent) == ("198.51.100.4", "Firefox/140")
    assert event.occurred_at is not None


def test_record_without_a_request_still_names_the_actor(clinic_admin, coordinator):
    event = record(
        actor=clinic_admin, action="role_granted", target=coordinator, detail={"why": "cover"}
    )
    assert (event.actor_role, event.ip, event.path) == ("clinic_admin", None, "")
    assert event.detail == {"why": "cover"}


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_client_ip_is_the_hop_our_proxy_added_not_one_the_client_forged(clinician):
    request = _request(
        clinician, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert record(actor=clinician, action=Action.VIEW, request=request).ip == "203.0.113.9"


def test_without_trusted_proxies_forwarded_for_is_ignored(clinician):
    request = _request(clinician, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert record(actor=clinician, action=Action.VIEW, request=request).ip == "10.0.0.2"


def test_the_application_cannot_update_or_delete_an_event(clinician, patient):
    event = record(actor=clinician, action=Action.VIEW, patient=patient)
    event.action = "nothing to see"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == Action.VIEW


def test_deleting_a_patient_keeps_their_audit_rows(clinician, patient):
    record(actor=clinician, action=Action.VIEW, patient=patient)
    record(actor=patient, action=Action.UPDATE, patient=patient)
    patient_id = patient.pk

    patient.delete()

    rows = AuditEvent.objects.filter(patient_id=patient_id)
    assert rows.count() == 2
    assert all("alice@example.com" in r.patient_label for r in rows)


@needs_postgresql
@pytest.mark.parametrize(
    "sql", ["UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent"]
)
def test_postgresql_refuses_raw_update_and_delete_of_audit_rows(clinician, patient, sql):
    event = record(actor=clinician, action=Action.VIEW, patient=patient)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).action == Action.VIEW


# serialized_rollback: the flush after this test then leaves the tables empty for the next
# transactional test (the browser tests restore the migrated rows into an empty database;
# a plain flush re-creates the role groups through post_migrate and they collided).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transactional_test_that_records_can_still_be_flushed(clinician):
    # Django empties the tables after this test (TRUNCATE on PostgreSQL, which the
    # append-only trigger deliberately leaves alone); the next test would fail otherwise.
    record(actor=clinician, action=Action.VIEW)
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_the_flushed_table_is_empty():
    assert not AuditEvent.objects.exists()


def _audit_sql(call):
    with CaptureQueriesContext(connection) as seen:
        event = call()
    return event, [q["sql"] for q in seen]


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reads_wait_for_the_disk_unless_opted_out_and_changes_always_wait(clinician):
    from clinic.audit import reads

    request = _request(clinician)
    with override_settings(AUDIT_READS_WAIT_FOR_DISK=False):  # opted in
        event, sql = _audit_sql(lambda: reads.viewed(request, clinician))
    at = sql.index("SET LOCAL synchronous_commit TO OFF")
    assert sql[at + 1].startswith('INSERT INTO "audit_auditevent"')
    # Committed: another connection (a thread has its own) sees it at once.
    seen = []

    def look():
        seen.append(AuditEvent.objects.filter(pk=event.pk).exists())
        connection.close()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    assert seen == [True]
    # A change waits for the disk; so does a read inside a transaction (the SET LOCAL
    # would reach whatever that transaction commits), and every read when configured so.
    with override_settings(AUDIT_READS_WAIT_FOR_DISK=False):
        _event, sql = _audit_sql(lambda: reads.changed(request, clinician, action="update"))
        assert not any("synchronous_commit" in s for s in sql)
        with transaction.atomic():
            _event, sql = _audit_sql(lambda: reads.viewed(request, clinician))
        assert not any("synchronous_commit" in s for s in sql)
    # The default: every read waits too.
    _event, sql = _audit_sql(lambda: reads.listed(request, [clinician]))
    assert not any("synchronous_commit" in s for s in sql)
    assert AuditEvent.objects.count() == 4
