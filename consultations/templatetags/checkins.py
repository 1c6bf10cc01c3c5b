"""Check-in and booster panels for pages other apps own (the portal, the staff patient page),
so those pages need one line each."""

from django import template
from django.utils import timezone

from consultations import booster_services, boosters
from consultations.models import CheckIn
from consultations.timefmt import format_when, patient_zone

register = template.Library()


@register.inclusion_tag("consultations/_portal_checkins.html", takes_context=True)
def portal_check_ins(context):
    """The patient's open check-ins, newest first (her own only)."""
    user, now = context["request"].user, timezone.now()
    rows = list(CheckIn.objects.open(now).filter(patient=user).order_by("due_at"))
    zone = patient_zone(user) if rows else ""
    return {
        "rows": [
            (r, format_when(r.closes_at, zone, with_clinic=False) if r.closes_at else "")
            for r in rows
        ],
        "has_any": bool(rows) or CheckIn.objects.filter(patient=user, due_at__lte=now).exists(),
    }


@register.inclusion_tag("consultations/staff/_checkins_panel.html", takes_context=True)
def staff_check_in_panel(context, patient):
    """How many check-ins are open, missed, done, and the booster prompt (reasons by role)."""
    user, now = context["request"].user, timezone.now()
    clinical = user.has_perm("accounts.view_clinical_answers")
    rows = list(CheckIn.objects.filter(patient=patient, due_at__lte=now))
    prompt = next(iter(booster_services.booster_prompts(patient=patient, now=now)), None)
    texts = boosters.REASON_TEXT if clinical else boosters.REASON_TEXT_FRONT_DESK
    return {
        "patient": patient,
        "any": bool(rows),
        "done": sum(r.is_completed for r in rows),
        "open": sum(r.is_open(now) for r in rows),
        "missed": sum(r.is_missed(now) for r in rows),
        "reasons": [texts[r] for r in prompt.prompt.reasons] if prompt else [],
        "may_book": user.has_perm("accounts.manage_bookings"),
    }
