"""The consultations app's models: scheduling (providers, hours, appointments, chairs) and
the treatment course that follows a consultation (outcome, course, check-ins)."""

from consultations.models.course import (
    CheckIn,
    ConsultationOutcome,
    Course,
)
from consultations.models.record import (
    InfusionRecord,
    OutcomeMessageTemplate,
    OutcomeRevision,
    RecordCorrection,
    VitalsReading,
)
from consultations.models.scheduling import (
    ACTIVE_STATUSES,
    NO_CHAIR_DOUBLE_BOOKING,
    NO_DOUBLE_BOOKING,
    ONE_ACTIVE_INITIAL,
    Appointment,
    AppointmentEvent,
    AppointmentQuerySet,
    AppointmentStatus,
    AppointmentType,
    Chair,
    DateOverride,
    DateOverrideQuerySet,
    Location,
    OpeningHours,
    PostgresExclusionConstraint,
    Provider,
    TsTzRange,
    WorkingHours,
)

__all__ = [
    "ACTIVE_STATUSES",
    "NO_CHAIR_DOUBLE_BOOKING",
    "NO_DOUBLE_BOOKING",
    "ONE_ACTIVE_INITIAL",
    "Appointment",
    "AppointmentEvent",
    "AppointmentQuerySet",
    "AppointmentStatus",
    "AppointmentType",
    "Chair",
    "CheckIn",
    "ConsultationOutcome",
    "Course",
    "DateOverride",
    "DateOverrideQuerySet",
    "InfusionRecord",
    "Location",
    "OpeningHours",
    "OutcomeMessageTemplate",
    "OutcomeRevision",
    "PostgresExclusionConstraint",
    "Provider",
    "RecordCorrection",
    "TsTzRange",
    "VitalsReading",
    "WorkingHours",
]
