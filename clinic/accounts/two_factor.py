"""The second factor: an authenticator app (TOTP) and ten one-use recovery codes.

django-otp keeps the devices (TOTPDevice, StaticDevice) and verifies codes with replay
protection and throttling; this module decides who needs one and wraps the few steps.
"""

import segno
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

RECOVERY_CODES = 10
APP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
# Set at login when a patient has turned on a second factor (staff always need one).
OPTED_IN_SESSION_KEY = "otp_opted_in"


def required_for(user, session) -> bool:
    """Staff (every role), Django admin users, and patients who turned it on."""
    return bool(
        user.is_staff
        or user.is_superuser
        or user.is_clinic_staff
        or session.get(OPTED_IN_SESSION_KEY)
    )


def has_app(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_app(user) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (one per user, kept across reloads)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The secret in the base32 form people type into an authenticator app."""
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code, drawn on the server (no CDN)."""
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(scale=4, title="QR code for your authenticator app")


def confirm_app(*, request, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm an enrolment with a first code: new recovery codes (shown once), or None."""
    if not device.verify_token(code.strip()):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(user=device.user)
    otp_login(request, device)
    request.session[OPTED_IN_SESSION_KEY] = True
    return codes


def new_recovery_codes(*, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones; each works once."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
    return codes


def verify(*, request, code: str) -> bool:
    """Check a login's second step: a 6-digit app code, or a recovery code (used up)."""
    code = code.strip().replace(" ", "").lower()
    model = TOTPDevice if code.isdigit() else StaticDevice
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=request.user, confirmed=True):
            if device.verify_token(code):
                otp_login(request, device)
                return True
    return False


def remove_all(*, user: User) -> int:
    """Delete every second factor of a user (they enrol again at their next login)."""
    totp, _ = TOTPDevice.objects.filter(user=user).delete()
    static, _ = StaticDevice.objects.filter(user=user).delete()
    return totp + static
