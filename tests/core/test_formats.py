"""Dates, phone numbers and zones as people read them (clinic.core.formats), and the
template filters every page and email uses."""

import datetime as dt

import pytest
from django.template import Context, Template

from clinic.core.formats import human_date, human_month, human_phone, zone_name


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("1980-05-14", "May 14, 1980"),
        (dt.date(2000, 1, 1), "January 1, 2000"),
        (dt.datetime(2027, 12, 31, 23, 59), "December 31, 2027"),
        (" 1980-05-04 ", "May 4, 1980"),  # no leading zero
        ("14/05/1980", "14/05/1980"),  # not a date we know: kept as typed
        ("", ""),
        (None, ""),
    ],
)
def test_dates_read_as_month_day_year(value, text):
    assert human_date(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [("2021-03", "March 2021"), ("1999-12", "December 1999"), ("2021-13", "2021-13"), ("", "")],
)
def test_months_read_as_month_and_year(value, text):
    assert human_month(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("+14132847719", "(413) 284-7719"),
        ("4132847719", "(413) 284-7719"),
        ("413-284-7719", "(413) 284-7719"),
        ("+1 413 284 7719 ext 12", "(413) 284-7719, extension 12"),
        ("+442079460000", "+44 20 7946 0000"),  # another country keeps its code
        ("call my daughter", "call my daughter"),  # never lose what was typed
        ("12", "12"),
        ("", ""),
        (None, ""),
    ],
)
def test_phone_numbers_read_as_people_write_them(value, text):
    assert human_phone(value) == text


@pytest.mark.parametrize(
    ("zone", "text"),
    [
        ("America/New_York", "Eastern time"),
        ("America/Los_Angeles", "Pacific time"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires time"),
        ("", ""),
    ],
)
def test_zones_have_everyday_names(zone, text):
    assert zone_name(zone) == text


def test_filters_are_available_in_every_template_without_load():
    html = Template("{{ d|human_date }} · {{ p|phone }} · {{ z|zone_name }}").render(
        Context({"d": "1980-05-14", "p": "+14132847719", "z": "America/New_York"})
    )
    assert html == "May 14, 1980 · (413) 284-7719 · Eastern time"
