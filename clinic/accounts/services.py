"""Account services: sign-up, verification and staff accounts."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from clinic.notifications import outbox

from .models import User
from .roles import Role


def _send(user: User, kind: str, *, context: dict | None = None) -> None:
    """Through the outbox: a name and a link, nothing clinical.

    The link's one-use token is made when the message is rendered (clinic/accounts/
    messages.py), so neither the row, its key nor the mail headers ever hold it.
    """
    now = timezone.now()
    outbox.enqueue(
        kind=kind,
        recipient=user,
        channel="email",
        due_at=now,
        key=f"user:{user.pk}:{kind}:{now.isoformat()}",
        context=context,
    )
    outbox.send_now_on_commit()


def send_password_reset(*, user: User, base_url: str) -> None:
    """The reset link (to the site it was asked on), through the outbox like every message."""
    _send(user, "password_reset", context={"base_url": base_url})


def register_patient(*, email: str, password: str, first_name: str, last_name: str) -> User:
    """Create a patient account (unverified) and send the verification email once committed."""
    with transaction.atomic():
        user = User.objects.create_user(
            email, password, role=Role.PATIENT, first_name=first_name, last_name=last_name
        )
        send_verification_email(user=user)
    return user


def send_verification_email(*, user: User) -> None:
    """Email the patient a one-use link that verifies their address."""
    _send(user, "verify_email")


def verify_email(*, user: User) -> None:
    """Mark the address verified (idempotent)."""
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])


def create_staff_account(*, email: str, first_name: str, last_name: str, role: Role) -> User:
    """Create a staff account with no password and email a link to choose one."""
    role = Role(role)
    with transaction.atomic():
        user = User.objects.create_user(
            email,
            None,
            role=None,
            first_name=first_name,
            last_name=last_name,
            email_verified_at=timezone.now(),
            # Only clinic admins use the Django admin.
            is_staff=role == Role.CLINIC_ADMIN,
        )
        user.groups.add(Group.objects.get(name=role.value))
        _send(user, "staff_welcome")
    return user


def set_active(*, user: User, active: bool) -> None:
    """Deactivate or reactivate an account; a deactivated user cannot log in."""
    user.is_active = active
    user.save(update_fields=["is_active"])
