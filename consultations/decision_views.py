"""The warning list of bookings made by patients whose decision has been reopened."""

from django.shortcuts import render
from django.utils import timezone

from clinic.accounts.access import require
from clinic.audit import reads

from .decision_flags import flagged_bookings


@require("manage_bookings")
def reopened_bookings(request):
    appointments = list(flagged_bookings(now=timezone.now()))
    reads.listed(request, appointments)
    return render(
        request, "consultations/staff/reopened_bookings.html", {"appointments": appointments}
    )
