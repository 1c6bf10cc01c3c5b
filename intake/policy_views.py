"""The screening policy page: clinicians (the medical director's permission) and clinic
admins change which findings stop a booking. Each change first shows how many open intakes
it would move to another triage level, and is saved only with a reason."""

from django.contrib import messages
from django.core import signing
from django.shortcuts import redirect, render
from django.utils import timezone

from clinic.accounts.access import require
from clinic.audit.services import record
from clinic.core.settings_forms import conflict_context, page_loaded_token, posted_loaded
from clinic.core.settings_services import SettingsConflict

from . import review, screening, settings_services, staff_forms
from .models import ScreeningPolicy
from .policy_preview import preview_policy

_SALT = "intake.policy.previewed"


@require("edit_screening_policy")
def policy(request):
    current = review.current_policy()
    form = staff_forms.PolicyForm(request.POST or None, rules=screening.RULES, current=current)
    context = {"loaded": page_loaded_token(request, settings_services.policy_values(current))}
    if request.method == "POST" and form.is_valid():
        proposal = {**form.severities(), "pcptsd_cutoff": form.cleaned_data["pcptsd_cutoff"]}
        if request.POST.get("action") == "save" and _previewed(request.POST) == proposal:
            saved = _save(request, form, current, context, proposal)
            if saved:
                return saved
        else:
            if request.POST.get("action") == "save":
                messages.warning(request, "The choices changed since the preview: check again.")
            context |= _preview(current, proposal)
    versions = ScreeningPolicy.objects.select_related("created_by")[:20]
    context |= {"form": form, "current": current, "versions": versions}
    return render(request, "staff/policy.html", context)


def _preview(current, proposal: dict) -> dict:
    severities = {k: v for k, v in proposal.items() if k != "pcptsd_cutoff"}
    proposed = screening.Policy(current.version + 1, severities, proposal["pcptsd_cutoff"])
    preview = preview_policy(current=current, proposed=proposed, today=timezone.localdate())
    return {"preview": preview, "previewed": signing.dumps(proposal, salt=_SALT)}


def _previewed(data) -> dict | None:
    try:
        return signing.loads(data.get("previewed", ""), salt=_SALT)
    except signing.BadSignature:
        return None


def _save(request, form, current, context, proposal):
    """Publish the previewed policy; the response to send, or None to show the page again."""
    reason = form.cleaned_data["reason"].strip()
    if not reason:
        form.add_error("reason", "Say why the policy changes before saving it.")
        context |= _preview(current, proposal)
        return None
    try:
        row = settings_services.publish_screening_policy(
            severities=form.severities(),
            pcptsd_cutoff=form.cleaned_data["pcptsd_cutoff"],
            author=request.user,
            reason=reason,
            loaded=posted_loaded(request.POST),
        )
    except SettingsConflict as conflict:
        context |= conflict_context(conflict)
        return None
    if row is None:
        messages.success(
            request, f"Nothing changed: the policy stays at version {current.version}."
        )
    else:
        record(
            actor=request.user,
            action="screening_policy_changed",
            request=request,
            target=row,
            detail={"version": row.version, "reason": reason},
        )
        messages.success(
            request, f"Policy version {row.version} saved. Open intakes are being re-screened."
        )
    return redirect("clinic_settings:screening_policy")
