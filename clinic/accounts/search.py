"""Finding a person by what staff type: every word must match a first name, last name or
email ("alice anderson", "anderson", "alice@ex"). One definition for every search box."""

from django.db.models import Q

SEARCH_MAX = 200  # characters of a search that count; nobody's name or email is longer


def search_words(query: str) -> list[str]:
    """The words of a search that count (no word holds whitespace)."""
    return query[:SEARCH_MAX].split()[:6]


def person_matches(query: str, prefix: str = "") -> Q:
    condition = Q()
    for word in search_words(query):
        condition &= (
            Q(**{f"{prefix}first_name__icontains": word})
            | Q(**{f"{prefix}last_name__icontains": word})
            | Q(**{f"{prefix}email__icontains": word})
        )
    return condition
