"""The clinic settings overview: every section with its current values, and recent changes."""

from django.shortcuts import render

from clinic.accounts.access import require
from intake import review, screening
from intake.models import ConsentText

from . import settings_services
from .models import ClinicSettings, SettingsChange
from .settings_services import show_offsets, show_people


@require("manage_clinic_settings")
def overview(request):
    clinic = ClinicSettings.load()
    policy = review.current_policy()
    context = {
        "window_hours": clinic.cancellation_window_hours,
        "booster_weeks": clinic.booster_interval_weeks,
        "reminders": show_offsets(clinic.reminder_offsets),
        "on_call": show_people(clinic.on_call_clinicians.values_list("pk", flat=True)),
        "policy": policy,
        "stop_rules": [
            r.title
            for r in screening.RULES
            if r.editable and policy.severity_for(r) == screening.STOP
        ],
        "consent": ConsentText.current(),
        "vitals": {
            name.removeprefix("vitals_"): value
            for name, value in settings_services.vitals_values(clinic).items()
        },
        "changes": SettingsChange.objects.select_related("changed_by")[:15],
    }
    return render(request, "clinic_settings/overview.html", context)
