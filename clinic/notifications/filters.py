"""The staff message log's filters (django-filter): every filter lives in the URL."""

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError

from clinic.accounts.search import person_matches

from . import kinds
from .models import Message

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
    kind = filters.ChoiceFilter(choices=kinds.kind_choices, empty_label="Any kind")
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
