from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from phonenumber_field.formfields import PhoneNumberField

from clinic.core.timezones import is_time_zone

from .emails import normalise_email
from .models import User
from .roles import STAFF_ROLES, Role


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": (
            "That email address and password do not match an account. Check both and try "
            "again; passwords are case-sensitive."
        ),
        "inactive": "This account is no longer active. Please call the clinic.",
    }


class _EmailUnique(forms.Form):
    def clean_email(self):
        email = normalise_email(self.cleaned_data["email"])
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError("An account with this email address already exists.")
        return email


class PatientSignupForm(forms.Form):
    """No uniqueness error: sign-up never tells a stranger that an address has an account."""

    first_name = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. A short sentence you will remember works well.",
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # Filled in by static/accounts/time_zone.js from the browser; the patient can change it
    # later under "My reminders". A plain Field: whatever arrives, it never shows an error
    # on a field the patient cannot see.
    time_zone = forms.Field(required=False, widget=forms.HiddenInput)

    def clean_time_zone(self):
        """The browser's zone if it is a real one, else the clinic's: never an error."""
        zone = self.cleaned_data["time_zone"]
        return zone.strip() if is_time_zone(str(zone).strip()) else settings.CLINIC_TIME_ZONE

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords are not the same. Type them again.")
        if p1:
            probe = User(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


REASON_HELP = "Needed when giving clinical access (clinician); kept in the audit trail."


def _reason_for_clinician(form, cleaned):
    if cleaned.get("role") == Role.CLINICIAN and not cleaned.get("reason", "").strip():
        form.add_error("reason", "Say why this person needs clinical access.")


class StaffAccountForm(_EmailUnique):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=[(r.value, r.label) for r in STAFF_ROLES])
    reason = forms.CharField(max_length=500, required=False, help_text=REASON_HELP)

    def clean(self):
        cleaned = super().clean()
        _reason_for_clinician(self, cleaned)
        return cleaned


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(choices=[(r.value, r.label) for r in STAFF_ROLES])
    reason = forms.CharField(max_length=500, required=False, help_text=REASON_HELP)

    def clean(self):
        cleaned = super().clean()
        _reason_for_clinician(self, cleaned)
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=500, help_text="For example: lost phone, confirmed by phone call."
    )


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending through the outbox instead of directly."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from .services import send_password_reset

        # Django made a token for this context; ours is made at send time instead, so that
        # it is never stored in the outbox.
        base_url = f"{context['protocol']}://{context['domain']}"
        send_password_reset(user=context["user"], base_url=base_url)


class ContactDetailsForm(forms.Form):
    """A patient's contact details as staff correct them (clinic/accounts/contact.py)."""

    first_name = forms.CharField(max_length=150, label="First name")
    last_name = forms.CharField(max_length=150, label="Last name")
    email = forms.EmailField(max_length=254, label="Email (also their login)")
    phone = PhoneNumberField(required=False, label="Mobile phone")
    reason = forms.CharField(
        max_length=500,
        required=False,
        label="Why (needed when the email changes)",
        help_text="E.g. “Patient phoned: the address bounced, typo corrected”.",
    )

    def clean_phone(self):
        phone = self.cleaned_data.get("phone")
        return phone.as_e164 if phone else ""
