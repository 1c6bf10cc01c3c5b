"""Contact preferences: from the intake's "About you" step, the portal, and SMS STOP replies;
and the patient's time zone (set at sign-up, changed in the portal)."""

from django.utils import timezone

from clinic.core.timezones import is_time_zone

from .models import ContactPreference

STOP_WORDS = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit"}
START_WORDS = {"start", "unstop", "yes"}


def update_from_answers(*, user, answers: dict) -> ContactPreference:
    """Channel, mobile number and SMS consent as the patient gave them."""
    preference, _ = ContactPreference.objects.get_or_create(user=user)
    preference.channel = "sms" if answers.get("reminder_channel") == "sms" else "email"
    preference.phone = answers.get("mobile_phone") or ""
    consent = answers.get("reminder_channel") == "sms" and answers.get("sms_consent") == "yes"
    if consent and preference.sms_consent_at is None:
        preference.sms_consent_at = timezone.now()
        preference.sms_opted_out_at = None
    elif not consent:
        preference.sms_consent_at = None
    preference.save()
    return preference


def set_time_zone(*, user, time_zone: str) -> ContactPreference:
    """The zone this person's times are shown in; only a real IANA zone name is stored."""
    if not is_time_zone(time_zone):
        raise ValueError(f"not a time zone: {time_zone!r}")
    preference, _ = ContactPreference.objects.get_or_create(user=user)
    if preference.time_zone != time_zone:
        preference.time_zone = time_zone
        preference.save(update_fields=["time_zone"])
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
