"""Escaping for HTML written in Python (pages whose rows are f-strings, not templates)."""

from html import escape


def e(value) -> str:
    """`{{ value }}` without localisation, as a plain str: HTML already marked safe as it
    is, anything else str()-ed and escaped (the characters Django's escape replaces). No
    lazy wrapper and no SafeString a call: a page draws thousands of values."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value), quote=True)
