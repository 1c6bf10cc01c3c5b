"""One form of a login email, used for storing, looking up and locking out alike."""

import unicodedata


def normalise_email(value: str) -> str:
    """NFKC + casefold: ALICE@, alice@ and a full-width ａlice@ are one login.

    The lookup and the lockout key both use this form, so a lookalike the database would
    match but Python would not (PostgreSQL's UPPER('ı') is 'I') cannot buy extra guesses.
    """
    return unicodedata.normalize("NFKC", value).strip().casefold()
