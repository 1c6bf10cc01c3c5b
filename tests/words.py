"""Whether a page says a word: not found inside a longer run of letters and digits, such as
the CSRF token every logged-in page carries (64 random letters and digits, which now and
then spell "MME" or "PEG")."""

import re


def says(html: str, word: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", html) is not None
