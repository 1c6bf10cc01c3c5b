"""The hooks every staff view showing or changing patient data calls: one INSERT each.

Reads are explicit (a line in each view) because no library can tell which rows a page
showed. `viewed` and `exported` record one record a page opened; `listed` records a page
that showed several patients (the dashboard, the calendar, search results, the message
log) as one row carrying every patient id, so its cost does not grow with the list.
`changed` records a staff action on a record (the record's own history rows say what
moved; this row says who, when and from where, in the one trail an auditor searches).
"""

from collections.abc import Collection, Iterable

from django.contrib.auth import get_user_model
from django.db import models

from .models import Action, AuditEvent
from .services import record


def patient_of(obj, user_model=None):
    """The patient a record is about (a user is their own record); no query if preloaded.
    `user_model`: get_user_model(), when the caller asks for many records."""
    if isinstance(obj, user_model or get_user_model()):
        return obj
    for attribute in ("patient", "recipient"):
        if (person := getattr(obj, attribute, None)) is not None:
            return person
    return None


def viewed(request, obj: models.Model, *, action: str = Action.VIEW) -> AuditEvent:
    """Record that the request's user opened this record (a page about one patient)."""
    return record(
        actor=request.user,
        action=action,
        request=request,
        patient=patient_of(obj),
        target=obj,
        wait_for_disk=False,  # a read: see services._save
    )


def exported(request, obj: models.Model) -> AuditEvent:
    """Record that the request's user downloaded this record."""
    return viewed(request, obj, action=Action.EXPORT)


def listed(request, objs: Iterable[models.Model]) -> AuditEvent | None:
    """Record which patients a list page showed; nothing when it showed nobody."""
    user_model = get_user_model()  # once, not once a row (a calendar week lists hundreds)
    ids = {p.pk for obj in objs if (p := patient_of(obj, user_model)) is not None}
    return listed_patients(request, ids)


def listed_patients(request, patient_ids: Collection[int]) -> AuditEvent | None:
    """`listed` for a page that read its patients' ids rather than their records."""
    if not patient_ids:
        return None
    return record(
        actor=request.user,
        action=Action.LIST,
        request=request,
        patient_ids=patient_ids,
        wait_for_disk=False,  # a read: see services._save
    )


def changed(request, obj: models.Model, *, action: str, patient=None) -> AuditEvent:
    """Record that the request's user changed this record (after the change succeeded)."""
    return record(
        actor=request.user,
        action=action,
        request=request,
        patient=patient or patient_of(obj),
        target=obj,
    )
