"""Forms of the staff booking pages: a time of the coordinator's own choosing."""

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings

from clinic.core.formats import zone_name

from .models import Provider


class OwnTimeForm(forms.Form):
    """A date and time staff type (outside hours, off the grid), read in clinic time.

    Prefixed "at" so its fields never mix with the picker's own query string.
    """

    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="Start time", widget=forms.TimeInput(attrs={"type": "time"}))
    provider = forms.ModelChoiceField(
        label="Clinician", queryset=Provider.objects.filter(active=True), empty_label=None
    )

    def __init__(self, *args, now: dt.datetime, **kwargs):
        kwargs.setdefault("prefix", "at")
        super().__init__(*args, **kwargs)
        self.now = now
        zone = settings.CLINIC_TIME_ZONE
        self.fields["time"].help_text = f"Clinic time ({zone_name(zone)})."

    def clean(self):
        data = super().clean()
        day, clock = data.get("date"), data.get("time")
        if day is None or clock is None:
            return data
        if not 2000 <= day.year <= 2100:
            self.add_error("date", "Choose a date between 2000 and 2100.")
            return data
        start = dt.datetime.combine(day, clock, ZoneInfo(settings.CLINIC_TIME_ZONE))
        if start <= self.now:
            self.add_error("time", "This time has passed: choose a later one.")
        data["start"] = start
        return data
