"""Forms for the schedule pages (providers, hours, date overrides, types, locations) and the
cancellation window."""

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.forms.models import model_to_dict

from clinic.accounts.models import User
from clinic.accounts.roles import Role
from clinic.core.timezones import validate_time_zone

from .concurrent_edits import ConcurrentEditsMixin
from .models import (
    AppointmentType,
    Chair,
    DateOverride,
    Location,
    OpeningHours,
    Provider,
    WorkingHours,
)

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProviderForm(ConcurrentEditsMixin, forms.ModelForm):
    time_zone = forms.CharField(
        max_length=64,
        initial=settings.CLINIC_TIME_ZONE,
        validators=[validate_time_zone],
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
        help_text="The zone this clinician's working hours are written in. Pick one from the "
        "list or type any IANA name (for example Europe/London).",
    )

    class Meta:
        model = Provider
        fields = ["user", "display_name", "time_zone", "active", "supervises_infusions"]
        labels = {
            "user": "Clinician",
            "display_name": "Name shown to patients",
            "active": "Active (sees patients and can be booked)",
            "supervises_infusions": "Supervises infusions",
        }
        help_texts = {
            "supervises_infusions": "Infusions (and their recovery) are offered only while at "
            "least one clinician marked here is working."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        taken = Provider.objects.exclude(pk=self.instance.pk).values("user_id")
        self.fields["user"].queryset = (
            User.objects.with_role(Role.CLINICIAN).filter(is_active=True).exclude(pk__in=taken)
        )
        self.fields["user"].empty_label = "Choose a clinician"
        self.fields["user"].help_text = "Active clinician accounts without a schedule yet."
        if not self.fields["user"].queryset.exists():
            self.fields["user"].help_text = (
                "Every active clinician already has a schedule. A clinic admin adds clinician "
                "accounts under Clinic admin."
            )
        self.fields["time_zone"].initial = self.instance.time_zone or settings.CLINIC_TIME_ZONE

    def clean_time_zone(self):
        return self.cleaned_data["time_zone"].strip()


def _overlaps(a_from, a_to, b_from, b_to) -> bool:
    """Do two date ranges overlap? None means open-ended."""
    return (a_to is None or b_from is None or b_from <= a_to) and (
        b_to is None or a_from is None or a_from <= b_to
    )


class WorkingHoursForm(ConcurrentEditsMixin, forms.ModelForm):
    class Meta:
        model = WorkingHours
        fields = ["weekday", "start", "end", "valid_from", "valid_to"]
        widgets = {"start": TIME, "end": TIME, "valid_from": DATE, "valid_to": DATE}
        labels = {"start": "From", "end": "Until", "valid_to": "Valid until"}
        help_texts = {"valid_from": "Empty: from now on.", "valid_to": "Empty: no end date."}

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", "The end time must be after the start time.")
        valid_from, valid_to = data.get("valid_from"), data.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", "“Valid until” must be on or after “Valid from”.")
        return data


# Several intervals a day, every day, in a few date ranges still fits well below this.
MAX_HOURS_ROWS = 100


class BaseWorkingHoursFormSet(BaseInlineFormSet):
    default_error_messages = {
        "too_many_forms": "At most %(num)d rows of hours can be saved at once. "
        "Remove some rows or give the others date ranges.",
    }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["id"].error_messages["invalid_choice"] = (
            "This row was removed in another tab or by a colleague after you opened this "
            "page. Tick “Delete” to let it go, or copy its times into an empty row to keep them."
        )

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # A posted row whose id no longer exists: shown with its Delete box (see above).
        form.removed_elsewhere = (
            self.is_bound and i < self.initial_form_count() and (form.instance.pk is None)
        )
        return form

    def clean(self):
        super().clean()
        # Unchanged extra rows have empty cleaned_data; rows with errors already say why.
        kept = [
            f
            for f in self.forms
            if f.cleaned_data and not f.errors and not self._should_delete_form(f)
        ]
        # Rows saved in another tab after this page was opened are not in the form.
        posted = [f.instance.pk for f in self.forms if f.instance.pk]
        added_elsewhere = self.instance.hours.exclude(pk__in=posted) if self.instance.pk else []
        for i, form in enumerate(kept):
            a = form.cleaned_data
            others = [(o.cleaned_data, f"row {self.forms.index(o) + 1}") for o in kept[:i]]
            others += [(model_to_dict(h), "saved in another tab") for h in added_elsewhere]
            for b, where in others:
                if (
                    a["weekday"] == b["weekday"]
                    and a["start"] < b["end"]
                    and b["start"] < a["end"]
                    and _overlaps(a["valid_from"], a["valid_to"], b["valid_from"], b["valid_to"])
                ):
                    form.add_error(
                        "start",
                        f"Overlaps {WorkingHours.WEEKDAYS[b['weekday']][1]} "
                        f"{b['start']:%H:%M}–{b['end']:%H:%M} ({where}) "
                        "in the same dates. Change the times or the dates.",
                    )
                    break


WorkingHoursFormSet = inlineformset_factory(
    Provider,
    WorkingHours,
    form=WorkingHoursForm,
    formset=BaseWorkingHoursFormSet,
    extra=3,
    can_delete=True,
    # Posted counts are not trusted: at most this many rows are ever built.
    max_num=MAX_HOURS_ROWS,
    absolute_max=MAX_HOURS_ROWS,
    validate_max=True,
)


# Longer absences are entered as several ranges: a year keeps a typo (2072 for 2027) from
# silently closing decades.
MAX_OVERRIDE_DAYS = 366


class DateOverrideForm(forms.ModelForm):
    class Meta:
        model = DateOverride
        fields = ["kind", "provider", "start_date", "end_date", "start", "end", "note"]
        widgets = {"start_date": DATE, "end_date": DATE, "start": TIME, "end": TIME}
        labels = {
            "kind": "What",
            "start_date": "First day",
            "end_date": "Last day",
            "start": "From",
            "end": "Until",
        }
        help_texts = {
            "provider": "Leave empty for a clinic closure; required otherwise.",
            "end_date": "Included. Leave empty for one day; a two-week vacation is one entry.",
            "start": "Leave both times empty for whole days; times apply on every day.",
            "note": "Internal, for example “Thanksgiving” or “Conference”.",
        }

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["provider"].queryset = Provider.objects.filter(active=True)
        self.fields["provider"].empty_label = "Nobody (whole clinic)"
        self.fields["end_date"].required = False

    def clean(self):
        data = super().clean()
        kind, provider = data.get("kind"), data.get("provider")
        if kind == DateOverride.Kind.CLOSURE and provider:
            self.add_error("provider", "A clinic closure applies to everyone: leave this empty.")
        if kind in (DateOverride.Kind.TIME_OFF, DateOverride.Kind.EXTRA_HOURS) and not provider:
            self.add_error("provider", "Choose whose time off or extra hours this is.")
        self._clean_dates(data)
        if "start" not in self.errors and "end" not in self.errors:
            self._clean_times(kind, data.get("start"), data.get("end"))
        if not self.errors:
            self._refuse_overlaps(data)
        return data

    def _clean_dates(self, data) -> None:
        first = data.get("start_date")
        if first is None:
            return
        if first < self.today:
            self.add_error("start_date", "Choose today or a later date.")
            return
        if "end_date" in self.errors:
            return
        last = data.get("end_date") or first
        data["end_date"] = last
        if last < first:
            self.add_error(
                "end_date", f"The last day must be on or after the first day ({first:%b %-d, %Y})."
            )
        elif (last - first).days + 1 > MAX_OVERRIDE_DAYS:
            self.add_error(
                "end_date",
                f"At most {MAX_OVERRIDE_DAYS} days in one entry: check the year, or add a "
                "second entry for the rest.",
            )

    def _clean_times(self, kind, start, end) -> None:
        if start and end and end <= start:
            self.add_error("end", "The end time must be after the start time.")
        elif kind == DateOverride.Kind.EXTRA_HOURS and not (start and end):
            for name, value in (("start", start), ("end", end)):
                if not value:
                    self.add_error(name, "Extra hours need a start and an end time.")
        elif bool(start) != bool(end):
            missing = "end" if start else "start"
            self.add_error(missing, "Give both times for part of a day, or neither for all day.")

    def _refuse_overlaps(self, data) -> None:
        """Two entries that say the same or opposite things about the same time are refused:
        the same kind for the same person (or two closures), or time off against extra hours.
        A closure over someone's time off is fine: both say "not working"."""
        kind, provider = data["kind"], data.get("provider")
        kinds = {kind}
        if kind in (DateOverride.Kind.TIME_OFF, DateOverride.Kind.EXTRA_HOURS):
            kinds = {DateOverride.Kind.TIME_OFF, DateOverride.Kind.EXTRA_HOURS}
        start, end = data.get("start"), data.get("end")
        rows = DateOverride.objects.overlapping(data["start_date"], data["end_date"]).filter(
            kind__in=kinds, provider=provider
        )
        for other in rows.exclude(pk=self.instance.pk).select_related("provider"):
            if start and other.start and not (start < other.end and other.start < end):
                continue  # part-day entries at different times of the same days
            times = f", {other.start:%H:%M}–{other.end:%H:%M}" if other.start else ""
            note = f" ({other.note})" if other.note else ""
            self.add_error(
                "start_date",
                f"Overlaps {other.get_kind_display().lower()} {other.dates_display}{times}{note}, "
                "already entered. Change the dates or times, or remove that entry first.",
            )
            return


class HolidayYearForm(forms.Form):
    """Which year's public holidays to show (read from the URL)."""

    year = forms.TypedChoiceField(coerce=int, label="Year")

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["year"].initial = years[0]
        self.fields["year"].error_messages["invalid_choice"] = (
            f"Choose {', '.join(map(str, years[:-1]))} or {years[-1]}."
        )


class HolidayClosureForm(forms.Form):
    """The holidays ticked to close on; each must be one of that year's, to come, not closed."""

    dates = forms.MultipleChoiceField(
        label="Holidays to close on",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one holiday to close the clinic on."},
    )

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.fields["dates"].choices = [(r.holiday.date.isoformat(), r.holiday.name) for r in rows]
        self.fields["dates"].error_messages["invalid_choice"] = (
            "That day is not one of this year's public holidays."
        )

    def clean_dates(self):
        by_day = {r.holiday.date.isoformat(): r for r in self.rows}
        chosen = [by_day[value] for value in self.cleaned_data["dates"]]
        for row in chosen:
            if row.past:
                raise ValidationError(f"{row.holiday.name} has already passed.")
        return [row.holiday for row in chosen if not row.closed]


class AppointmentTypeForm(ConcurrentEditsMixin, forms.ModelForm):
    LIMITS = {
        "duration_minutes": (5, 480),
        "buffer_before_minutes": (0, 240),
        "buffer_after_minutes": (0, 240),
        "min_notice_hours": (0, 24 * 30),
        "horizon_days": (1, 730),
        "chair_recovery_minutes": (0, 480),
    }

    class Meta:
        model = AppointmentType
        fields = [
            "name",
            "kind",
            "active",
            "duration_minutes",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "min_notice_hours",
            "horizon_days",
            "mode",
            "bookable_by",
            "requires_approved_intake",
            "uses_chair",
            "chair_recovery_minutes",
        ]
        labels = {
            "kind": "Kind of visit",
            "active": "Active (can be booked)",
            "duration_minutes": "Length (minutes)",
            "buffer_before_minutes": "Buffer before (minutes)",
            "buffer_after_minutes": "Buffer after (minutes)",
            "min_notice_hours": "Minimum notice (hours)",
            "horizon_days": "Bookable up to (days ahead)",
            "mode": "In person or telehealth",
            "bookable_by": "Who may book it",
            "requires_approved_intake": "Needs an approved intake",
            "uses_chair": "Uses an infusion chair",
            "chair_recovery_minutes": "Chair time after the visit (recovery, minutes)",
        }
        help_texts = {
            "buffer_before_minutes": "Provider time kept free before the visit.",
            "buffer_after_minutes": "Provider time kept free after the visit (notes, cleaning).",
            "min_notice_hours": "How soon the earliest bookable time may be.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in self.LIMITS.items():
            field = self.fields[name]
            field.widget.attrs.update(min=low, max=high)
            field.validators = [v for v in field.validators if not hasattr(v, "limit_value")]
            field.validators.append(_between(low, high))

    def clean(self):
        data = super().clean()
        if data.get("uses_chair") and data.get("mode") != AppointmentType.Mode.IN_PERSON:
            self.add_error(
                "uses_chair",
                "Only in-person visits use an infusion chair: set the mode to "
                "“In person” or untick this.",
            )
        return data


def _between(low: int, high: int):
    def check(value):
        if value is not None and not low <= value <= high:
            raise ValidationError(f"Enter a number from {low} to {high}.")

    return check


class LocationForm(ConcurrentEditsMixin, forms.ModelForm):
    class Meta:
        model = Location
        fields = ["name", "kind", "address"]

    def clean(self):
        data = super().clean()
        if data.get("kind") == Location.Kind.CLINIC and not data.get("address", "").strip():
            self.add_error("address", "Give the clinic's street address: patients are sent it.")
        has_chairs = self.instance.pk and self.instance.chair_set.exists()
        if data.get("kind") == Location.Kind.TELEHEALTH and has_chairs:
            self.add_error(
                "kind", "This location has infusion chairs: remove them before making it video."
            )
        return data


class CancellationWindowForm(forms.Form):
    cancellation_window_hours = forms.IntegerField(
        label="Cancellation window (hours)",
        validators=[_between(0, 336)],
        widget=forms.NumberInput(attrs={"min": 0, "max": 336}),
    )


class CalendarForm(forms.Form):
    """The calendar's filter: which provider (or all) and which date. Read from the URL."""

    provider = forms.ModelChoiceField(
        queryset=Provider.objects.all(), required=False, empty_label="Whole clinic"
    )
    date = forms.DateField(required=False, widget=DATE)
    cancelled = forms.BooleanField(required=False, label="Show cancelled")
    # Grid (wide screens) or list (small screens, print, screen readers); not shown as a field.
    view = forms.ChoiceField(
        required=False, choices=[("grid", "Time grid"), ("list", "List")], widget=forms.HiddenInput
    )

    def __init__(self, *args, providers: list[Provider] | None = None, **kwargs):
        """`providers`: every Provider, in the queryset's order, already read (the calendar
        draws its grid's columns from them too): the choices come from that list."""
        super().__init__(*args, **kwargs)
        if providers is not None:
            self.show_providers(providers)

    def show_providers(self, providers: list[Provider]) -> None:
        """The choices drawn from these providers, read after the form was checked (the
        week reads them with its appointments): a chosen one is looked up either way."""
        field = self.fields["provider"]
        field.choices = [("", field.empty_label), *((p.pk, str(p)) for p in providers)]

    def clean_view(self):
        return self.cleaned_data["view"] or "grid"

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day and not 2000 <= day.year <= 2100:
            raise ValidationError("Choose a date between 2000 and 2100.")
        return day


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Patient name or email",
        max_length=100,
        min_length=2,
        required=False,
        error_messages={"min_length": "Type at least 2 letters."},
    )
    # Set by the links from the calendar, so no name or email travels in the URL.
    patient = forms.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )


