"""Contact preferences: from the intake's "About you" step, the portal, and SMS STOP replies."""

from django.utils import timezone

from .models import ContactPreference

STOP_WORDS = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit"}
START_WORDS = {"start", "unstop", "yes"}


def update_from_answers(*, user, answers: dict) -> ContactPreference:
    """Channel, mobile number, time zone and SMS consent as the patient gave them."""
    preference, _ = ContactPreference.objects.get_or_create(user=user)
    preference.channel = "sms" if answers.get("reminder_channel") == "sms" else "email"
    preference.phone = answers.get("mobile_phone") or ""
    preference.time_zone = answers.get("time_zone") or ""
    consent = answers.get("reminder_channel") == "sms" and answers.get("sms_consent") == "yes"
    if consent and preference.sms_consent_at is None:
        preference.sms_consent_at = timezone.now()
        preference.sms_opted_out_at = None
    elif not consent:
        preference.sms_consent_at = None
    preference.save()
    return preference


def set_sms(*, user, enabled: bool) -> ContactPreference:
    """The portal's tick box: opting in records consent now; opting out stops every SMS."""
    preference, _ = ContactPreference.objects.get_or_create(user=user)
    if enabled:
        preference.sms_consent_at = timezone.now()
        preference.sms_opted_out_at = None
        preference.channel = "sms"
    else:
        preference.sms_opted_out_at = timezone.now()
        preference.channel = "email"
    preference.save()
    return preference


def handle_inbound_sms(*, phone: str, body: str) -> int:
    """A reply from a phone: STOP opts out every account with that number; START opts in."""
    word = (body or "").strip().lower()
    matches = ContactPreference.objects.filter(phone=phone)
    if word in STOP_WORDS:
        return matches.update(sms_opted_out_at=timezone.now(), channel="email")
    if word in START_WORDS:
        return matches.exclude(sms_consent_at=None).update(sms_opted_out_at=None)
    return 0
