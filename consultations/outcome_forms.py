"""The consultation outcome form: the decision, the patient's wording, Budapest signs and
the tests needed, a note for staff, and a reason when an outcome is corrected."""

from django import forms

from intake import checklist

from . import budapest
from .models import ConsultationOutcome, OutcomeMessageTemplate

Decision = ConsultationOutcome.Decision


class TemplateChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_decision_display()}: {obj.title}"


class OutcomeForm(forms.Form):
    decision = forms.ChoiceField(
        label="Outcome",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an outcome."},
    )
    template = TemplateChoice(
        label="What the patient reads in the portal",
        queryset=OutcomeMessageTemplate.objects.filter(active=True).order_by("position", "title"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the message the patient will read."},
        help_text="The clinic's kind wording (clinic admins edit it). The note is never sent.",
    )
    tests_needed = forms.MultipleChoiceField(
        label="Tests needed first",
        choices=[(item.code, item.label) for item in checklist.ITEMS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Marked as requested on the intake's checklist.",
    )
    budapest_signs = forms.MultipleChoiceField(
        label="Budapest signs found at examination (CRPS)",
        choices=[
            (budapest.CATEGORIES[category], list(signs))
            for category, signs in budapest.SIGNS.items()
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label="Clinical note (staff only)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )
    reason = forms.CharField(
        label="Why the outcome is being corrected",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=1000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, correcting: bool = False, crps: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.correcting = correcting
        if not correcting:
            del self.fields["reason"]
        if not crps:
            del self.fields["budapest_signs"]

    def clean(self):
        data = super().clean()
        decision, template = data.get("decision"), data.get("template")
        if decision and template and template.decision != decision:
            self.add_error("template", "Choose a message written for this outcome.")
        if decision == Decision.NEEDS_TESTS and not data.get("tests_needed"):
            self.add_error("tests_needed", "Choose the tests needed first.")
        if decision == Decision.NOT_SUITABLE and not data.get("note", "").strip():
            self.add_error("note", "Say why, for the clinical record (the patient never sees it).")
        if self.correcting and not data.get("reason", "").strip():
            self.add_error("reason", "Say why the outcome is being corrected.")
        if decision != Decision.NEEDS_TESTS:
            data["tests_needed"] = []
        return data
