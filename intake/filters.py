"""The staff queue's filters (django-filter): every filter lives in the URL."""

import copy
import datetime as dt
import re
from collections import OrderedDict

import django_filters as filters
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Upper
from django.forms import MultiWidget
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator

from clinic.accounts.models import User
from clinic.accounts.roles import Role
from clinic.accounts.search import SEARCH_MAX, search_words
from clinic.core.prepared import Prepared
from clinic.core.rendered import crispy_field
from clinic.core.widgets import InlineSelect

from .models import Intake, IntakeFlag
from .questionnaire import QUESTION_BY_KEY
from .screening import RULES, Triage
from .tables import person


class FixedChoices(BaseChoiceIterator):
    """Choices as (str, str) pairs, made once and shared: never copied or normalised again.

    A form deep-copies its fields, choices and all, and Django normalises a plain list of
    choices again on every pass over it (validating, rendering): the filter panel's 110
    options cost ~600 copies and ~170 normalisations a request (issue 15)."""

    def __init__(self, choices):
        self.choices = tuple((str(value), str(label)) for value, label in choices)

    def __iter__(self):
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)

    def __deepcopy__(self, memo):
        return self  # a tuple of strings: nothing to copy


ABANDONED = "abandoned"
# The queue's default view: what a reviewer has to act on (submitted or in review).
AWAITING = "awaiting"
STATUS_CHOICES = FixedChoices(
    [
        (AWAITING, "Awaiting review"),
        *Intake.Status.choices,
        (ABANDONED, "Abandoned (no change for 7 days)"),
    ]
)
MME_BANDS = FixedChoices(
    [("none", "None"), ("<50", "Under 50"), ("caution", "50–89"), ("high", "90 or more")]
)
PHQ9_BANDS = FixedChoices(
    (b, b.capitalize()) for b in ("minimal", "mild", "moderate", "moderately severe", "severe")
)
TRIAGE_CHOICES = FixedChoices(Triage.choices())
FLAG_CHOICES = FixedChoices((rule.code, rule.title) for rule in RULES)
DIAGNOSIS_CHOICES = FixedChoices((c.value, c.label) for c in QUESTION_BY_KEY["diagnoses"].choices)


_FORM_CLASSES: dict[tuple[str, ...], type] = {}
UNASSIGNED = "null"  # the value django-filter gave "Unassigned" before: old links still work


# The clinicians, by their group's id, kept per process, and its name: one statement,
# compiled once (members_of reads the id first, a query and ~900 calls, then builds the
# list's query, ~1,300 calls more, on every page of the queue). The name is checked in
# the statement, so an id gone stale (the group made anew) finds no one and is read again.
# By id, not by name alone: see members_of for the plan a join on the name gets.
_CLINICIANS = Prepared(
    lambda group_id: (
        User.objects.filter(groups=group_id, groups__name=Role.CLINICIAN.value)
        .order_by(*User._meta.ordering)
        .values("pk", "first_name", "last_name", "email")
    )
)
_clinician_group: list[int | None] = [None]


def _clinician_group_id() -> int | None:
    group = Group.objects.filter(name=Role.CLINICIAN.value).values_list("pk", flat=True)
    return group.first()


def _clinicians() -> list[dict]:
    known = _clinician_group[0]
    rows = _CLINICIANS.rows(known) if known is not None else []
    if not rows:  # none yet, or the group is not the one kept
        _clinician_group[0] = found = _clinician_group_id()
        if found is not None and found != known:
            rows = _CLINICIANS.rows(found)
    return rows


def _clinician_choices() -> FixedChoices:
    people = ((u["pk"], person(u["first_name"], u["last_name"], u["email"])) for u in _clinicians())
    return FixedChoices([(UNASSIGNED, "Unassigned"), *people])


class _CopiedLightly:
    """A filter a FilterSet copies without its widget, choices and field.

    django-filter deep-copies every filter for each FilterSet (~1,900 calls a queue page),
    so that each can point at its own FilterSet (`parent`, where a method named by string
    is found). What else a filter holds (its field's arguments: widget, choices, label) is
    read only to make the form class's fields, and that class is made once a process
    (IntakeFilter.get_form_class): the copy shares them, and gets its own method binding.
    """

    def __deepcopy__(self, memo):
        new = copy.copy(self)
        memo[id(self)] = new
        new.method = self.method  # bound to the copy, not to the filter it was copied from
        return new


class CharFilter(_CopiedLightly, filters.CharFilter):
    pass


class ChoiceFilter(_CopiedLightly, filters.ChoiceFilter):
    pass


class DateFromToRangeFilter(_CopiedLightly, filters.DateFromToRangeFilter):
    pass


