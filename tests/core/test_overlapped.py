"""clinic.core.overlapped: a statement sent now and its result read by the window's end,
or before any other statement on the connection; what PostgreSQL refuses is raised."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from clinic.audit import reads
from clinic.audit.models import AuditEvent
from clinic.core import overlapped

pytestmark = pytest.mark.django_db


def _request(rf, user):
    request = rf.get("/schedule/calendar/week/")
    request.user = user
    return request


def test_an_audit_row_written_in_a_window_is_committed_and_numbered_by_its_end(rf, coordinator):
    on_postgres = connection.vendor == "postgresql"
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as sent, overlapped.window():
        event = reads.listed_patients(_request(rf, coordinator), {3, 1, 2})
        # On PostgreSQL the row is on its way and its id not read back yet; elsewhere the
        # INSERT ran as always.
        assert (event.pk is None) is on_postgres
    # Counted and logged as any other statement.
    assert len([q for q in sent if "audit_auditevent" in q["sql"]]) == 1
    row = AuditEvent.objects.get(pk=event.pk)
    assert row.patient_ids == ",1,2,3," and AuditEvent.objects.count() == before + 1


def test_a_query_inside_the_window_reads_what_was_sent_first(rf, coordinator):
    with overlapped.window():
        event = reads.listed_patients(_request(rf, coordinator), {7})
        # The connection is never asked a second thing while busy with the first.
        assert AuditEvent.objects.filter(patient_ids=",7,").count() == 1
        assert event.pk is not None  # read back before the query ran
        reads.listed_patients(_request(rf, coordinator), {8})
    assert AuditEvent.objects.filter(patient_ids__in=[",7,", ",8,"]).count() == 2


def test_what_the_database_refuses_is_raised_when_the_window_ends_and_the_connection_works_on():
    reached = False
    # The savepoint (inside the test's transaction) is undone on the error.
    with (
        pytest.raises(DatabaseError, match="no_such_table"),
        transaction.atomic(),
        overlapped.window(),
        overlapped.cursor() as cursor,
    ):
        cursor.execute("SELECT * FROM no_such_table")
        # Sent on PostgreSQL (the error comes at the window's end); elsewhere the ordinary
        # cursor has raised already.
        reached = True
    assert reached is (connection.vendor == "postgresql")
    assert AuditEvent.objects.count() >= 0  # the connection answers


def test_outside_a_window_a_cursor_is_an_ordinary_one():
    with overlapped.cursor() as cursor:
        cursor.execute("SELECT 41 + 1")
        assert cursor.fetchone()[0] == 42
    assert not overlapped.is_open()


def test_a_window_inside_a_window_leaves_the_reading_to_the_outer_one(rf, coordinator):
    with overlapped.window():
        with overlapped.window():
            event = reads.listed_patients(_request(rf, coordinator), {5})
        assert overlapped.is_open() is (connection.vendor == "postgresql")
    assert AuditEvent.objects.get(pk=event.pk).patient_ids == ",5,"


def test_in_a_transaction_begun_inside_the_window_a_row_is_written_as_always(rf, coordinator):
    with overlapped.window():
        with transaction.atomic():
            assert not overlapped.is_open()
            event = reads.listed_patients(_request(rf, coordinator), {9})
            assert event.pk is not None  # written and numbered at once
        assert overlapped.is_open() is (connection.vendor == "postgresql")
    assert AuditEvent.objects.get(pk=event.pk).patient_ids == ",9,"