# ------------------------------------------------------------------ infusion chairs


class ChairForm(forms.ModelForm):
    """A chair's name, unique at its location ("Chair 5", "Window bay")."""

    class Meta:
        model = Chair
        fields = ["name"]
        labels = {"name": "Chair name"}
        help_texts = {"name": "As staff call it at the front desk, for example “Chair 5”."}

    def __init__(self, *args, location: Location, **kwargs):
        self.location = location
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("Give the chair a name.")
        taken = Chair.objects.filter(location=self.location, name__iexact=name)
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(f"{self.location} already has a chair called “{name}”.")
        return name

    def validate_unique(self):
        pass  # clean_name says it in words; the database constraint is the last word


class ChairChangeForm(forms.Form):
    """Why a chair is taken out of use (kept with the change in the audit trail)."""

    reason = forms.CharField(
        label="Reason",
        max_length=200,
        help_text="For example “Broken recliner, repair booked”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Say why, for the record."},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Say why, for the record.")
        return reason


class OpeningHoursForm(forms.ModelForm):
    class Meta:
        model = OpeningHours
        fields = ["weekday", "start", "end"]
        widgets = {"start": TIME, "end": TIME}
        labels = {"start": "Opens", "end": "Closes"}

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", "The closing time must be after the opening time.")
        return data


class BaseOpeningHoursFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            f
            for f in self.forms
            if f.cleaned_data and not f.errors and not self._should_delete_form(f)
        ]
        for i, form in enumerate(kept):
            a = form.cleaned_data
            for other in kept[:i]:
                b = other.cleaned_data
                if a["weekday"] == b["weekday"] and a["start"] < b["end"] and b["start"] < a["end"]:
                    form.add_error(
                        "start",
                        f"Overlaps {b['start']:%H:%M}–{b['end']:%H:%M} on the same day "
                        f"(row {self.forms.index(other) + 1}). Change the times.",
                    )
                    break


OpeningHoursFormSet = inlineformset_factory(
    Location,
    OpeningHours,
    form=OpeningHoursForm,
    formset=BaseOpeningHoursFormSet,
    extra=3,
    can_delete=True,
    max_num=50,
    absolute_max=50,
    validate_max=True,
)
