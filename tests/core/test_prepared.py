"""clinic.core.prepared: compiled once a shape, what the queryset gives (first, all, rows)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from clinic.core.prepared import Prepared
from consultations.models import DateOverride, WorkingHours
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


def test_all_gives_what_iterating_the_queryset_gives_select_related_and_deferred_too(
    patient, clinician
):
    from intake.models import IntakeEvent

    intake = services.start_intake(patient=patient)
    IntakeEvent.objects.create(intake=intake, actor=clinician, kind=IntakeEvent.Kind.NOTE, text="a")
    IntakeEvent.objects.create(intake=intake, actor=None, kind=IntakeEvent.Kind.NOTE, text="b")

    def events(pk):
        return IntakeEvent.objects.select_related("actor", "intake").filter(intake_id=pk)

    found, expected = Prepared(events).all(intake.pk), list(events(intake.pk))
    assert found == expected and len(found) >= 2
    with CaptureQueriesContext(connection) as queries:
        for one, other in zip(found, expected, strict=True):
            assert one.actor == other.actor and one.text == other.text
            assert one.intake.answers == other.intake.answers  # converted JSON, no query
    assert len(queries) == 0
    some = Prepared(lambda pk: Intake.objects.filter(pk=pk).only("id", "status"))
    (row,) = some.all(intake.pk)
    assert row.status == intake.status and row.get_deferred_fields() >= {"answers"}


def test_run_together_gives_each_statement_its_rows_in_one_round_trip(patient, other_patient):
    from clinic.core.prepared import run_together

    mine = services.start_intake(patient=patient)
    services.start_intake(patient=other_patient)
    by_patient = Prepared(lambda pk: Intake.objects.filter(patient_id=pk))
    everyone = Prepared(lambda: Intake.objects.order_by("pk"))  # no values
    nobody = Prepared(lambda pk: Intake.objects.filter(pk=pk))
    with CaptureQueriesContext(connection) as queries:
        rows = run_together(
            [by_patient.statement(patient.pk), everyone.statement(), nobody.statement(-5)]
        )
    assert len(queries) == (1 if connection.vendor == "postgresql" else 3)
    assert by_patient.instances(rows[0]) == [mine]
    assert everyone.instances(rows[1]) == list(Intake.objects.order_by("pk"))
    assert rows[2] == []


def test_a_queryset_that_ignores_its_value_must_say_so():
    with pytest.raises(ValueError):
        Prepared(lambda _: Intake.objects.all()).statement(1)


def _hours(ids):
    return WorkingHours.objects.filter(provider_id__in=ids).values_list(
        "provider_id", "weekday", "start", "end", "valid_from"
    )


def test_a_values_list_gives_the_querysets_tuples_for_each_shape(provider):
    WorkingHours.objects.filter(weekday=0).update(valid_from=dt.date(2026, 3, 1))
    prepared = Prepared(_hours)
    for ids in ([provider.pk], [provider.pk, provider.pk + 1000], [provider.pk + 1000]):
        with CaptureQueriesContext(connection) as queries:
            found = prepared.all(ids)
        assert found == list(_hours(ids)) and len(queries) == 1
    assert found == [] and len(prepared._compiled) == 2  # one a length of the list
    assert prepared.all([provider.pk])[0][4] == dt.date(2026, 3, 1)  # converted, SQLite too
    with CaptureQueriesContext(connection) as queries:
        assert prepared.all([]) == []  # as the queryset: no query
    assert len(queries) == 0


def test_instances_dates_and_times_put_in_where_they_go(provider, follow_up):
    def build(first, last, ids, *exclude):
        rows = DateOverride.objects.overlapping(first, last).filter(provider_id__in=ids)
        return rows.exclude(pk=exclude[0]) if exclude else rows

    day = dt.date(2026, 5, 4)
    made = [
        DateOverride.objects.create(
            kind=DateOverride.Kind.TIME_OFF,
            provider=provider,
            start_date=day + dt.timedelta(n),
            end_date=day + dt.timedelta(n),
        )
        for n in range(3)
    ]
    prepared = Prepared(build)
    for first, last, exclude in [(day, day, ()), (day, day + dt.timedelta(1), (made[0].pk,))]:
        found = prepared.all(first, last, [provider.pk], *exclude)
        expected = list(build(first, last, [provider.pk], *exclude))
        assert found == expected and found
        fields = [f.attname for f in DateOverride._meta.concrete_fields]
        assert [[getattr(o, f) for f in fields] for o in found] == [
            [getattr(o, f) for f in fields] for o in expected
        ]
    moments = Prepared(
        lambda start, end: Intake.objects.filter(created_at__gte=start, created_at__lt=end)
    )
    now = dt.datetime.now(dt.UTC)
    services.start_intake(patient=provider.user)
    assert moments.all(now - dt.timedelta(hours=1), now + dt.timedelta(hours=1))
    assert moments.all(now + dt.timedelta(hours=1), now + dt.timedelta(hours=2)) == []


def test_refuses_what_it_cannot_stand_in_for():
    with pytest.raises(TypeError):
        Prepared(lambda status: Intake.objects.filter(status=status)).all("draft")
    with pytest.raises(TypeError):
        Prepared(lambda at: Intake.objects.filter(created_at__gte=at)).all(dt.datetime(2026, 1, 1))
    with pytest.raises(ValueError):  # a value the queryset does not use
        Prepared(lambda pk: Intake.objects.all()).all(1)
    with pytest.raises(ValueError):  # one of two values the queryset does not use
        Prepared(lambda pk, other: Intake.objects.filter(pk=pk)).statement(1, 2)
    with pytest.raises(ValueError):  # neither instances nor a values_list's tuples
        Prepared(lambda pk: Intake.objects.filter(pk=pk).values("id")).all(1)


def test_no_values_none_as_null_and_several_values_for_first_and_rows(patient, other_patient):
    mine = services.start_intake(patient=patient)
    services.start_intake(patient=other_patient)
    everyone = Prepared(lambda: Intake.objects.order_by("pk"))
    assert everyone.all() == list(Intake.objects.order_by("pk"))
    assert everyone.first() == Intake.objects.order_by("pk").first()
    by_patient = Prepared(lambda pk: Intake.objects.filter(patient_id=pk).values("pk"))
    assert by_patient.rows(patient.pk) == [{"pk": mine.pk}]
    assert by_patient.rows(None) == []  # None runs as NULL: no row
    among = Prepared(
        lambda ids, since: Intake.objects.filter(patient_id__in=ids, created_at__gte=since)[:1]
    )
    since = mine.created_at - dt.timedelta(hours=1)
    assert among.first([patient.pk, patient.pk + 1000], since) == mine
    assert among.first([patient.pk], mine.created_at + dt.timedelta(hours=1)) is None
    assert among.first([], since) is None  # as the queryset: no query
    in_ids = Prepared(lambda ids: Intake.objects.filter(patient_id__in=ids).values("pk"))
    assert in_ids.rows([patient.pk]) == [{"pk": mine.pk}] and in_ids.rows([]) == []
    assert in_ids.statement([patient.pk]) != in_ids.statement([patient.pk, other_patient.pk])
