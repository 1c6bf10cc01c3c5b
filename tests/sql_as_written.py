"""Captured SQL as written: each EXECUTE of a statement PostgreSQL prepared
(clinic.core.server_prepared) shown as the statement it runs with its values in, and the
PREPAREs that went with it left out, so a test reads a query as the ORM wrote it whether
or not its connection had prepared it yet."""

import re

from clinic.core import server_prepared

_EXECUTE = re.compile(r"EXECUTE (c_[0-9a-f]+)(?: \((.*)\))?", re.DOTALL)
_NUMBER = re.compile(r"\$(\d+)")


def _values(text: str) -> list[str]:
    """The literals of an EXECUTE's list, as the driver wrote them: split at the commas
    outside quotes and brackets."""
    out, start, depth, i = [], 0, 0, 0
    while i < len(text):
        char = text[i]
        if char == "'":
            i += 1
            while i < len(text) and not (text[i] == "'" and text[i + 1 : i + 2] != "'"):
                i += 2 if text[i] == "'" else 1
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
        i += 1
    out.append(text[start:].strip())
    return out


def _one(sent: str) -> str:
    found = _EXECUTE.fullmatch(sent.strip())
    if found is None or (statement := server_prepared.written(found.group(1))) is None:
        return sent
    values = _values(found.group(2)) if found.group(2) is not None else []
    # As sent, the driver had made the statement's %% a % (its values are in already).
    statement = statement.replace("%%", "%")
    return _NUMBER.sub(lambda m: values[int(m.group(1)) - 1], statement)


def as_written(sql: str) -> str:
    statements = [s for s in sql.split(";\n") if not s.startswith("PREPARE c_")]
    return ";\n".join(_one(s) for s in statements)
