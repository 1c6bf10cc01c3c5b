"""What a document can be, and whether it is clinical (coordinators may file a clinical
document but never open it: "coordinators never read clinical text"). Pure data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    clinical: bool


KINDS: tuple[Kind, ...] = (
    Kind("referral_letter", "Referral letter", clinical=True),
    Kind("ecg", "ECG", clinical=True),
    Kind("lab_results", "Lab results", clinical=True),
    Kind("prior_records", "Prior medical records", clinical=True),
    Kind("imaging_report", "Imaging report", clinical=True),
    Kind("other_clinical", "Other clinical document", clinical=True),
    # Front-desk papers: anyone who may see contact details may open them.
    Kind("insurance_card", "Insurance card (front)", clinical=False),
    Kind("insurance_card_back", "Insurance card (back)", clinical=False),
    Kind("photo_id", "Photo ID", clinical=False),
)
KIND_BY_CODE = {kind.code: kind for kind in KINDS}
CHOICES = [(kind.code, kind.label) for kind in KINDS]

# What a patient may upload from the intake, in their words (the staff labels above stay
# on the record). ECGs and lab results come from other clinics, so staff file those.
PATIENT_CHOICES = [
    ("insurance_card", "Insurance card, front"),
    ("insurance_card_back", "Insurance card, back"),
    ("photo_id", "Photo ID, such as a driver's license"),
    ("referral_letter", "Referral letter from your doctor"),
    ("prior_records", "Medical records from another doctor or clinic"),
    ("imaging_report", "Imaging report (X-ray, MRI or CT scan report)"),
]
PATIENT_LABELS = dict(PATIENT_CHOICES)
