"""What each member of staff may read of an intake's history: one table, used by every
page and export that shows IntakeEvents.

Clinicians (``view_clinical_answers``) read every field of every event. Everyone else on
staff (coordinators, clinic admins) reads only the fields listed for the event's kind:
enough to run the front desk (who did what, when, and where the intake now stands),
never the clinical words (decline and referral reasons, what was asked of the patient,
screening results, what was done about an urgent alert, internal notes). A kind missing
from the table is hidden from them entirely, so a new kind starts private.
"""

from dataclasses import dataclass

from .models import IntakeEvent

K = IntakeEvent.Kind

# The fields an event can show: when, who, kind (its label), status (from → to), text.
ALL_FIELDS = frozenset({"when", "who", "kind", "status", "text"})
FRONT_DESK = frozenset({"when", "who", "kind"})

NON_CLINICAL_FIELDS: dict[str, frozenset[str]] = {
    K.STATUS: FRONT_DESK | {"status"},  # text: the decline/referral note, the request message
    K.ASSIGNED: FRONT_DESK | {"text"},  # "Assigned to Dr Lee": who to call about it
    K.INFO_REQUESTED: FRONT_DESK,  # text: which sections, i.e. what is being asked
    K.SCREENED: FRONT_DESK,  # text: flag count and triage level
    K.ALERT_ACKNOWLEDGED: FRONT_DESK,  # text: what the clinician did about the risk
    # Not listed, so not shown at all: FLAG_CLEARED (the flag names a finding), NOTE,
    # PATIENT_NOTE (what the patient wrote to the clinical team after submitting).
}


@dataclass(frozen=True)
class ShownEvent:
    """One history line with only the fields this reader may see (the rest are blank)."""

    when: object = None
    who: str = ""
    kind: str = ""
    from_status: str = ""
    to_status: str = ""
    text: str = ""


def fields_for(kind: str, *, clinical: bool) -> frozenset[str]:
    return ALL_FIELDS if clinical else NON_CLINICAL_FIELDS.get(kind, frozenset())


def may_see_clinical(user) -> bool:
    return user.has_perm("accounts.view_clinical_answers")


def events_of(intake) -> list:
    """Every event of the intake with its actor, oldest first: the ones the view prefetched
    (the review page reads them twice: the history and when a decision was reopened), else
    one query."""
    if "events" in getattr(intake, "_prefetched_objects_cache", {}):
        return list(intake.events.all())
    return list(intake.events.select_related("actor"))


def visible_events(intake, user) -> list[ShownEvent]:
    """The intake's history as this user may read it, oldest first; one query at most."""
    clinical = may_see_clinical(user)
    events = events_of(intake)
    if not clinical:
        events = [e for e in events if e.kind in NON_CLINICAL_FIELDS]
    return [_shown(e, fields_for(e.kind, clinical=clinical)) for e in events]


def _shown(event: IntakeEvent, fields: frozenset[str]) -> ShownEvent:
    status = "status" in fields and bool(event.to_status)
    return ShownEvent(
        when=event.created_at if "when" in fields else None,
        who=str(event.actor or "system") if "who" in fields else "",
        kind=event.get_kind_display() if "kind" in fields else "",
        from_status=_status_label(event.from_status) if status else "",
        to_status=_status_label(event.to_status) if status else "",
        text=event.text if "text" in fields else "",
    )


def _status_label(value: str) -> str:
    from .models import Intake

    return Intake.Status(value).label if value in Intake.Status.values else value
