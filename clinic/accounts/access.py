"""The one gate every non-public view goes through."""

from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .emails import normalise_email


def require(*perms: str):
    """Anonymous users go to the login page; logged-in users without every perm get a 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            # The operations superuser has every permission in Django's sense but no clinic
            # role: the clinic's pages (and their patient data) are for roles only.
            if user.is_superuser and user.role is None:
                raise PermissionDenied
            if not user.has_perms([f"accounts.{p}" for p in perms]):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def axes_username(request, credentials=None) -> str | None:
    """The login name axes locks on: the same normalised form the user lookup uses."""
    source = credentials or getattr(request, "POST", {})
    username = source.get("username")
    return normalise_email(username) if isinstance(username, str) else None


def too_many_failures_from(request) -> bool:
    """Password spraying: AXES_IP_FAILURE_LIMIT failed logins from one address, any accounts."""
    from axes.models import AccessAttempt
    from django.db.models import Sum
    from django.utils import timezone

    from clinic.audit.client import client_ip

    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    failures = AccessAttempt.objects.filter(
        ip_address=client_ip(request), attempt_time__gte=since
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return (failures or 0) >= settings.AXES_IP_FAILURE_LIMIT
