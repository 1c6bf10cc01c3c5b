"""Public holidays a clinic may close on, from the `holidays` package (pure: no ORM, no clock).

The package is data plus rules (observed days, moving feasts) kept up to date by its
maintainers, so nobody types next year's Thanksgiving by hand.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import holidays


@dataclass(frozen=True)
class Holiday:
    date: dt.date
    name: str


class UnknownRegion(ValueError):
    """The country or subdivision is not one the holidays package knows."""


def holidays_in(year: int, country: str, subdivision: str = "") -> list[Holiday]:
    """The year's public holidays, in date order; days with two names are listed once."""
    return list(_holidays_in(year, country, subdivision))


# The rules are the package's data, fixed for the life of the process, and working a year
# out costs more than the rest of the booking page's closed days: each year once.
@lru_cache(maxsize=64)
def _holidays_in(year: int, country: str, subdivision: str) -> tuple[Holiday, ...]:
    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    except NotImplementedError as error:  # an unknown country or subdivision
        raise UnknownRegion(
            f"No public holidays are known for “{country}"
            f"{'-' + subdivision if subdivision else ''}”: check CLINIC_HOLIDAYS_COUNTRY and "
            "CLINIC_HOLIDAYS_SUBDIVISION."
        ) from error
    return tuple(Holiday(day, name) for day, name in sorted(calendar.items()))