class IntakeFilter(filters.FilterSet):
    q = CharFilter(method="search", label="Search name, email, phone or date of birth")
    status = ChoiceFilter(
        widget=InlineSelect,
        choices=STATUS_CHOICES,
        method="filter_status",
        empty_label="Any status",
        # The default is not a change: the filter panel stays closed on the plain queue.
        initial=AWAITING,
    )
    triage = ChoiceFilter(widget=InlineSelect, choices=TRIAGE_CHOICES, empty_label="Any triage")
    # A filter with a method and no model field of its name has no label of its own:
    # django-filter would print "[invalid name]".
    flag = ChoiceFilter(
        widget=InlineSelect,
        choices=FLAG_CHOICES,
        method="filter_flag",
        label="Screening flag",
        empty_label="Any flag",
    )
    diagnosis = ChoiceFilter(
        widget=InlineSelect,
        choices=DIAGNOSIS_CHOICES,
        method="filter_diagnosis",
        label="Diagnosis",
        empty_label="Any diagnosis",
    )
    mme_band = ChoiceFilter(
        widget=InlineSelect, choices=MME_BANDS, label="MME/day", empty_label="Any MME"
    )
    phq9_band = ChoiceFilter(
        widget=InlineSelect, choices=PHQ9_BANDS, label="PHQ-9", empty_label="Any PHQ-9"
    )
    assigned_to = ChoiceFilter(
        widget=InlineSelect,
        choices=_clinician_choices,
        method="filter_assigned_to",
        label="Assigned clinician",
        empty_label="Anyone",
    )
    submitted = DateFromToRangeFilter(
        field_name="submitted_at",
        label="Submitted between",
        widget=filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = Intake
        fields = []

    def get_form_class(self):
        # One class a set of filters (clinicians', coordinators'), per process: django-filter
        # makes a class and its fields anew every request (~800 calls), and
        # clinic.core.rendered keys the fields it keeps by the form's class, so a class a
        # request kept nothing. The clinicians' choices are set on each form (filter_for).
        names = tuple(self.filters)
        form_class = _FORM_CLASSES.get(names)
        if form_class is None:
            form_class = _FORM_CLASSES[names] = super().get_form_class()
        return form_class

    def search(self, queryset, name, value):
        # No name, email, phone or date is longer; a pasted megabyte would only make a
        # LIKE pattern SQLite refuses ("too complex") and PostgreSQL crawls through.
        value = value.strip()[:SEARCH_MAX]
        if not value:
            return queryset
        # Every word in the patient's first name, last name or email (person_matches),
        # read from the intake's own copy of the three, a line each, in capitals: a word
        # holds no line break, so it is in the text exactly when it is in one of them
        # (migration 0016). The word is put in capitals by the database, as icontains
        # does, so the two compare as icontains compares the fields.
        condition = Q()
        for word in search_words(value):
            condition &= Q(patient_search__contains=Upper(Value(word)))
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 4 and not _as_date(value):
            condition |= Q(phone__contains=digits)
        if born := _as_date(value):
            condition |= Q(date_of_birth=born)
        return queryset.filter(condition)

    def filter_status(self, queryset, name, value):
        if value == AWAITING:
            return queryset.awaiting_review()
        if value == ABANDONED:
            return queryset.abandoned(timezone.now())
        return queryset.filter(status=value)

    def filter_assigned_to(self, queryset, name, value):
        if value == UNASSIGNED:
            return queryset.filter(assigned_to__isnull=True)
        return queryset.filter(assigned_to_id=value)

    def filter_flag(self, queryset, name, value):
        return queryset.filter(Exists(IntakeFlag.objects.filter(intake=OuterRef("pk"), code=value)))

    def filter_diagnosis(self, queryset, name, value):
        return queryset.filter(diagnosis_codes__contains=f",{value},")


def _as_date(value: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


# What a coordinator may filter by: no clinical answers or scores.
CLINICAL_FILTERS = ("triage", "flag", "diagnosis", "mme_band", "phq9_band")


_KNOWN_STATUSES = frozenset({"", *(choice for choice, _label in STATUS_CHOICES)})


def queue_status(data) -> str:
    """The status the queue shows: the URL's, or awaiting review when it is missing or not
    one we know. An empty value is a real choice ("Any status")."""
    value = data.get("status")
    return value if value in _KNOWN_STATUSES else AWAITING


def with_status(data):
    """The URL's parameters with the status the queue shows, so every page, sort and filter
    of the queue agrees on it (not only the bare URL)."""
    data = data.copy()
    data["status"] = queue_status(data)
    return data


def filter_for(user, data, queryset):
    f = IntakeFilter(data, queryset=queryset)
    if not user.has_perm("accounts.view_clinical_answers"):
        for name in CLINICAL_FILTERS:
            f.filters.pop(name, None)
    # The clinicians read once a request: the callable would read them on every pass over
    # the choices (validating a chosen one, then rendering).
    f.form.fields["assigned_to"].choices = _clinician_choices()
    return f


# Rendered select fields, per process: the filter panel's selects (about 110 options) cost
# more than the rest of the queue page to render (issue 15), and they only change with the
# value chosen and the choices offered, both part of the key. Bounded, since the key holds
# what was chosen. Text and date fields go through clinic.core.rendered, which keeps them
# only empty (or with a hole where typed text goes): a search is never kept.
_RENDERED: OrderedDict = OrderedDict()
_RENDERED_MAX = 512


def rendered_fields(form) -> list[str]:
    """Each field of the filter form as crispy renders it, from the caches."""
    return [_rendered(bound) for bound in form]


def _rendered(bound) -> str:
    widget = bound.field.widget
    if isinstance(widget, MultiWidget) and not bound.errors and not any(bound.value() or ()):
        # The date range, empty (clinic.core.rendered keeps only single widgets): 4,000
        # calls a request drawn afresh.
        key = (bound.html_name, repr(bound.value()))
    elif not isinstance(widget, InlineSelect):
        return crispy_field(bound)
    elif bound.errors:  # an odd value from the URL: drawn afresh, never kept
        return as_crispy_field(bound)
    else:
        # Fixed choices (and the empty label): a pass over them reads nothing.
        key = (bound.html_name, str(bound.value()), tuple(bound.field.choices))
    html = _RENDERED.get(key)
    if html is None:
        html = _RENDERED[key] = as_crispy_field(bound)
        if len(_RENDERED) > _RENDERED_MAX:
            _RENDERED.popitem(last=False)
    return html
