"""Pure: merge a settings form's save with changes made since the form was opened.

A staff member may have a settings page open in two tabs, or two admins may edit at once.
The page carries the values it was loaded with (`base`); on save each field is one of:
unchanged by this form (the stored value stays, even if someone changed it meanwhile),
changed only by this form (saved), or changed by both to different values (a conflict:
nothing is saved and both values are shown).
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Conflict:
    field: str
    mine: Any  # what this form posted
    theirs: Any  # what was saved since this form was opened


def merge_fields(*, base: dict | None, mine: dict, current: dict) -> tuple[dict, list[Conflict]]:
    """The values to save, and the fields both sides changed differently.

    Without a base (an old page, or a tampered field) the form's values win, as before.
    """
    if base is None:
        return {**current, **mine}, []
    merged, conflicts = dict(current), []
    for field, value in mine.items():
        stored = current.get(field)
        # A field the page did not know (added since) counts as loaded with today's value.
        loaded = base.get(field, stored)
        if value == loaded:
            continue  # this form did not change it: keep what is stored now
        if stored not in (loaded, value):
            conflicts.append(Conflict(field, value, stored))
        merged[field] = value
    return merged, conflicts
