"""The one gate every non-public view goes through."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def require(*perms: str):
    """Anonymous users go to the login page; logged-in users without every perm get a 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perms([f"accounts.{p}" for p in perms]):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def axes_username(request, credentials=None) -> str | None:
    """The login name axes locks on, lower-cased so ALICE@ and alice@ count as one."""
    source = credentials or getattr(request, "POST", {})
    username = source.get("username")
    return username.strip().lower() if isinstance(username, str) else None
