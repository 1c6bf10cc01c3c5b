"""Pure: does a typed signature resemble the full name the patient gave?

A consent signed "M" records nothing anyone could recognise. The rule asks for the first
and last name as given on the first step, forgiving what a tired patient on a phone does:
capitals, accents, hyphens or extra spaces, a middle name, the names in either order, and a
slip of a letter or two. It never refuses a name because it looks unusual.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

# How alike a typed word and a given name must be (0–100): "Andersen" for "Anderson"
# passes, "M" for "Maria" does not.
SIMILAR = 80


def _words(text: object) -> list[str]:
    if not isinstance(text, str):
        return []
    folded = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in folded if not unicodedata.combining(c))
    return re.findall(r"[^\W\d_]+", letters)


def _has(words: list[str], name_words: list[str]) -> bool:
    """Every word of a given name appears, nearly, among the signature's words; a name
    typed without its space or hyphen ("garcialopez") counts too."""
    joined = "".join(words)
    if name_words and "".join(name_words) in joined:
        return True
    return all(any(fuzz.ratio(w, n) >= SIMILAR for w in words) for n in name_words)


def signature_problem(signature: object, *, first: object, last: object) -> str:
    """ "" when signature resembles first + last name, else a kind message saying what to
    type. Without a name to compare (not given yet), two words of two letters or more."""
    words = _words(signature)
    first_words, last_words = _words(first), _words(last)
    if not first_words or not last_words:
        if len([w for w in words if len(w) > 1]) >= 2:
            return ""
        return "Please type your first and last name as your signature."
    # A first name of several words ("Mary Ann") is signed with its first word at least.
    if _has(words, first_words[:1]) and _has(words, last_words):
        return ""
    given = " ".join(str(part).strip() for part in (first, last))
    return (
        f"Please type your full name as your signature, as you gave it at the start: {given}. "
        "It does not need to match exactly."
    )
