from django import forms

from clinic.accounts.models import User
from clinic.accounts.roles import Role
from clinic.accounts.search import person_matches

MAX_PATIENTS_MATCHED = 20


class AuditSearchForm(forms.Form):
    patient = forms.CharField(
        required=False, max_length=100, help_text="Name or email; every word must match."
    )
    staff = forms.ModelChoiceField(
        queryset=User.objects.staff_members().order_by("last_name", "first_name"),
        required=False,
        label="Staff member",
    )
    since = forms.DateField(required=False, label="From", widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("The start date is after the end date.")
        return data

    def patients(self):
        """The patients the search names (None: any patient)."""
        query = self.cleaned_data.get("patient", "").strip()
        if not query:
            return None
        matches = User.objects.with_role(Role.PATIENT).filter(person_matches(query))
        return list(matches[:MAX_PATIENTS_MATCHED])
