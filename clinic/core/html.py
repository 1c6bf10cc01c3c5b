"""Escaping for HTML written in Python (pages whose rows are f-strings, not templates)."""

from html import escape


def e(value) -> str:
    """`{{ value }}` without localisation, as a plain str: HTML already marked safe as it
    is, anything else str()-ed and escaped (the characters Django's escape replaces). No
    lazy wrapper and no SafeString a call: a page draws thousands of values."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value), quote=True)


_CHUNK = 4096  # characters: a slice of an ASCII page is ASCII, and encodes as a copy


def utf8(text: str) -> bytes:
    """text.encode(), the same bytes; fast for a large page with a few non-ASCII
    characters. Python encodes an all-ASCII str as a copy, but any other, however few its
    non-ASCII characters, a character at a time: a millisecond for the calendar week's half
    megabyte. The layout is written in ASCII, but a patient's or provider's name need not
    be (one "José" among a week's appointments was enough). In slices, only the few holding
    such characters are read that way (UTF-8 encodes each character by itself, so the
    pieces join to the whole's encoding)."""
    if text.isascii() or len(text) <= 2 * _CHUNK:
        return text.encode()
    return b"".join([text[i : i + _CHUNK].encode() for i in range(0, len(text), _CHUNK)])
