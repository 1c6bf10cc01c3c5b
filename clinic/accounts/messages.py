"""Account messages: confirm an email address, reset a password, a new staff account.

Each carries a one-use link whose token is made here, when the message is rendered for
sending: a token is never stored in the outbox row, its idempotency key or a mail header.
A token made at send time is valid from then for PASSWORD_RESET_TIMEOUT; a retry makes a
fresh one (the earlier one stays valid until it is used or expires).
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clinic.notifications.kinds import MessageKind, absolute_url

from .tokens import email_verification_token


def _uid(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def _verify_context(message) -> dict:
    user = message.recipient
    token = email_verification_token.make_token(user)
    return {"link": absolute_url("accounts:verify_email", _uid(user), token)}


def _set_password_link(message) -> dict:
    user = message.recipient
    path = reverse(
        "accounts:password_reset_confirm",
        args=[_uid(user), default_token_generator.make_token(user)],
    )
    # A reset asked for on the site links back to the host it was asked on (as Django's
    # reset form does); a staff welcome goes to SITE_URL.
    base = message.context.get("base_url") or settings.SITE_URL
    return {"link": base.rstrip("/") + path}


VERIFY_EMAIL = MessageKind(
    code="verify_email",
    label="Confirm email address",
    subject="Please confirm your email address",
    templates={"email": "notifications/verify_email.email.txt"},
    context=_verify_context,
)
PASSWORD_RESET = MessageKind(
    code="password_reset",
    label="Password reset",
    subject="Reset your clinic password",
    templates={"email": "notifications/password_reset.email.txt"},
    context=_set_password_link,
)
STAFF_WELCOME = MessageKind(
    code="staff_welcome",
    label="Staff welcome",
    subject="Your clinic staff account",
    templates={"email": "notifications/staff_welcome.email.txt"},
    context=_set_password_link,
)


def _login_link(message) -> dict:
    return {"link": absolute_url("accounts:login")}


# Sign-up with an address that already has an account: the page says nothing, the owner
# is told here (issue 10 §3).
SIGNUP_EXISTING = MessageKind(
    code="signup_existing",
    label="Sign-up with an existing address",
    subject="You already have a clinic account",
    templates={"email": "notifications/signup_existing.email.txt"},
    context=_login_link,
)

KINDS = [VERIFY_EMAIL, PASSWORD_RESET, STAFF_WELCOME, SIGNUP_EXISTING]
