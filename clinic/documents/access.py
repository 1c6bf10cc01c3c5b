"""Who may file and who may open which document: the one place that decides."""

from .kinds import KIND_BY_CODE
from .models import Document


def can_upload(user) -> bool:
    """Front desk and clinicians file what arrives (a coordinator scans the referral)."""
    return user.has_perm("accounts.manage_bookings") or user.has_perm("accounts.review_intakes")


def can_open_kind(user, kind_code: str) -> bool:
    kind = KIND_BY_CODE.get(kind_code)
    if kind is None or kind.clinical:
        return user.has_perm("accounts.view_clinical_answers")
    return user.has_perm("accounts.view_contact_details")


def can_open(user, document: Document) -> bool:
    return can_open_kind(user, document.kind)


def shown_name(user, document: Document) -> str:
    """The sender's file name can itself be clinical ("ECG atrial fibrillation.pdf"):
    only readers who may open the document see it; others see the kind."""
    return document.original_name if can_open(user, document) else document.get_kind_display()
