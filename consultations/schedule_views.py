"""Schedule pages for coordinators and clinic admins: providers and their hours, date
overrides, appointment types, locations; and the cancellation window, one section of the
clinic settings area."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.accounts.access import require
from clinic.audit import reads
from clinic.core import settings_services
from clinic.core.models import ClinicSettings
from clinic.core.settings_forms import conflict_context, page_loaded_token, posted_loaded
from clinic.core.timezones import COMMON_US_ZONES

from . import schedule_services, selectors
from .models import AppointmentType, DateOverride, Location, Provider
from .public_holidays import Holiday, UnknownRegion, holidays_in
from .schedule_forms import (
    AppointmentTypeForm,
    CancellationWindowForm,
    DateOverrideForm,
    HolidayClosureForm,
    HolidayYearForm,
    LocationForm,
    ProviderForm,
    WorkingHoursFormSet,
)


@require("manage_schedules")
def home(request):
    outside = selectors.bookings_outside_hours(now=timezone.now())
    reads.listed(request, (e.appointment for e in outside))
    return render(request, "consultations/staff/schedule_home.html", {"outside": outside})


@require("manage_schedules")
def providers(request):
    rows = Provider.objects.select_related("user").annotate(intervals=Count("hours", distinct=True))
    return render(request, "consultations/staff/providers.html", {"providers": rows})


@require("manage_schedules")
def provider_edit(request, pk=None):
    provider = get_object_or_404(Provider, pk=pk) if pk else Provider()
    form = ProviderForm(request.POST or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        provider = form.save()
        messages.success(request, f"{provider} saved. Now set their working hours.")
        return redirect("schedule:provider_hours", pk=provider.pk)
    context = {"form": form, "provider": provider, "zones": COMMON_US_ZONES}
    return render(request, "consultations/staff/provider_form.html", context)


@require("manage_schedules")
def provider_hours(request, pk):
    provider = get_object_or_404(Provider, pk=pk)
    formset = WorkingHoursFormSet(request.POST or None, instance=provider, prefix="hours")
    if request.method == "POST" and formset.is_valid():
        formset.save()
        messages.success(request, f"Working hours for {provider} saved.")
        return redirect("schedule:provider_hours", pk=provider.pk)
    outside = selectors.bookings_outside_hours(now=timezone.now(), provider_ids=[provider.pk])
    reads.listed(request, (e.appointment for e in outside))
    context = {"provider": provider, "formset": formset, "outside": outside}
    return render(request, "consultations/staff/provider_hours.html", context)


def _affected_key(affected) -> str:
    return ",".join(str(e.appointment.pk) for e in affected)


@require("manage_schedules")
def overrides(request):
    now = timezone.now()
    today = selectors.local_today(now)
    form = DateOverrideForm(request.POST or None, today=today)
    affected = []
    if request.method == "POST" and form.is_valid():
        affected = selectors.appointments_covered_by(form.instance, now=now)
        # Saved once staff have seen exactly these bookings (a changed range warns again).
        if not affected or request.POST.get("affected_seen") == _affected_key(affected):
            override = form.save()
            _say_added(request, override, affected)
            return redirect("schedule:overrides")
    rows = DateOverride.objects.filter(end_date__gte=today).select_related("provider")
    outside = selectors.bookings_outside_hours(now=now)
    reads.listed(request, (e.appointment for e in [*affected, *outside]))
    context = {
        "form": form,
        "overrides": rows,
        "outside": outside,
        "affected": affected,
        "affected_key": _affected_key(affected),
    }
    return render(request, "consultations/staff/overrides.html", context)


def _say_added(request, override, affected) -> None:
    text = f"{override.get_kind_display()}, {override.dates_display}, added."
    if affected:
        count = len(affected)
        messages.warning(
            request,
            f"{text} {count} booked appointment{'s' if count != 1 else ''} in it "
            f"{'are' if count != 1 else 'is'} still booked: move or cancel each one (listed "
            "under “Booked appointments outside working hours”).",
        )
    else:
        messages.success(request, text)


@require("manage_schedules")
@require_POST
def override_delete(request, pk):
    override = get_object_or_404(DateOverride, pk=pk)
    override.delete()
    messages.success(request, f"{override.get_kind_display()}, {override.dates_display}, removed.")
    return redirect("schedule:overrides")


@dataclass(frozen=True)
class HolidayRow:
    holiday: Holiday
    past: bool
    closed: bool
    booked: int


def _holiday_rows(year: int, today) -> list[HolidayRow]:
    days = holidays_in(year, settings.CLINIC_HOLIDAYS_COUNTRY, settings.CLINIC_HOLIDAYS_SUBDIVISION)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    closed = schedule_services.closed_dates(first, last)
    booked = selectors.booked_per_day(first, last)
    return [HolidayRow(d, d.date < today, d.date in closed, booked.get(d.date, 0)) for d in days]


@require("manage_schedules")
def holidays(request):
    """Close the clinic on public holidays in one step: pick the year, tick the days."""
    today = selectors.local_today(timezone.now())
    years = [today.year, today.year + 1, today.year + 2]
    year_form = HolidayYearForm(request.POST or request.GET or None, years=years)
    year = year_form.cleaned_data["year"] if year_form.is_valid() else years[0]
    context = {"year_form": year_form, "year": year, "region": _region()}
    try:
        rows = _holiday_rows(year, today)
    except UnknownRegion as problem:
        return render(request, HOLIDAYS, {**context, "problem": str(problem)})
    form = HolidayClosureForm(request.POST or None, rows=rows)
    if request.method == "POST" and year_form.is_valid() and form.is_valid():
        created = schedule_services.close_on_holidays(days=form.cleaned_data["dates"])
        messages.success(
            request,
            f"The clinic is closed on {len(created)} more holiday{'s' if len(created) != 1 else ''}"
            f" in {year}. Bookings on those days are listed below to move.",
        )
        return redirect("schedule:overrides")
    context |= {"form": form, "rows": rows, "ticked": set(form["dates"].value() or [])}
    return render(request, HOLIDAYS, context)


HOLIDAYS = "consultations/staff/holidays.html"


def _region() -> str:
    country = settings.CLINIC_HOLIDAYS_COUNTRY
    sub = settings.CLINIC_HOLIDAYS_SUBDIVISION
    return f"{country}-{sub}" if sub else country


@require("manage_schedules")
def appointment_types(request):
    rows = AppointmentType.objects.all()
    return render(request, "consultations/staff/types.html", {"types": rows})


@require("manage_schedules")
def appointment_type_edit(request, pk=None):
    row = get_object_or_404(AppointmentType, pk=pk) if pk else AppointmentType()
    form = AppointmentTypeForm(request.POST or None, instance=row)
    window = ClinicSettings.load().cancellation_window_hours
    if request.method == "POST" and form.is_valid():
        row = form.save()
        messages.success(request, f"Appointment type “{row}” saved.")
        for warning in selectors.notice_warnings(window):
            messages.warning(request, warning)
        return redirect("schedule:types")
    context = {"form": form, "type": row, "window": window}
    return render(request, "consultations/staff/type_form.html", context)


@require("manage_schedules")
def locations(request):
    rows = Location.objects.annotate(
        active_chairs=Count("chair_set", filter=Q(chair_set__active=True))
    )
    return render(request, "consultations/staff/locations.html", {"locations": rows})


@require("manage_schedules")
def location_edit(request, pk=None):
    row = get_object_or_404(Location, pk=pk) if pk else Location()
    form = LocationForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        row = form.save()
        messages.success(request, f"Location “{row}” saved.")
        return redirect("schedule:locations")
    return render(
        request, "consultations/staff/location_form.html", {"form": form, "location": row}
    )


@require("manage_clinic_settings")
def cancellation_window(request):
    """A section of the clinic settings area (`clinic_settings:`), kept beside the schedules."""
    current = settings_services.cancellation_values(ClinicSettings.load())
    form = CancellationWindowForm(request.POST or None, initial=current)
    context = {
        "form": form,
        "loaded": page_loaded_token(request, current),
        "notice_warnings": selectors.notice_warnings(current["cancellation_window_hours"]),
    }
    if request.method == "POST" and form.is_valid():
        try:
            row = settings_services.update_cancellation_window(
                hours=form.cleaned_data["cancellation_window_hours"],
                actor=request.user,
                loaded=posted_loaded(request.POST),
            )
        except settings_services.SettingsConflict as conflict:
            context |= conflict_context(conflict)
        else:
            messages.success(request, "Cancellation window saved.")
            # Shown once here; the page itself then lists them while they stand.
            if selectors.notice_warnings(row.cancellation_window_hours):
                messages.warning(request, "Some appointment types' notice is now too short.")
            return redirect("clinic_settings:cancellation_window")
    return render(request, "consultations/staff/clinic_settings.html", context)
