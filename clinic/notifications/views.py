"""Message pages: the staff message log and resend, the clinic's reminder settings, a
patient's reminder preferences, and the SMS provider's webhook for STOP replies."""

import base64
import hashlib
import hmac
import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from clinic.accounts.access import require
from clinic.accounts.roles import Role
from clinic.audit import reads
from clinic.core import settings_services
from clinic.core.models import ClinicSettings
from clinic.core.settings_forms import conflict_context, page_loaded_token, posted_loaded
from clinic.core.tables import paginate

from . import dispatcher, kinds, outbox, preferences
from .filters import MessageFilter
from .forms import (
    SMS_CONSENT_TEXT,
    OnCallForm,
    PreferencesForm,
    ReminderOffsetFormSet,
    offsets_initial,
)
from .models import Attempt, ContactPreference, Message
from .tables import MessageTable, status_label

log = logging.getLogger(__name__)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _log_rows():
    tries = (
        Attempt.objects.filter(message=OuterRef("pk"))
        .order_by()
        .values("message")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Message.objects.select_related("recipient").annotate(
        tries=Coalesce(Subquery(tries), Value(0))
    )


def _can_resend(user) -> bool:
    return user.has_perm("accounts.manage_bookings") or user.has_perm(
        "accounts.manage_clinic_settings"
    )


@require("view_staff_dashboard")
def message_log(request):
    message_filter = MessageFilter(request.GET, queryset=_log_rows())
    table = MessageTable(message_filter.qs)
    RequestConfig(request, paginate=False).configure(table)
    paginate(table, request, default=50)
    reads.listed(request, (row.record for row in table.page.object_list))
    context = {"filter": message_filter, "table": table}
    return render(request, "notifications/staff/log.html", context)


@require("view_staff_dashboard")
def message_detail(request, pk):
    row = get_object_or_404(
        Message.objects.select_related("recipient", "appointment", "intake__patient"), pk=pk
    )
    reads.viewed(request, row)
    context = {
        "outbox_message": row,
        "kind": kinds.label(row.kind),
        "status": status_label(row),
        "attempts": row.attempt_log.all(),
        "can_resend": row.status == Message.Status.FAILED and _can_resend(request.user),
        "recipient_page": _patient_page(row.recipient),
    }
    return render(request, "notifications/staff/detail.html", context)


def _patient_page(user) -> str | None:
    """The staff patient page, where a wrong address is corrected (by URL name: this app
    imports no domain app)."""
    if not user.has_role(Role.PATIENT):
        return None
    try:
        return reverse("staff:patient", args=[user.pk])
    except NoReverseMatch:
        return None


@require("view_staff_dashboard")
@require_POST
def resend(request, pk):
    if not _can_resend(request.user):
        raise PermissionDenied
    row = get_object_or_404(Message, pk=pk)
    if row.status != Message.Status.FAILED:
        status = row.get_status_display().lower()
        messages.info(request, f"Only failed messages can be sent again; this one is {status}.")
        return redirect("messages:detail", pk=row.pk)
    with transaction.atomic():
        dispatcher.resend(row)
        outbox.send_now_on_commit()
    log.info("outbox message %s resent by user %s", row.pk, request.user.pk)
    messages.success(request, "Sending again now. Reload this page in a minute to see the result.")
    return redirect("messages:detail", pk=row.pk)


@require("manage_clinic_settings")
def reminder_settings(request):
    """A section of the clinic settings area (`clinic_settings:`): reminder times, on-call."""
    clinic = ClinicSettings.load()
    current = settings_services.reminder_values(clinic)
    data = request.POST if request.method == "POST" else None
    formset = ReminderOffsetFormSet(
        data, initial=offsets_initial(clinic.reminder_offsets), prefix="offsets"
    )
    on_call = OnCallForm(data, initial={"on_call": current["on_call"]})
    context = {"formset": formset, "on_call": on_call}
    context["loaded"] = page_loaded_token(request, current)
    if data is not None and all([formset.is_valid(), on_call.is_valid()]):
        try:
            settings_services.update_reminder_settings(
                offsets=formset.offsets(),
                on_call=on_call.cleaned_data["on_call"],
                actor=request.user,
                loaded=posted_loaded(request.POST),
            )
        except settings_services.SettingsConflict as conflict:
            context |= conflict_context(conflict)
        else:
            messages.success(request, "Reminder times and on-call clinicians saved.")
            return redirect("clinic_settings:reminders")
    return render(request, "notifications/staff/settings.html", context)


@require("use_patient_portal")
def contact_preferences(request):
    preference = ContactPreference.objects.filter(user=request.user).first()
    sms_on = bool(preference and preference.sms_allowed)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        phone=preference.phone if preference else "",
        time_zone=preference.time_zone if preference else "",
        initial={"sms": sms_on, "sms_consent": sms_on},
    )
    if request.method == "POST" and form.is_valid():
        messages.success(request, _apply_preference(request.user, preference, form))
        if form.cleaned_data["time_zone"]:
            preferences.set_time_zone(user=request.user, time_zone=form.cleaned_data["time_zone"])
        return redirect("messages:preferences")
    context = {"form": form, "preference": preference, "consent_text": SMS_CONSENT_TEXT}
    return render(request, "notifications/preferences.html", context)


def _apply_preference(user, preference, form) -> str:
    wanted = form.cleaned_data["sms"]
    if wanted and not (preference and preference.sms_allowed):
        preferences.set_sms(user=user, enabled=True)
        return "Text-message reminders are on. Reply STOP to any of them to stop."
    if not wanted and preference and (preference.sms_allowed or preference.channel == "sms"):
        preferences.set_sms(user=user, enabled=False)
        return "Text messages are off. Reminders will come by email."
    return "Your reminder preferences are saved."


@csrf_exempt
@require_POST
def sms_inbound(request):
    """The SMS provider's webhook: STOP opts out, START opts back in. Logs no number or text."""
    if not _from_twilio(request):
        return HttpResponseForbidden("Signature check failed.")
    # PostgreSQL refuses NUL characters in a query; no real number or reply has them.
    changed = preferences.handle_inbound_sms(
        phone=request.POST.get("From", "").replace("\x00", ""),
        body=request.POST.get("Body", "").replace("\x00", ""),
    )
    log.info("inbound SMS handled; %s preference(s) changed", changed)
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


def twilio_signature(token: str, url: str, params) -> str:
    """Twilio's X-Twilio-Signature: HMAC-SHA1 of the URL plus sorted name+value pairs."""
    payload = url + "".join(
        name + value for name in sorted(params) for value in sorted(params.getlist(name))
    )
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _from_twilio(request) -> bool:
    token = settings.TWILIO_AUTH_TOKEN
    if not token:
        return settings.DEBUG  # no token: only a developer's machine accepts unsigned posts
    given = request.headers.get("X-Twilio-Signature", "").encode()
    # Behind a TLS proxy the URL Twilio signed may be the public one (SITE_URL).
    urls = {
        request.build_absolute_uri(),
        settings.SITE_URL.rstrip("/") + request.get_full_path(),
    }
    return any(
        hmac.compare_digest(twilio_signature(token, url, request.POST).encode(), given)
        for url in urls
    )
