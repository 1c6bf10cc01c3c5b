"""The upload form: the type is read from the file's content and the size is capped."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from . import signatures
from .kinds import CHOICES


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("", "Choose…"), *CHOICES],
        label="What it is",
        error_messages={"required": "Say what the document is.", "invalid_choice": "Choose one."},
    )
    file = forms.FileField(
        label="File",
        help_text=(
            f"A {signatures.accepted_labels()}, up to "
            f"{filesizeformat(settings.DOCUMENT_MAX_BYTES)}."
        ),
        error_messages={
            "required": "Choose a file to attach.",
            "empty": "This file is empty.",
            "invalid": "No file arrived; please choose it again.",
        },
    )

    def __init__(self, *args, kinds=CHOICES, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Choose…"), *kinds]
        self.fields["file"].widget.attrs["accept"] = ",".join(t.mime for t in signatures.ACCEPTED)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.DOCUMENT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"This file is {filesizeformat(upload.size)}; the limit is "
                f"{filesizeformat(limit)}. Scan at a lower resolution or split it."
            )
        upload.seek(0)
        head = upload.read(signatures.HEAD_BYTES)
        upload.seek(0)
        found = signatures.sniff(head)
        if found is None:
            raise forms.ValidationError(
                f"Only a {signatures.accepted_labels()} can be attached, and this file’s "
                "content is none of them, whatever its name says."
            )
        upload.detected = found
        return upload
