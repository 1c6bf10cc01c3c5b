"""Forms: a patient's reminder preferences, and the clinic's reminder and on-call settings."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from clinic.accounts.models import User
from clinic.accounts.roles import Role
from clinic.core.timezones import COMMON_US_ZONES, other_zone_choices

SMS_CONSENT_TEXT = (
    "I agree to receive appointment reminders by text message at the number above. "
    "Message and data rates may apply. Reply STOP at any time to stop them."
)


class PreferencesForm(forms.Form):
    """Email always; text messages too only with a mobile number and ticked consent."""

    sms = forms.BooleanField(
        required=False,
        label="Also send me reminders by text message (SMS)",
        help_text="Untick this to stop text messages at once. Email reminders continue.",
    )
    sms_consent = forms.BooleanField(required=False, label=SMS_CONSENT_TEXT)
    # Not required, so a post without it (an older page) leaves the zone as it is.
    time_zone = forms.ChoiceField(
        required=False,
        label="Your time zone",
        help_text="Appointment times on this site, in emails and in text messages are shown "
        "in this zone, and texts never arrive at night there.",
    )

    def __init__(self, *args, phone: str = "", time_zone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.phone = phone
        field = self.fields["time_zone"]
        field.choices = [
            ("Common US time zones", COMMON_US_ZONES),
            ("Other time zones", other_zone_choices()),
        ]
        field.initial = time_zone or settings.CLINIC_TIME_ZONE

    def clean(self):
        data = super().clean()
        if not data.get("sms"):
            return data
        if not self.phone:
            self.add_error(
                "sms",
                "We don't have a mobile number for you. Add it in your intake's “About you” "
                f"step, or call the clinic on {settings.CLINIC['phone']}.",
            )
        elif not data.get("sms_consent"):
            self.add_error(
                "sms_consent",
                "Tick this box to agree to text messages, or untick “text message” above.",
            )
        return data


class ReminderOffsetForm(forms.Form):
    hours = forms.IntegerField(
        label="Hours before the appointment",
        min_value=1,
        max_value=336,
        error_messages={
            "min_value": "Enter a number of hours from 1 to 336 (two weeks).",
            "max_value": "Enter a number of hours from 1 to 336 (two weeks).",
            "invalid": "Enter a whole number of hours, for example 24.",
            "required": "Enter how many hours before the appointment, or remove this row.",
        },
        widget=forms.NumberInput(attrs={"min": 1, "max": 336}),
    )
    email = forms.BooleanField(required=False, label="Email")
    sms = forms.BooleanField(
        required=False, label="SMS", help_text="Only to patients who agreed to texts."
    )

    def clean(self):
        data = super().clean()
        if not (data.get("email") or data.get("sms")):
            self.add_error("email", "Tick email, SMS or both.")
        return data

    def as_offset(self) -> dict:
        data = self.cleaned_data
        return {
            "hours": data["hours"],
            "channels": [c for c in ("email", "sms") if data[c]],
        }


class BaseReminderOffsetFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        # A new row starts blank even if the stored list grew since the page was loaded.
        if index >= self.initial_form_count():
            return {"initial": {}}
        return super().get_form_kwargs(index)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this reminder"

    def kept(self) -> list[ReminderOffsetForm]:
        """Rows filled in and not marked for removal (blank extra rows are ignored)."""
        return [
            f
            for i, f in enumerate(self.forms)
            if (i < self.initial_form_count() or f.has_changed())
            and not self._should_delete_form(f)
        ]

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.kept():
            hours = form.cleaned_data["hours"]
            if hours in seen:
                form.add_error("hours", f"There is already a reminder {hours} hours before.")
            seen.add(hours)
        if not self.kept():
            raise ValidationError("Keep at least one reminder.")

    def offsets(self) -> list[dict]:
        return sorted((f.as_offset() for f in self.kept()), key=lambda o: -o["hours"])


ReminderOffsetFormSet = forms.formset_factory(
    ReminderOffsetForm,
    formset=BaseReminderOffsetFormSet,
    extra=1,
    can_delete=True,
    max_num=10,
    absolute_max=10,
    validate_max=True,
)


def offsets_initial(offsets) -> list[dict]:
    """The stored JSON as formset rows; malformed rows are shown as best we can."""
    rows = []
    for row in offsets or []:
        if not isinstance(row, dict):
            continue
        channels = row.get("channels") or []
        rows.append(
            {"hours": row.get("hours"), "email": "email" in channels, "sms": "sms" in channels}
        )
    return rows


class OnCallForm(forms.Form):
    on_call = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="On-call clinicians",
        help_text="Emailed at once when a patient reports thoughts of self-harm.",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["on_call"]
        field.queryset = User.objects.with_role(Role.CLINICIAN).filter(is_active=True)
        field.label_from_instance = lambda user: f"{user} ({user.email})"

    def clean_on_call(self):
        chosen = self.cleaned_data["on_call"]
        if not chosen and self.fields["on_call"].queryset.exists():
            raise ValidationError("Choose at least one clinician: urgent safety alerts go to them.")
        return chosen
