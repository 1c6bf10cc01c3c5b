"""IANA time zone names people may choose: a short list of common US zones first, and any
other real zone typed or picked from the browser."""

import zoneinfo
from functools import lru_cache

from django.core.exceptions import ValidationError

# Offered first in the time zone lists; any other IANA name is accepted too.
COMMON_US_ZONES = [
    ("America/New_York", "Eastern (New York)"),
    ("America/Chicago", "Central (Chicago)"),
    ("America/Denver", "Mountain (Denver)"),
    ("America/Phoenix", "Mountain, no DST (Phoenix)"),
    ("America/Los_Angeles", "Pacific (Los Angeles)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
    ("America/Puerto_Rico", "Atlantic (Puerto Rico)"),
]

# Files in the zoneinfo folder that are not zones a person would pick.
NOT_ZONES = {"localtime", "posixrules", "Factory"}


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) - NOT_ZONES


def is_time_zone(name) -> bool:
    # Checked against the list rather than ZoneInfo(name) alone, which also opens
    # odd file names and paths.
    return isinstance(name, str) and name in known_zones()


def validate_time_zone(name: str) -> None:
    if not is_time_zone(name):
        raise ValidationError(
            "“%(name)s” is not a time zone name. Use a name like America/Chicago.",
            params={"name": name},
        )


def other_zone_choices() -> list[tuple[str, str]]:
    """Every other known zone, alphabetically, for the long part of a list."""
    common = {code for code, _ in COMMON_US_ZONES}
    return [(name, name.replace("_", " ")) for name in sorted(known_zones() - common)]
