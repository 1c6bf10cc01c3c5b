"""Forms for staff actions on an intake and for the clinic's screening policy."""

from django import forms
from django.forms.models import ModelChoiceIterator

from clinic.accounts.models import User
from clinic.accounts.roles import Role

from .models import ChecklistItem, DeclineTemplate
from .questionnaire import SECTIONS


class ListedChoices(ModelChoiceIterator):
    """A short list of choices read in one plain query, kept for the form's life.

    Django's iterator reads through `QuerySet.iterator()`, which on PostgreSQL is a
    server-side cursor: DECLARE, FETCH and CLOSE, three round trips (and a cursor held over
    the commit) for a list of ten clinicians, each time the choices are read (issue 15)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:  # fills the queryset's cache: read again, no query
            yield self.choice(obj)

    def __len__(self):
        return len(self.queryset) + (1 if self.field.empty_label is not None else 0)


class ListedChoiceField(forms.ModelChoiceField):
    iterator = ListedChoices


class AssignForm(forms.Form):
    clinician = ListedChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Nobody (unassigned)"
    )

    def __init__(self, *args, clinicians=None, **kwargs):
        """`clinicians`: the choices' users, read already (the review page reads them with
        the rest of the page); else they are read when the choices are."""
        super().__init__(*args, **kwargs)
        if clinicians is not None:
            _list_choices(self.fields["clinician"], clinicians)
            return
        # Per form (members_of looks the group up now); only what the choice shows (the
        # name), not every column with the password hash.
        self.fields["clinician"].queryset = clinicians_listed()


def clinicians_listed(group=None):
    """Active clinicians as the assignment choices list them: only what a choice shows (the
    name), not every column with the password hash. By `group` id if given, else by role
    (members_of: one query now for the group's id)."""
    users = (
        User.objects.members_of(Role.CLINICIAN)
        if group is None
        else User.objects.filter(groups=group)
    )
    return users.filter(is_active=True).only("pk", "first_name", "last_name", "email")


def _list_choices(field: forms.ModelChoiceField, objs) -> None:
    """The field's choices made of `objs` as its own iterator would make them, as a list:
    rendering reads the list and nothing else (clinic.core.rendered)."""
    iterator = field.iterator(field)
    empty = [] if field.empty_label is None else [("", field.empty_label)]
    field.choices = empty + [iterator.choice(obj) for obj in objs]


class RequestInfoForm(forms.Form):
    sections = forms.MultipleChoiceField(
        choices=[(s.key, s.title) for s in SECTIONS],
        widget=forms.CheckboxSelectMultiple,
        label="Sections to reopen",
        error_messages={"required": "Choose at least one section."},
    )
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="Message to the patient",
        help_text="Shown in the patient's portal. Their email only says there is an update.",
    )


class ClearFlagForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        label="Why it can be cleared",
        error_messages={"required": "Say why the flag can be cleared."},
    )


class DeclineForm(forms.Form):
    template = ListedChoiceField(
        queryset=DeclineTemplate.objects.filter(active=True),
        label="Reason",
        empty_label="Choose a reason",
        help_text="The patient sees this reason's kind message in the portal.",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        label="Details for the record (internal, never shown to the patient)",
    )

    def __init__(self, *args, templates=None, **kwargs):
        """`templates`: the active decline templates, read already (see AssignForm)."""
        super().__init__(*args, **kwargs)
        if templates is not None:
            _list_choices(self.fields["template"], templates)


class ReferForm(forms.Form):
    patient_message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="Message to the patient",
        initial="Thank you for completing your intake. Our clinicians think another service "
        "would suit you better, and we will be in touch about where to go next.",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        label="Where and why (internal)",
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        label="Internal note (staff only)",
        error_messages={"required": "Write the note first."},
    )


class AcknowledgeForm(forms.Form):
    action_taken = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        label="What was done",
        error_messages={"required": "Record what was done before acknowledging."},
    )


class PolicyForm(forms.Form):
    """One severity choice per editable screening rule, plus the PC-PTSD-5 cut-point."""

    pcptsd_cutoff = forms.TypedChoiceField(
        choices=[(3, "3 (more sensitive)"), (4, "4 (more specific)")],
        coerce=int,
        label="PC-PTSD-5 positive at",
    )
    # Required to save, not to preview (the view checks), so the effect can be seen first.
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        label="Why this change",
        help_text="Kept with the new version, e.g. “Medical director: MAOIs now stop a booking”.",
    )

    def __init__(self, *args, rules, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = [r for r in rules if r.editable]
        for rule in self.rules:
            self.fields[f"sev_{rule.code}"] = forms.ChoiceField(
                choices=[("stop", "Stop"), ("caution", "Caution"), ("info", "Info")],
                label=rule.title,
                help_text=f"{rule.source}. Default: {rule.default_severity}.",
                initial=current.severity_for(rule),
            )
        self.fields["pcptsd_cutoff"].initial = current.pcptsd_cutoff

    def severities(self) -> dict[str, str]:
        return {r.code: self.cleaned_data[f"sev_{r.code}"] for r in self.rules}


class ConsentTextForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="Plain text; leave a blank line between paragraphs.",
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="What new information makes you reopen this decision?",
        help_text="For the record (clinicians only), e.g. “Now pregnant” or “Started an MAOI”.",
        error_messages={"required": "Say what new information makes you reopen the decision."},
    )


class ChecklistForm(forms.Form):
    """One move of one checklist item; which moves are legal is intake/checklist.py."""

    status = forms.ChoiceField(
        choices=[
            (value, label)
            for value, label in ChecklistItem.Status.choices
            if value != ChecklistItem.Status.SUGGESTED
        ],
        label="Mark as",
        error_messages={"required": "Choose what to record.", "invalid_choice": "Choose one."},
    )
    note = forms.CharField(
        max_length=500,
        required=False,
        label="Note",
        help_text="Needed when a test is not needed, or when correcting what was recorded.",
    )
