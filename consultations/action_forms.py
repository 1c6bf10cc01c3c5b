"""The reason asked for on the confirmation pages (status.py says which reasons exist)."""

from django import forms

from . import status


class ReasonForm(forms.Form):
    """A reason from the action's list, and a few words where "other" is chosen."""

    reason = forms.ChoiceField(
        label="Reason", widget=forms.RadioSelect, error_messages={"required": "Choose a reason."}
    )
    note = forms.CharField(
        label="More detail (optional)",
        required=False,
        max_length=500,
        widget=forms.TextInput,
        help_text="Plain words for the front desk; no clinical details.",
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["reason"].choices = [(r.code, r.label) for r in status.REASONS[action]]

    def clean(self):
        data = super().clean()
        if "reason" in data and status.reason_problem(
            self.action, data["reason"], data.get("note", "")
        ):
            self.add_error("note", "Say what the reason is.")
        return data


class UndoForm(forms.Form):
    """Why a change is undone: needed once the few minutes of a plain undo have passed."""

    reason = forms.CharField(
        label="Why is this undone?",
        max_length=500,
        widget=forms.TextInput,
        help_text="Recorded with your name. No clinical details.",
        error_messages={
            "required": "Say why it is undone: the change is more than 10 minutes old."
        },
    )

    def __init__(self, *args, needs_reason: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = needs_reason
        if not needs_reason:
            self.fields["reason"].label = "Why is this undone? (optional)"
