"""clinic.core.prepared: `first` gives, compiled once, what the queryset's .first() gives."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from clinic.core.prepared import Prepared
from intake import services
from intake.models import Intake

pytestmark = pytest.mark.django_db

OPEN = Prepared(lambda patient_id: Intake.objects.open().filter(patient_id=patient_id)[:1])


def test_the_first_row_for_each_value_fully_loaded(patient, other_patient):
    mine = services.start_intake(patient=patient)
    Intake.objects.filter(pk=mine.pk).update(answers={"main_complaint": "Back"})
    services.start_intake(patient=other_patient)
    Intake.objects.filter(pk=mine.pk).update(height_cm=Decimal("170.5"), reopened_sections=["pain"])
    found = OPEN.first(patient.pk)
    expected = Intake.objects.open().filter(patient=patient).first()
    assert found == expected
    fields = [f.attname for f in Intake._meta.concrete_fields]
    assert [getattr(found, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert found.height_cm == Decimal("170.5") and found.created_at.tzinfo is not None
    assert not found._state.adding
    assert found.answers == {"main_complaint": "Back"}  # JSON converted as by the queryset
    assert found.get_deferred_fields() == set()
    assert OPEN.first(other_patient.pk).patient_id == other_patient.pk
    assert OPEN.first(patient.pk + other_patient.pk + 1000) is None


def test_compiled_once_then_one_query_a_run(patient):
    services.start_intake(patient=patient)
    prepared = Prepared(lambda patient_id: Intake.objects.filter(patient_id=patient_id)[:1])
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert prepared.first(patient.pk) is not None
        assert len(queries) == 1
    assert len(prepared._compiled) == 1


def test_a_locking_queryset_keeps_its_lock(patient):
    services.start_intake(patient=patient)
    locking = Prepared(lambda pk: Intake.objects.filter(patient_id=pk).select_for_update()[:1])
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locking.first(patient.pk)
    if connection.features.has_select_for_update:
        assert queries[0]["sql"].endswith("FOR UPDATE")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_locking_query_outside_a_transaction_is_refused_every_time(patient):
    # Django refuses it when it compiles; compiled once, it must still be refused each run.
    services.start_intake(patient=patient)
    locking = Prepared(lambda pk: Intake.objects.filter(patient_id=pk).select_for_update()[:1])
    with transaction.atomic():
        locking.first(patient.pk)
    if connection.features.has_select_for_update:
        with pytest.raises(transaction.TransactionManagementError):
            locking.first(patient.pk)


def test_first_reads_whole_instances_only(patient):
    services.start_intake(patient=patient)
    some = Prepared(lambda pk: Intake.objects.filter(patient_id=pk).only("id", "status")[:1])
    with pytest.raises(ValueError):
        some.first(patient.pk)
