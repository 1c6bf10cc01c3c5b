"""clinic.core.row_version: a row is written only if it is still the version that was read."""

import pytest
from django.db import connection, transaction

from clinic.audit.models import AuditEvent
from clinic.audit.services import new_event
from clinic.core import row_version
from intake import services
from intake.models import Intake

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not row_version.supported(), reason="PostgreSQL's row versions"),
]


def _read(pk):
    return Intake.objects.annotate(row_version=row_version.version(Intake)).get(pk=pk)


def _elsewhere(pk, **values):
    # A savepoint is a transaction of its own: its write makes a new row version, as
    # another connection's would.
    with transaction.atomic():
        Intake.objects.filter(pk=pk).update(**values)


def test_a_row_still_as_read_is_written_with_its_auto_now_time(patient):
    intake = _read(services.start_intake(patient=patient).pk)
    before = intake.updated_at
    intake.current_step = "pain"
    row_version.update(intake, ["current_step", "updated_at"], row_version=intake.row_version)
    stored = Intake.objects.get(pk=intake.pk)
    assert stored.current_step == "pain"
    assert stored.updated_at == intake.updated_at > before


def test_a_row_changed_since_it_was_read_is_not_written(patient):
    intake = _read(services.start_intake(patient=patient).pk)
    _elsewhere(intake.pk, answers={"main_complaint": "Knee"})
    intake.answers = {"main_complaint": "Back"}
    with pytest.raises(row_version.RowChanged):
        row_version.update(intake, ["answers"], row_version=intake.row_version)
    assert Intake.objects.get(pk=intake.pk).answers == {"main_complaint": "Knee"}


def test_rows_along_are_added_only_with_the_write(patient):
    intake = _read(services.start_intake(patient=patient).pk)

    def event(what):
        return new_event(actor=patient, action="update", patient=patient, detail={"what": what})

    intake.current_step = "pain"
    row_version.update(
        intake, ["current_step"], row_version=intake.row_version, along=[event("written")]
    )
    stale = intake.row_version  # the version just replaced
    with pytest.raises(row_version.RowChanged):
        row_version.update(intake, ["current_step"], row_version=stale, along=[event("lost")])
    rows = AuditEvent.objects.filter(patient=patient)
    assert [e.detail for e in rows] == [{"what": "written"}]
    (row,) = rows
    assert (row.actor_id, row.actor_role, row.ip, row.occurred_at is not None) == (
        patient.pk,
        "patient",
        None,
        True,
    )


def test_the_version_is_read_in_the_same_statement(patient):
    intake = services.start_intake(patient=patient)
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM intake_intake WHERE id = %s", [intake.pk])
        (xmin,) = cursor.fetchone()
    assert _read(intake.pk).row_version == xmin
