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
    Kind("other_clinical", "Other clinical document", clinical=True),
    # Front-desk papers: anyone who may see contact details may open them.
    Kind("insurance_card", "Insurance card", clinical=False),
    Kind("photo_id", "Photo ID", clinical=False),
)
KIND_BY_CODE = {kind.code: kind for kind in KINDS}
CHOICES = [(kind.code, kind.label) for kind in KINDS]
