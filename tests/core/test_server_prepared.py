"""clinic.core.server_prepared: PostgreSQL plans a fixed statement once a connection."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from clinic.core import server_prepared
from clinic.core.prepared import Prepared, run_together
from intake import services
from intake.models import Intake

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (CI runs it)"),
]

BY_PATIENT = Prepared(lambda pk: Intake.objects.filter(patient_id=pk).only("id", "status"))


def _held() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def _sent(queries) -> list[str]:
    """What was sent (the tests' captured queries show each EXECUTE as written)."""
    return [q["sql"] for q in connection.queries[queries.initial_queries : queries.final_queries]]


def _as_run(sent: str) -> str:
    """The statement an EXECUTE ran, or what was sent."""
    name = sent.rsplit("EXECUTE ", 1)[-1].split()[0] if "EXECUTE " in sent else ""
    return server_prepared.written(name) or sent


def _run(statements):
    with connection.cursor() as cursor:
        server_prepared.execute(cursor, connection, statements)
        out = [cursor.fetchall()]
        while len(out) < len(statements) and cursor.nextset():
            out.append(cursor.fetchall())
        return out


def test_a_statement_is_prepared_in_the_round_trip_that_first_runs_it_then_only_executed(
    patient,
):
    mine = services.start_intake(patient=patient)
    sent = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert [row.pk for row in BY_PATIENT.all(patient.pk)] == [mine.pk]
        assert len(queries) == 1
        sent.append(_sent(queries)[0])
    assert sent[0].startswith("PREPARE c_") and "\nEXECUTE c_" in sent[0]
    assert sent[1] == sent[2] and sent[1].startswith("EXECUTE c_")
    assert sent[1].split()[1] in _held()


def test_run_together_prepares_what_is_new_and_gives_each_statement_its_rows(
    patient, other_patient
):
    mine = services.start_intake(patient=patient)
    theirs = services.start_intake(patient=other_patient)
    BY_PATIENT.all(patient.pk)  # prepared already
    everyone = Prepared(lambda: Intake.objects.order_by("pk").values_list("pk"))
    with CaptureQueriesContext(connection) as queries:
        rows = run_together(
            [
                BY_PATIENT.statement(patient.pk),
                everyone.statement(),
                BY_PATIENT.statement(other_patient.pk),
            ]
        )
    assert len(queries) == 1
    assert _sent(queries)[0].count("PREPARE ") == 1  # the new one only, once
    # As a test reads it: the three statements as written, their values in.
    written = queries[0]["sql"].split(";\n")
    assert len(written) == 3 and all(w.startswith("SELECT ") for w in written)
    assert f'"patient_id" = {other_patient.pk}' in written[2]
    assert [r[0] for r in rows[0]] == [mine.pk]
    assert [r[0] for r in rows[1]] == sorted([mine.pk, theirs.pk])
    assert [r[0] for r in rows[2]] == [theirs.pk]


def test_a_value_of_another_type_is_its_own_statement_and_percent_signs_survive():
    text = "SELECT %s::text || '100%%', %s + 1"
    assert _run([(text, ["a", 1])]) == [[("a100%", 2)]]
    assert _run([(text, ["b", 1.5])]) == [[("b100%", 2.5)]]  # a float: another statement
    assert _run([(text, ["c", 2])]) == [[("c100%", 3)]]
    assert len([n for n in _held() if n.startswith("c_")]) >= 2


def test_a_choice_is_typed_as_the_text_or_number_it_is():
    from intake.models import IntakeStatus

    with CaptureQueriesContext(connection) as queries:
        assert _run([("SELECT %s || '!'", [IntakeStatus.SUBMITTED])]) == [[("submitted!",)]]
    assert "(text) AS" in _sent(queries)[0]
    assert queries[0]["sql"] == "SELECT 'submitted' || '!'"


def test_a_none_runs_as_written(patient):
    text = "SELECT %s IS NULL"  # PostgreSQL could not type this parameter
    with CaptureQueriesContext(connection) as queries:
        assert _run([(text, [None])]) == [[(True,)]]
    assert _sent(queries)[0] == "SELECT NULL IS NULL"


def test_after_a_failed_string_what_the_server_holds_is_read_back(patient):
    services.start_intake(patient=patient)
    divide = "SELECT 10 / %s"
    with pytest.raises(DatabaseError), transaction.atomic():
        _run([(divide, [0])])  # prepared, then failed as it ran
    assert _run([(divide, [5])]) == [[(2,)]]  # executed without preparing it again
    with pytest.raises(DatabaseError), transaction.atomic():
        _run([("SELECT %s + no_such_column", [1])])  # refused as it was prepared
    assert _run([(divide, [2])]) == [[(5,)]]


def test_turned_off_the_statement_goes_as_written(settings, patient):
    settings.DATABASE_PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as queries:
        BY_PATIENT.all(patient.pk)
    assert _sent(queries)[0].startswith("SELECT ")


def test_an_audit_row_with_no_patient_is_prepared_as_its_columns_are_typed(clinician):
    from clinic.audit import services
    from clinic.audit.models import AuditEvent

    with CaptureQueriesContext(connection) as queries:
        first = services.record(actor=clinician, action="list", patient_ids=[1, 2])
        second = services.record(actor=None, action="login_failed")
    # (The actor's role reads their groups first.) One statement for both rows, the second
    # only executed, NULLs and all.
    inserts = [q for q in _sent(queries) if 'INSERT INTO "audit_auditevent"' in _as_run(q)]
    first_sent, second_sent = inserts
    assert second_sent.startswith("EXECUTE c_") and "NULL" in second_sent
    assert second_sent.split()[1] in first_sent
    rows = AuditEvent.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk")
    assert [(r.actor_id, r.patient_ids) for r in rows] == [(clinician.pk, ",1,2,"), (None, "")]
