"""Forms of the infusion record, for a phone or tablet at the chair: times of day, whole
numbers and four-step scales. There is no dose field: the app never suggests a dose."""

import datetime as dt
import re

from django import forms

from . import record_services, vitals
from .models import VitalsReading

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
Severity = VitalsReading.Severity


def _number(label: str, low: int, high: int, unit: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=f"{label} ({unit})",
        required=False,
        min_value=low,
        max_value=high,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": low, "max": high}),
    )


def _scale(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[("", "Not asked")] + list(Severity.choices),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "side-effect"}),
    )


class VisitForm(forms.Form):
    arrived = forms.TimeField(label="Arrived at", required=False, widget=TIME)
    discharged = forms.TimeField(label="Discharged at", required=False, widget=TIME)
    driver_name = forms.CharField(
        label="Driver taking the patient home",
        required=False,
        max_length=120,
        help_text="No driving for 24 hours: the patient leaves with this person.",
    )


class ClinicalForm(forms.Form):
    medication_as_charted = forms.CharField(
        label="Medication given, as charted",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="In your own words from the chart. The app never computes or suggests a dose.",
    )
    stopped_early = forms.BooleanField(label="The infusion was stopped early", required=False)
    stopped_early_reason = forms.CharField(
        label="Why it was stopped early",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label="Note", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        if data.get("stopped_early") and not data.get("stopped_early_reason", "").strip():
            self.add_error("stopped_early_reason", "Say why the infusion was stopped early.")
        return data


class ReadingForm(forms.Form):
    phase = forms.ChoiceField(
        label="When",
        choices=VitalsReading.Phase.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose before, during or after."},
    )
    taken = forms.TimeField(
        label="Time taken",
        widget=TIME,
        error_messages={"required": "Enter the time the reading was taken."},
    )
    systolic = _number("Systolic BP", 40, 300, "mmHg")
    diastolic = _number("Diastolic BP", 20, 200, "mmHg")
    heart_rate = _number("Heart rate", 20, 250, "bpm")
    spo2 = _number("SpO2", 50, 100, "%")
    nausea = _scale("Nausea")
    dissociation = _scale("Dissociation")
    anxiety = _scale("Anxiety")
    headache = _scale("Headache")

    def clean(self):
        data = super().clean()
        values = [*record_services.READING_VALUES, *record_services.SIDE_EFFECTS]
        if all(data.get(name) is None for name in values) and not self.errors:
            raise forms.ValidationError("Enter at least one value.")
        systolic, diastolic = data.get("systolic"), data.get("diastolic")
        if (systolic is None) != (diastolic is None):
            self.add_error("diastolic" if systolic else "systolic", "Enter both BP values.")
        elif systolic is not None and diastolic >= systolic:
            self.add_error("diastolic", "Diastolic is higher than systolic: check the numbers.")
        if data.get("phase") == VitalsReading.Phase.AFTER:
            for name in record_services.SIDE_EFFECTS:
                if data.get(name) is None:
                    self.add_error(name, "After the infusion, record every side effect.")
        return data

    def values(self) -> dict:
        names = (*record_services.READING_VALUES, *record_services.SIDE_EFFECTS)
        return {name: self.cleaned_data.get(name) for name in names}


class LateReadingForm(ReadingForm):
    """A reading added to a signed record: the same values, and why it comes late."""

    reason = forms.CharField(
        label="Why it is added after signing",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the reading is added after signing."},
    )


class StoppedEarlyCorrectionForm(forms.Form):
    """Whether a signed infusion was stopped early, and why, corrected with a reason."""

    stopped_early = forms.TypedChoiceField(
        label="Was the infusion stopped early?",
        choices=[("yes", "Yes, it was stopped early"), ("no", "No, it ran to the end")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no."},
    )
    why = forms.CharField(
        label="Why it was stopped early",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        label="Reason for this correction",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the value is corrected."},
    )

    def clean(self):
        data = super().clean()
        if data.get("stopped_early") and not data.get("why", "").strip():
            self.add_error("why", "Say why the infusion was stopped early.")
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why."},
    )


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label="What to correct")
    value = forms.CharField(
        label="Correct value",
        max_length=2000,
        required=False,
        help_text="Times as HH:MM; vitals as whole numbers; side effects 0 none to 3 severe.",
    )
    reason = forms.CharField(
        label="Why it is corrected",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the value is corrected."},
    )

    def __init__(self, *args, choices, appointment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = choices
        self.appointment = appointment

    def clean(self):
        data = super().clean()
        field, raw = data.get("field"), (data.get("value") or "").strip()
        if not field:
            return data
        try:
            data["typed"] = self._typed(field, raw)
        except ValueError as problem:
            self.add_error("value", str(problem))
        return data

    def _typed(self, field: str, raw: str):
        name = field.rsplit(":", 1)[-1]
        if name in ("arrived_at", "discharged_at"):
            match = re.fullmatch(r"(\d{1,2}):(\d{2})", raw)
            if not match or int(match[1]) > 23 or int(match[2]) > 59:
                raise ValueError("Enter a time as HH:MM, for example 14:05.")
            time = dt.time(int(match[1]), int(match[2]))
            return record_services.at_local_time(self.appointment, time)
        if name in record_services.READING_VALUES or name in record_services.SIDE_EFFECTS:
            if raw == "":
                return None
            if not raw.isdigit():
                raise ValueError("Enter a whole number.")
            number = int(raw)
            if name in record_services.SIDE_EFFECTS and number > 3:
                raise ValueError("Side effects go from 0 (none) to 3 (severe).")
            if number > 300:
                raise ValueError("That number is out of range.")
            return number
        if name == "driver_name" and not raw:
            raise ValueError("The patient leaves with a driver: enter the name.")
        return raw


class VitalsLimitsForm(forms.Form):
    """The clinic's limits; a reading outside them is highlighted on the record."""

    vitals_systolic_min = forms.IntegerField(label="Systolic BP, lowest (mmHg)", min_value=40)
    vitals_systolic_max = forms.IntegerField(label="Systolic BP, highest (mmHg)", max_value=300)
    vitals_diastolic_min = forms.IntegerField(label="Diastolic BP, lowest (mmHg)", min_value=20)
    vitals_diastolic_max = forms.IntegerField(label="Diastolic BP, highest (mmHg)", max_value=200)
    vitals_heart_rate_min = forms.IntegerField(label="Heart rate, lowest (bpm)", min_value=20)
    vitals_heart_rate_max = forms.IntegerField(label="Heart rate, highest (bpm)", max_value=250)
    vitals_spo2_min = forms.IntegerField(label="SpO2, lowest (%)", min_value=50, max_value=100)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        limits = vitals.Limits(
            **{name.removeprefix("vitals_"): value for name, value in data.items()}
        )
        for problem in limits.problems():
            raise forms.ValidationError(problem)
        return data
