"""Account services: sign-up, verification and staff accounts."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clinic.notifications import outbox

from .models import User
from .roles import Role
from .tokens import email_verification_token


def _link(name: str, user: User, token: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[uid, token])


def _send(user: User, kind: str, link: str, key: str) -> None:
    """Through the outbox: a name and a link, nothing clinical."""
    outbox.enqueue(
        kind=kind,
        recipient=user,
        channel="email",
        due_at=timezone.now(),
        key=key,
        context={"link": link},
    )
    outbox.send_now_on_commit()


def send_password_reset(*, user: User, link: str, token: str) -> None:
    """The reset link, through the outbox like every other message."""
    _send(user, "password_reset", link, key=f"user:{user.pk}:password_reset:{token}")


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
    token = email_verification_token.make_token(user)
    _send(
        user,
        "verify_email",
        _link("accounts:verify_email", user, token),
        key=f"user:{user.pk}:verify_email:{token}",
    )


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
        token = default_token_generator.make_token(user)
        link = _link("accounts:password_reset_confirm", user, token)
        _send(user, "staff_welcome", link, key=f"user:{user.pk}:staff_welcome:{token}")
    return user


def set_active(*, user: User, active: bool) -> None:
    """Deactivate or reactivate an account; a deactivated user cannot log in."""
    user.is_active = active
    user.save(update_fields=["is_active"])
