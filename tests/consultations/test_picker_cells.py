"""picker_cells' shortcuts give what the generic helpers they replace give."""

import datetime as dt
from html import escape
from urllib.parse import quote

import pytest
from django.template.defaultfilters import date as date_filter

from consultations.templatetags.picker_cells import _query_value, _short_date


@pytest.mark.parametrize(
    "iso",
    [
        "2026-12-03T14:15:00+00:00",
        "2026-03-08T06:45:00.500000-05:00",
        'a b&c<"x">/?',  # never a time's, but quoted and escaped all the same
    ],
)
def test_a_start_goes_in_the_query_as_quote_and_escape_put_it(iso):
    assert _query_value(iso) == escape(quote(iso, safe="/"), quote=True)


def test_a_day_is_named_as_the_date_filter_names_it():
    for n in range(366):
        day = dt.date(2028, 1, 1) + dt.timedelta(days=n)
        assert _short_date(day) == date_filter(day, "D, M j")
