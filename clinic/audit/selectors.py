"""Reading the audit trail: the "who viewed this record" panel and the audit search."""

import datetime as dt

from django.db.models import Q

from .models import AuditEvent

VIEWERS_SHOWN = 20
VIEWER_FIELDS = (
    "occurred_at",
    "actor_label",
    "actor_role",
    "action",
    "view_name",
    "path",
    "actor__first_name",
    "actor__last_name",
    "actor__email",
)


def may_see_viewers(user) -> bool:
    """Clinicians (who hold the record) and clinic admins (who answer for access) do."""
    return user.has_perm("accounts.view_clinical_answers") or user.has_perm("accounts.manage_staff")


def recent_viewers(*, user, patient_id: int) -> list[AuditEvent] | None:
    """Who last opened or exported this patient's records; None if the user may not know."""
    if not may_see_viewers(user):
        return None
    return list(viewer_rows(patient_id))


def viewer_rows(patient_id):
    """The panel's rows, newest first (`patient_id` a value or a subquery giving one)."""
    rows = AuditEvent.objects.record_views().filter(patient_id=patient_id)
    # What the panel shows (who, their role, when, what and which page): not the rest of
    # the row, nor the viewer's password hash.
    rows = rows.select_related("actor").only(*VIEWER_FIELDS)
    return rows[:VIEWERS_SHOWN]


def search(
    *,
    patients=None,
    actor=None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    zone=None,
):
    """Events matching the audit page's filters, newest first (dates are whole local days)."""
    rows = AuditEvent.objects.all()
    if patients is not None:  # any of these patients, including list pages that showed them
        about = Q(pk__in=[])
        for patient in patients:
            about |= Q(patient_id=patient.pk) | Q(patient_ids__contains=f",{patient.pk},")
        rows = rows.filter(about)
    if actor is not None:
        rows = rows.filter(actor_id=actor.pk)
    if since is not None:
        rows = rows.filter(occurred_at__gte=dt.datetime.combine(since, dt.time(), zone))
    if until is not None:
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), zone)
        rows = rows.filter(occurred_at__lt=end)
    return rows
