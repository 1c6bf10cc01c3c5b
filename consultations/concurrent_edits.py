"""Two tabs (or two colleagues) editing the same schedule row: nothing is overwritten unseen.

A form carries the values its row had when the page was opened (signed, in one hidden
field). On save each field is merged with what the row holds now:

- nobody else changed it: this form's value is saved, as before;
- only the other tab changed it: the other tab's value is kept (this form did not touch
  the field, so its stale copy must not undo that change);
- both changed it, to different values: the save is refused with a message next to the
  field saying what it is now; the typing is kept, and saving again uses it.

A form posted without the hidden field (an old page) saves as it always did.
"""

import json

from django import forms
from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.forms.models import model_to_dict

LOADED = "loaded"
SALT = "consultations.concurrent_edits"


def _canon(value):
    """One comparable form for a model value and a cleaned form value (pk for a row)."""
    if isinstance(value, models.Model):
        value = value.pk
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


class ConcurrentEditsMixin:
    """For ModelForms editing an existing row; put it before forms.ModelForm."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[LOADED] = forms.CharField(required=False, widget=forms.HiddenInput)
        self.initial[LOADED] = self._snapshot() if self.instance.pk else ""
        self.changed_elsewhere: list[str] = []

    def _values_now(self) -> dict:
        names = [n for n in self._meta.fields if n in self.fields]
        return {k: _canon(v) for k, v in model_to_dict(self.instance, fields=names).items()}

    def _snapshot(self) -> str:
        return signing.dumps(self._values_now(), salt=SALT, compress=True)

    def _loaded(self) -> dict | None:
        try:
            loaded = signing.loads(self.cleaned_data.get(LOADED) or "", salt=SALT)
        except signing.BadSignature:
            return None
        return loaded if isinstance(loaded, dict) else None

    def clean(self):
        data = super().clean()
        loaded = self._loaded() if self.instance.pk else None
        if loaded is None:
            return data
        now = self._values_now()
        conflicts = []
        for name in loaded.keys() & now.keys() & data.keys():
            if now[name] == loaded[name]:
                continue
            self.changed_elsewhere.append(name)
            mine = _canon(data[name])
            if mine == loaded[name]:
                data[name] = getattr(self.instance, name)
            elif mine != now[name]:
                conflicts.append(name)
        for name in conflicts:
            self.add_error(
                name,
                "Changed in another tab or by a colleague after you opened this page: it is "
                f"now “{self._shown(name)}”. Your value is kept here; save again to use it.",
            )
        if conflicts:
            # The next save is measured against what the other tab saved, which this person
            # has now been shown.
            self.data = self.data.copy()
            self.data[self.add_prefix(LOADED)] = self._snapshot()
        return data

    def _shown(self, name: str) -> str:
        """The row's current value as the page would show it."""
        value = getattr(self.instance, name)
        if hasattr(self.instance, f"get_{name}_display"):
            return getattr(self.instance, f"get_{name}_display")()
        if isinstance(value, bool):
            return "ticked" if value else "not ticked"
        if value is None or value == "":
            return "empty"
        if hasattr(value, "strftime"):
            return value.strftime("%H:%M" if not hasattr(value, "year") else "%Y-%m-%d")
        return str(value)
