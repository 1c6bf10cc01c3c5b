import datetime as dt
from zoneinfo import ZoneInfo

NY = ZoneInfo("America/New_York")
# A fixed "now" a week before a quiet Tuesday in January (no DST nearby).
NOW = dt.datetime(2027, 1, 5, 9, 0, tzinfo=NY)
TUESDAY = dt.date(2027, 1, 12)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY).astimezone(dt.UTC)
