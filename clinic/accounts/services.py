"""Account services: sign-up, verification, staff accounts and their second factor."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from clinic.audit import services as audit
from clinic.notifications import outbox, preferences

from .emails import normalise_email
from .models import User
from .roles import STAFF_ROLES, Role


def _send(user: User, kind: str, *, context: dict | None = None, key: str = "") -> None:
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
        key=f"user:{user.pk}:{kind}:{key or now.isoformat()}",
        context=context,
    )
    outbox.send_now_on_commit()


def send_password_reset(*, user: User, base_url: str) -> None:
    """The reset link (to the site it was asked on), through the outbox like every message."""
    _send(user, "password_reset", context={"base_url": base_url})


def register_patient(
    *, email: str, password: str, first_name: str, last_name: str, time_zone: str = ""
) -> User | None:
    """Create a patient account (unverified) and send the verification email once committed.

    An address that already has an account gets an email telling its owner instead, and the
    caller shows the same page either way (None is returned), so sign-up reveals nothing.
    `time_zone` (from the browser) becomes the patient's one time zone; the clinic's if empty.
    """
    existing = User.objects.filter(email=normalise_email(email)).first()
    if existing is not None:
        make_password(password)  # the same Argon2 work as a new account: no timing tell
        # At most one an hour, so nobody can flood an owner's inbox from the form.
        _send(existing, "signup_existing", key=f"{timezone.now():%Y%m%d%H}")
        return None
    with transaction.atomic():
        user = User.objects.create_user(
            email, password, role=Role.PATIENT, first_name=first_name, last_name=last_name
        )
        preferences.set_time_zone(user=user, time_zone=time_zone or settings.CLINIC_TIME_ZONE)
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


class StaffChangeRefused(Exception):
    """A change a clinic admin may not make (their own role, a clinician without a reason)."""


def create_staff_account(
    *,
    email: str,
    first_name: str,
    last_name: str,
    role: Role,
    actor: User | None = None,
    reason: str = "",
    request=None,
) -> User:
    """Create a staff account with no password and email a link to choose one.

    A new clinician is a grant of clinical access: it needs a reason and is audited.
    """
    role = Role(role)
    if role == Role.CLINICIAN and not reason.strip():
        raise StaffChangeRefused("Say why this person needs clinical access.")
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
        audit.record(
            actor=actor,
            action="staff.created",
            request=request,
            target=user,
            detail={"role": role.value, "reason": reason.strip()},
        )
    return user


def change_staff_role(*, actor: User, user: User, role: Role, reason: str, request=None) -> None:
    """Give a staff member exactly one staff role; granting clinician needs a reason (audited).

    Nobody changes their own role: a clinic admin cannot make themself a clinician.
    """
    role = Role(role)
    if role not in STAFF_ROLES:
        raise StaffChangeRefused("Staff roles only.")
    if user.pk == actor.pk:
        raise StaffChangeRefused("You cannot change your own role; ask another clinic admin.")
    if role == Role.CLINICIAN and not reason.strip():
        raise StaffChangeRefused("Say why this person needs clinical access.")
    old = user.role
    with transaction.atomic():
        user.groups.remove(*Group.objects.filter(name__in=[r.value for r in STAFF_ROLES]))
        user.groups.add(Group.objects.get(name=role.value))
        user.is_staff = role == Role.CLINIC_ADMIN or user.is_superuser
        user.save(update_fields=["is_staff"])
        audit.record(
            actor=actor,
            action="staff.role_changed",
            request=request,
            target=user,
            detail={"from": old.value if old else "", "to": role.value, "reason": reason.strip()},
        )
    user.forget_access()


def reset_second_factor(*, actor: User, user: User, reason: str, request=None) -> None:
    """Remove a staff member's authenticator and recovery codes (audited, with the reason)."""
    from . import two_factor

    with transaction.atomic():
        removed = two_factor.remove_all(user=user)
        audit.record(
            actor=actor,
            action="staff.second_factor_reset",
            request=request,
            target=user,
            detail={"reason": reason.strip(), "devices_removed": removed},
        )


def send_set_password_link(*, user: User) -> None:
    """Email a staff member a one-day link to choose a new password (nobody else sets it)."""
    send_password_reset(user=user, base_url=settings.SITE_URL)


def set_active(*, user: User, active: bool) -> None:
    """Deactivate or reactivate an account; a deactivated user cannot log in."""
    user.is_active = active
    user.save(update_fields=["is_active"])
