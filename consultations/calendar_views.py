"""The staff calendar: day and week views, today's list with its status buttons, the
printable day sheet and a search for a patient's appointments. Times are clinic time."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from clinic.accounts.access import require
from clinic.audit import reads
from clinic.core import overlapped
from clinic.core.pages import render_large
from intake import context_processors as urgent

from . import calendar_grid, calendar_rows, selectors
from .models import Provider
from .schedule_forms import CalendarForm, SearchForm


@dataclass(frozen=True)
class Filters:
    provider: Provider | None
    day: dt.date
    cancelled: bool
    view: str = "grid"

    def query(self, day: dt.date | None = None, view: str | None = None) -> str:
        """The URL query for these filters, optionally on another day or in another view."""
        parts = [f"date={(day or self.day).isoformat()}"]
        if self.provider:
            parts.append(f"provider={self.provider.pk}")
        if self.cancelled:
            parts.append("cancelled=on")
        if (view or self.view) == "list":
            parts.append("view=list")
        return "?" + "&".join(parts)

    @property
    def grid_query(self) -> str:
        return self.query(view="grid")

    @property
    def list_query(self) -> str:
        return self.query(view="list")


def _filters(request, today: dt.date, *, dated=True) -> tuple[CalendarForm, Filters | None, list]:
    """The filter form, what it asks for (None when what was typed is not valid) and every
    provider: one query for the form's choices and the grid's columns alike."""
    providers = calendar_rows.PROVIDERS.all()
    form, filters = _filtered(request, today, dated=dated)
    form.show_providers(providers)
    return form, filters, providers


def _filtered(request, today: dt.date, *, dated=True) -> tuple[CalendarForm, Filters | None]:
    """The filter form and what it asks for (None when what was typed is not valid); its
    provider choices not yet given (a chosen provider is looked up, as it always was)."""
    form = CalendarForm(request.GET or None, initial={"date": today})
    if not dated:
        del form.fields["date"]
    if form.is_bound and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    filters = Filters(
        data.get("provider"),
        data.get("date") or today,
        data.get("cancelled", False),
        data.get("view") or "grid",
    )
    return form, filters


def _context(form, filters, today, **extra) -> dict:
    return {
        "form": form,
        "filters": filters,
        "today": today,
        "clinic_zone": settings.CLINIC_TIME_ZONE,
        **extra,
    }


def _grid(
    filters: Filters, days: list[dt.date], rows, entries, everyone, parts=None
) -> calendar_grid.Grid:
    """The time grid of these days: providers' columns (and, for the whole clinic, chairs).
    `everyone`: every Provider, as _filters() read them; `parts`: the grid's inputs as
    calendar_rows.week_page read them (else read here)."""
    inputs = calendar_rows.grid_inputs(
        provider=filters.provider,
        first=days[0],
        last=days[-1],
        active=[p for p in everyone if p.active],
        parts=parts,
    )
    providers = inputs["providers"]
    known = {pk for pk, _ in providers}
    for e in entries:  # an inactive provider's remaining bookings still get a column
        if e.appointment.provider_id not in known:
            providers.append((e.appointment.provider_id, str(e.appointment.provider)))
            known.add(e.appointment.provider_id)
    # Chairs are the clinic's, shared by every provider: counted only on whole-clinic views.
    chairs = filters.provider is None
    return calendar_grid.build(
        days=days,
        providers=providers,
        entries=entries,
        working=inputs["working"],
        cuts=inputs["cuts"],
        time_zone=settings.CLINIC_TIME_ZONE,
        chair_windows=selectors.chair_windows(rows) if chairs else (),
        chair_capacity=inputs["chair_capacity"] if chairs else 0,
        chair_title="Chairs" if len(days) > 1 else inputs["chair_title"],
        compact=len(days) > 1,
    )


def _day_page(request, template, *, force_today=False, actions=True, grid=False):
    today = selectors.local_today(timezone.now())
    form, filters, providers = _filters(request, today, dated=not force_today)
    if filters is None:
        return render(request, template, _context(form, None, today))
    start, end = selectors.day_bounds(filters.day)
    rows = selectors.appointments(
        start=start, end=end, provider=filters.provider, include_cancelled=filters.cancelled
    )
    rows = list(rows)
    reads.listed(request, rows)
    entries = selectors.entries(rows)
    # Status buttons only from the day itself on: nobody checks in tomorrow's patient. Move
    # and cancel are offered on every booked appointment, whatever its day.
    can_update = actions and filters.day <= today
    context = _context(
        form,
        filters,
        today,
        rows=entries,
        grid=_grid(filters, [filters.day], rows, entries, providers)
        if grid and filters.view == "grid"
        else None,
        show_actions=actions,
        can_update=can_update,
        today_query=filters.query(today),
        previous_query=filters.query(filters.day - dt.timedelta(days=1)),
        next_query=filters.query(filters.day + dt.timedelta(days=1)),
    )
    return render(request, template, context)


@require("manage_bookings")
def day(request):
    return _day_page(request, "consultations/staff/calendar_day.html", grid=True)


@require("manage_bookings")
def today_list(request):
    return _day_page(request, "consultations/staff/calendar_today.html", force_today=True)


@require("manage_bookings")
def day_sheet(request):
    return _day_page(request, "consultations/staff/day_sheet.html", actions=False)


@require("manage_bookings")
def week(request):
    today = selectors.local_today(timezone.now())
    form, filters = _filtered(request, today)
    if filters is None:
        form.show_providers(calendar_rows.PROVIDERS.all())
        return render(
            request, "consultations/staff/calendar_week.html", _context(form, None, today)
        )
    days = selectors.week_of(filters.day)
    start, end = selectors.day_bounds(days[0], days[-1])
    grid = filters.view == "grid"
    # Providers, appointments, the grid's inputs and the alerts banner's probe: one round
    # trip (the banner then asks no more when no alert is open).
    page = calendar_rows.week_page(
        start=start,
        end=end,
        provider=filters.provider,
        include_cancelled=filters.cancelled,
        grid=(days[0], days[-1]) if grid else None,
        also=(urgent.alert_probe(),),
    )
    urgent.probed(request, page.also[0])
    form.show_providers(page.providers)
    # Each row is its own entry (selectors.entries' names), times in clinic time.
    rows = entries = page.rows
    # The audit row is sent and the page drawn while PostgreSQL commits it; the window's
    # end confirms it before the response leaves (clinic.core.overlapped).
    with overlapped.window():
        # Each row's patient is its patient_id (what reads.listed would find, one a row).
        reads.listed_patients(request, {a.patient_id for a in rows})
        by_day: dict[dt.date, list] = {d: [] for d in days}
        for entry in entries:
            by_day[entry.day].append(entry)
        grid_drawn = (
            _grid(filters, days, rows, entries, page.providers, page.parts) if grid else None
        )
        context = _context(
            form,
            filters,
            today,
            days=list(by_day.items()),
            grid=grid_drawn,
            today_query=filters.query(today),
            previous_query=filters.query(days[0] - dt.timedelta(days=7)),
            next_query=filters.query(days[0] + dt.timedelta(days=7)),
        )
        # render() as it is for a half-megabyte page: the context let go once drawn, the
        # HTML encoded in slices (clinic.core.pages).
        response = render_large(request, "consultations/staff/calendar_week.html", context)
    return response


@require("manage_bookings")
def search(request):
    form = SearchForm(request.GET or None)
    rows = None
    if form.is_bound and form.is_valid():
        rows = selectors.search_appointments(
            query=form.cleaned_data["q"], patient_id=form.cleaned_data["patient"]
        )
    reads.listed(request, rows or [])
    context = {
        "form": form,
        "entries": selectors.entries(rows or []),
        "searched": rows is not None,
        "clinic_zone": settings.CLINIC_TIME_ZONE,
    }
    return render(request, "consultations/staff/search.html", context)
