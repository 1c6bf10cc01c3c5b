"""Pure: dates, phone numbers and time zones as people read and say them.

One place for every page, email and `.ics` file, so "1980-05-14", "+14132847719" and
"America/New_York" never reach a reader. Plain values in, text out (no Django, no clock).
"""

import datetime as dt
import functools

import phonenumbers

# The zones' everyday names; any other zone falls back to its city ("Europe/Paris" → "Paris").
ZONE_NAMES = {
    "America/New_York": "Eastern time",
    "America/Detroit": "Eastern time",
    "America/Chicago": "Central time",
    "America/Denver": "Mountain time",
    "America/Phoenix": "Mountain time (Arizona)",
    "America/Los_Angeles": "Pacific time",
    "America/Anchorage": "Alaska time",
    "Pacific/Honolulu": "Hawaii time",
    "America/Puerto_Rico": "Atlantic time",
}


def human_date(value) -> str:
    """ "May 14, 1980" from a date, a datetime or an ISO date string; anything else as given."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            return value
    if isinstance(value, dt.date):
        return f"{value:%B} {value.day}, {value.year}"
    return "" if value is None else str(value)


def human_month(value) -> str:
    """ "March 2021" from "2021-03" (a month answer); anything else as given."""
    try:
        year, month = (int(part) for part in str(value).strip().split("-"))
        return f"{dt.date(year, month, 1):%B} {year}"
    except ValueError:
        return "" if value is None else str(value)


def human_phone(value, region: str = "US") -> str:
    """ "(413) 284-7719" for a US number, "+44 20 7946 0000" for another country's; text that
    is not a phone number comes back as typed (never lose what the patient wrote)."""
    if not value:
        return ""
    return _phone(str(value).strip(), region)


@functools.lru_cache(maxsize=1024)
def _phone(text: str, region: str) -> str:
    # Kept per process (a bounded few): finding a number's region runs a dozen patterns,
    # 0.15 ms a number, and the staff queue shows 25 of them a page (issue 15).
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_possible_number(number):
        return text
    same_country = phonenumbers.region_code_for_number(number) == region
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if same_country
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    formatted = phonenumbers.format_number(number, style)
    if number.extension:
        formatted = formatted.replace(" ext. ", ", extension ")
    return formatted


def zone_name(zone: str) -> str:
    """ "Eastern time" for America/New_York; a zone without an everyday name gives its city."""
    if zone in ZONE_NAMES:
        return ZONE_NAMES[zone]
    city = (zone or "").rsplit("/", 1)[-1].replace("_", " ")
    return f"{city} time" if city else ""
