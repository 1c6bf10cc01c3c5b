"""What every settings page carries: the values its form was loaded with.

The page sends them back signed in one hidden field, so the save can tell a field this
form changed from one it merely showed (see `clinic/core/merge.py`). Signed, so the
server only ever merges against values it produced itself.
"""

from django.core import signing

LOADED_FIELD = "loaded"
_SALT = "clinic.settings.loaded"


def loaded_token(values: dict) -> str:
    return signing.dumps(values, salt=_SALT, compress=True)


def posted_loaded(data) -> dict | None:
    """The values the posted form was loaded with; None if absent or not ours."""
    token = data.get(LOADED_FIELD, "")
    if not token:
        return None
    try:
        values = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    return values if isinstance(values, dict) else None


def page_loaded_token(request, current: dict) -> str:
    """The token a page carries: on a re-shown post (errors) still the one it was loaded
    with, so fixing a typo never hides a change made meanwhile; otherwise today's values."""
    if request.method == "POST" and posted_loaded(request.POST) is not None:
        return request.POST[LOADED_FIELD]
    return loaded_token(current)


def conflict_context(conflict) -> dict:
    """Template context for a refused save: the plain message and both values per field."""
    return {"conflicts": conflict.conflicts, "loaded": loaded_token(conflict.current)}
