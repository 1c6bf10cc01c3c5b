"""Staff pages about a decision already taken: reopening it (with a confirmation page)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from clinic.accounts.access import require
from clinic.audit import reads

from . import decisions, review, staff_forms
from .models import Intake


@require("review_intakes")
def reopen(request, pk):
    """Confirm, with a reason, taking an approval (or decline, referral) back under review."""
    intake = get_object_or_404(Intake.objects.select_related("patient"), pk=pk)
    if "reopen" not in review.allowed_actions(intake):
        messages.error(
            request,
            f"An intake that is {intake.get_status_display().lower()} has no decision to reopen.",
        )
        return redirect("staff:intake", pk=intake.pk)
    form = staff_forms.ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review.reopen(intake=intake, actor=request.user, **form.cleaned_data)
        except review.ReviewError as error:
            messages.error(request, str(error))
        else:
            reads.changed(request, intake, action="review_reopen")
            messages.success(request, "Decision reopened: the intake is back in review.")
            return redirect("staff:intake", pk=intake.pk)
    reads.viewed(request, intake)
    bookings = decisions.self_booked_upcoming(intake.patient, timezone.now())
    return render(
        request, "staff/reopen.html", {"intake": intake, "form": form, "bookings": bookings}
    )
