"""The upload form: the type is read from the file's content and the size is capped."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from . import signatures
from .kinds import CHOICES, PATIENT_CHOICES


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


class PatientDocumentForm(DocumentForm):
    """The same checks, in a patient's words: a photo (camera or gallery) or a PDF."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, kinds=PATIENT_CHOICES, **kwargs)
        kind, file = self.fields["kind"], self.fields["file"]
        kind.error_messages["required"] = "Choose what you are adding."
        file.label = "Photo or file"
        file.help_text = (
            "Take a photo or choose one, or choose a PDF. Up to "
            f"{filesizeformat(settings.DOCUMENT_MAX_BYTES)}."
        )

    def clean_file(self):
        try:
            return super().clean_file()
        except forms.ValidationError as error:
            if "content" not in str(error):
                raise
            raise forms.ValidationError(
                "This file is not a photo or a PDF, whatever its name says, so it cannot be "
                "added. Please choose a photo (JPEG or PNG) or a PDF."
            ) from None
