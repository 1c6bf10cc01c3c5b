"""The staff message log's filters (django-filter): every filter lives in the URL."""

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError

from clinic.accounts.search import person_matches

from .models import Message

# Each kind of message in plain words, for staff. Unknown kinds fall back to their code.
KIND_LABELS = {
    "verify_email": "Confirm email address",
    "password_reset": "Password reset",
    "staff_welcome": "Staff welcome",
    "intake_nudge_24h": "Intake reminder (after 1 day)",
    "intake_nudge_72h": "Intake reminder (after 3 days)",
    "intake_more_info": "Intake: more information needed",
    "intake_approved": "Intake approved: book now",
    "intake_decision": "Intake: update in portal",
    "booking_booked": "Appointment booked",
    "booking_rescheduled": "Appointment moved",
    "booking_cancelled": "Appointment cancelled",
    "reminder_72h": "Appointment reminder (3 days before)",
    "reminder_24h": "Appointment reminder (1 day before)",
    "reminder_2h": "Appointment reminder (2 hours before)",
    "urgent_alert": "Urgent safety alert to clinician",
    "daily_digest": "Daily summary for staff",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()


DATE_RANGE = filters.widgets.DateRangeWidget(attrs={"type": "date"})


def _check_range(value):
    # Far-off years overflow when turned into aware datetimes; nobody means them.
    for bound in (value.start, value.stop) if value else ():
        if bound and not 2000 <= bound.year <= 2100:
            raise ValidationError("Choose dates between 2000 and 2100.")
    if value and value.start and value.stop and value.stop < value.start:
        raise ValidationError("The second date must be on or after the first.")
    return value


class MessageFilterForm(forms.Form):
    def clean_due(self):
        return _check_range(self.cleaned_data.get("due"))

    def clean_created(self):
        return _check_range(self.cleaned_data.get("created"))


class MessageFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", label="Recipient name or email")
    kind = filters.ChoiceFilter(choices=list(KIND_LABELS.items()), empty_label="Any kind")
    status = filters.ChoiceFilter(choices=Message.Status.choices, empty_label="Any status")
    channel = filters.ChoiceFilter(choices=Message.Channel.choices, empty_label="Email or SMS")
    due = filters.DateFromToRangeFilter(field_name="due_at", label="Due between", widget=DATE_RANGE)
    created = filters.DateFromToRangeFilter(
        field_name="created_at", label="Created between", widget=DATE_RANGE
    )

    class Meta:
        model = Message
        fields = []
        form = MessageFilterForm

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = person_matches(value, prefix="recipient__")
        return queryset.filter(condition)
