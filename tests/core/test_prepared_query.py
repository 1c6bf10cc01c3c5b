"""clinic.core.prepared_query: what list(queryset) gives, compiled once a shape."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.core.prepared_query import PreparedQuery
from consultations.models import DateOverride, WorkingHours
from intake import services
from intake.models import Intake

pytestmark = pytest.mark.django_db


def _hours(ids):
    return WorkingHours.objects.filter(provider_id__in=ids).values_list(
        "provider_id", "weekday", "start", "end", "valid_from"
    )


def test_a_values_list_gives_the_querysets_tuples_for_each_shape(provider):
    WorkingHours.objects.filter(weekday=0).update(valid_from=dt.date(2026, 3, 1))
    prepared = PreparedQuery(_hours)
    for ids in ([provider.pk], [provider.pk, provider.pk + 1000], [provider.pk + 1000]):
        with CaptureQueriesContext(connection) as queries:
            found = prepared.rows(ids)
        assert found == list(_hours(ids)) and len(queries) == 1
    assert found == [] and len(prepared._compiled) == 2  # one a length of the list
    assert prepared.rows([provider.pk])[0][4] == dt.date(2026, 3, 1)  # converted, SQLite too
    with CaptureQueriesContext(connection) as queries:
        assert prepared.rows([]) == []  # as the queryset: no query
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
    prepared = PreparedQuery(build)
    for first, last, exclude in [(day, day, ()), (day, day + dt.timedelta(1), (made[0].pk,))]:
        found = prepared.rows(first, last, [provider.pk], *exclude)
        expected = list(build(first, last, [provider.pk], *exclude))
        assert found == expected and found
        fields = [f.attname for f in DateOverride._meta.concrete_fields]
        assert [[getattr(o, f) for f in fields] for o in found] == [
            [getattr(o, f) for f in fields] for o in expected
        ]
    moments = PreparedQuery(
        lambda start, end: Intake.objects.filter(created_at__gte=start, created_at__lt=end)
    )
    now = dt.datetime.now(dt.UTC)
    services.start_intake(patient=provider.user)
    assert moments.rows(now - dt.timedelta(hours=1), now + dt.timedelta(hours=1))
    assert moments.rows(now + dt.timedelta(hours=1), now + dt.timedelta(hours=2)) == []


def test_prepared_query_refuses_what_it_cannot_stand_in_for():

    with pytest.raises(TypeError):
        PreparedQuery(lambda status: Intake.objects.filter(status=status)).rows("draft")
    with pytest.raises(ValueError):  # a value the queryset does not use
        PreparedQuery(lambda pk: Intake.objects.all()).rows(1)
    with pytest.raises(ValueError):  # not a whole model's rows
        PreparedQuery(lambda pk: Intake.objects.filter(pk=pk).only("id")).rows(1)
