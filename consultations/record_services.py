"""Writing the infusion record: the visit (arrival, discharge, driver), the clinical part
(vitals, side effects, medication as charted, stopped early), signing, and corrections.

Before signing, staff edit freely (every write audited). Signing needs arrival, an "after"
reading with its side effects and a discharge with the driver's name; afterwards the record
is read-only and every change is a RecordCorrection with the old value, the new value and
a reason: a value put right, whether it was stopped early (and why), or a reading entered
late. Nothing here computes or suggests a dose.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from clinic.audit.services import record
from clinic.core.models import ClinicSettings

from .models import Appointment, AppointmentType, InfusionRecord, RecordCorrection, VitalsReading
from .vitals import Limits

VISIT_FIELDS = ("arrived_at", "discharged_at", "driver_name")
CLINICAL_FIELDS = ("medication_as_charted", "stopped_early", "stopped_early_reason", "note")
READING_VALUES = ("systolic", "diastolic", "heart_rate", "spo2")
SIDE_EFFECTS = ("nausea", "dissociation", "anxiety", "headache")
RECORDABLE = (Appointment.Status.CHECKED_IN, Appointment.Status.COMPLETED)

# What may be corrected after signing one value at a time, with the label staff read; visit
# fields are the front desk's too, the rest clinicians' only. Stopped early and its why are
# corrected together (correct_stopped_early): the database wants a why with every "yes".
CORRECTABLE = {
    "arrived_at": "Arrival time",
    "discharged_at": "Discharge time",
    "driver_name": "Driver's name",
    "medication_as_charted": "Medication given as charted",
    "note": "Note",
}
STOPPED_EARLY_LABELS = {
    "stopped_early": "Stopped early",
    "stopped_early_reason": "Why it was stopped early",
}
READING_LABELS = {
    "systolic": "systolic BP",
    "diastolic": "diastolic BP",
    "heart_rate": "heart rate",
    "spo2": "SpO2",
    **{name: name for name in SIDE_EFFECTS},
}


class RecordError(Exception):
    """The record cannot be changed as asked (the message says why, for staff)."""


def limits(settings_row: ClinicSettings | None = None) -> Limits:
    """The clinic's vitals limits as the pure check takes them."""
    row = settings_row or ClinicSettings.load()
    return Limits(
        systolic_min=row.vitals_systolic_min,
        systolic_max=row.vitals_systolic_max,
        diastolic_min=row.vitals_diastolic_min,
        diastolic_max=row.vitals_diastolic_max,
        heart_rate_min=row.vitals_heart_rate_min,
        heart_rate_max=row.vitals_heart_rate_max,
        spo2_min=row.vitals_spo2_min,
    )


def local_zone(appointment: Appointment) -> ZoneInfo:
    return ZoneInfo(appointment.provider.time_zone)


def at_local_time(appointment: Appointment, time: dt.time | None) -> dt.datetime | None:
    """A time of day entered at the chair, on the infusion's own day in its zone."""
    if time is None:
        return None
    zone = local_zone(appointment)
    day = timezone.localtime(appointment.start, zone).date()
    return dt.datetime.combine(day, time, tzinfo=zone)


def is_infusion(appointment: Appointment) -> bool:
    return appointment.kind == AppointmentType.Kind.INFUSION


def _audit(actor, action: str, rec: InfusionRecord, **detail) -> None:
    # The trail says what was done to which record; the values stay on the record.
    record(actor=actor, action=action, patient=rec.patient, target=rec, detail=detail)


def _locked(rec: InfusionRecord) -> InfusionRecord:
    return InfusionRecord.objects.select_for_update().get(pk=rec.pk)


def _unsigned(rec: InfusionRecord) -> None:
    if rec.is_signed:
        raise RecordError(
            "The record is signed and read-only: add a correction with a reason instead."
        )


def open_record(*, appointment: Appointment, actor) -> InfusionRecord:
    """The infusion's record, started on first use (once the patient has checked in)."""
    if not is_infusion(appointment):
        raise RecordError("Only an infusion has an infusion record.")
    existing = InfusionRecord.objects.filter(appointment=appointment).first()
    if existing:
        return existing
    if appointment.status not in RECORDABLE:
        raise RecordError("The record starts once the patient has checked in for the infusion.")
    with transaction.atomic():
        rec, created = InfusionRecord.objects.get_or_create(
            appointment=appointment,
            defaults={"patient": appointment.patient, "created_by": actor},
        )
        if created:
            _audit(actor, "infusion_record_started", rec)
    return rec


def update_visit(*, rec: InfusionRecord, actor, arrived_at, discharged_at, driver_name: str):
    """Arrival, discharge and the driver (front desk or clinician) while unsigned."""
    with transaction.atomic():
        locked = _locked(rec)
        _unsigned(locked)
        if arrived_at and discharged_at and discharged_at < arrived_at:
            raise RecordError("Discharge is before arrival: check the times.")
        locked.arrived_at, locked.discharged_at = arrived_at, discharged_at
        locked.driver_name = driver_name.strip()
        locked.save(update_fields=[*VISIT_FIELDS, "updated_at"])
        _audit(actor, "infusion_record_visit", locked)
    return locked


def update_clinical(
    *,
    rec: InfusionRecord,
    actor,
    medication_as_charted: str,
    stopped_early: bool,
    stopped_early_reason: str,
    note: str,
):
    """The clinician's part of the record while unsigned; stopping early needs a reason."""
    if stopped_early and not stopped_early_reason.strip():
        raise RecordError("Say why the infusion was stopped early.")
    with transaction.atomic():
        locked = _locked(rec)
        _unsigned(locked)
        locked.medication_as_charted = medication_as_charted.strip()
        locked.stopped_early = stopped_early
        locked.stopped_early_reason = stopped_early_reason.strip() if stopped_early else ""
        locked.note = note.strip()
        locked.save(update_fields=[*CLINICAL_FIELDS, "updated_at"])
        _audit(actor, "infusion_record_clinical", locked)
    return locked


def add_reading(*, rec: InfusionRecord, actor, phase: str, taken_at, **values) -> VitalsReading:
    """One timed reading (vitals and the side effects seen then) on an unsigned record."""
    unknown = set(values) - set(READING_VALUES) - set(SIDE_EFFECTS)
    if unknown:
        raise RecordError(f"Unknown values: {', '.join(sorted(unknown))}.")
    if all(values.get(name) is None for name in (*READING_VALUES, *SIDE_EFFECTS)):
        raise RecordError("Enter at least one value.")
    with transaction.atomic():
        locked = _locked(rec)
        _unsigned(locked)
        reading = VitalsReading.objects.create(
            record=locked, phase=phase, taken_at=taken_at, recorded_by=actor, **values
        )
        _audit(actor, "infusion_reading_added", locked, reading=reading.pk, phase=phase)
    return reading


def remove_reading(*, reading: VitalsReading, actor, reason: str) -> None:
    """Take back a reading entered in error, before signing (the reason is audited)."""
    if not reason.strip():
        raise RecordError("Say why the reading is removed.")
    with transaction.atomic():
        locked = _locked(reading.record)
        _unsigned(locked)
        VitalsReading.objects.filter(pk=reading.pk, record=locked).delete()
        _audit(
            actor,
            "infusion_reading_removed",
            locked,
            reading=reading.pk,
            phase=reading.phase,
            reason=reason.strip(),
        )


def missing_for_signing(rec: InfusionRecord, readings) -> list[str]:
    """What a record still needs before it can be signed, in the words shown to staff."""
    missing = []
    if rec.arrived_at is None:
        missing.append("the arrival time")
    if not any(r.phase == VitalsReading.Phase.BEFORE for r in readings):
        missing.append("a reading before the infusion")
    after = [r for r in readings if r.phase == VitalsReading.Phase.AFTER]
    if not after:
        missing.append("a reading after the infusion")
    elif not any(all(getattr(r, s) is not None for s in SIDE_EFFECTS) for r in after):
        missing.append("the side effects after the infusion (all four scales)")
    if rec.discharged_at is None:
        missing.append("the discharge time")
    if not rec.driver_name:
        missing.append("the driver's name (no driving for 24 hours)")
    return missing


def sign_record(*, rec: InfusionRecord, actor) -> InfusionRecord:
    """Sign a complete record; from now on it changes only by corrections."""
    with transaction.atomic():
        locked = _locked(rec)
        _unsigned(locked)
        missing = missing_for_signing(locked, list(locked.readings.all()))
        if missing:
            raise RecordError("Before signing, add " + "; ".join(missing) + ".")
        locked.signed_by, locked.signed_at = actor, timezone.now()
        locked.save(update_fields=["signed_by", "signed_at", "updated_at"])
        _audit(actor, "infusion_record_signed", locked)
    return locked


def _shown(value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")
    return "" if value is None else str(value)


def correct_record(*, rec: InfusionRecord, actor, field: str, value, reason: str):
    """Append a correction to a signed record (old value, new value, reason) and apply it.

    `field` is a record field of CORRECTABLE or "reading:<pk>:<value name>"; `value` is
    already typed by the form (a datetime, an int, text).
    """
    if not reason.strip():
        raise RecordError("Say why the value is corrected.")
    with transaction.atomic():
        locked = _locked(rec)
        if not locked.is_signed:
            raise RecordError("The record is not signed yet: edit it directly.")
        target, name, label = _target(locked, field)
        old = getattr(target, name)
        if old == value:
            raise RecordError("That is the value already recorded.")
        setattr(target, name, value)
        target.save(update_fields=[name])
        correction = RecordCorrection.objects.create(
            record=locked,
            field=field,
            field_label=label,
            old_value=_shown(old),
            new_value=_shown(value),
            reason=reason.strip(),
            made_by=actor,
        )
        _audit(actor, "infusion_record_corrected", locked, field=field, correction=correction.pk)
    return correction


def _target(rec: InfusionRecord, field: str):
    if field in CORRECTABLE:
        return rec, field, CORRECTABLE[field]
    parts = field.split(":")
    if len(parts) == 3 and parts[0] == "reading" and parts[2] in READING_LABELS:
        reading = rec.readings.filter(pk=parts[1]).first() if parts[1].isdigit() else None
        if reading:
            when = timezone.localtime(reading.taken_at, local_zone(rec.appointment))
            label = f"{reading.get_phase_display()} {when:%H:%M}: {READING_LABELS[parts[2]]}"
            return reading, parts[2], label
    raise RecordError("That is not a value of this record.")


def _signed_for_correction(rec: InfusionRecord, reason: str) -> InfusionRecord:
    """The record locked, once it is signed and the correction has its reason."""
    if not reason.strip():
        raise RecordError("Say why the value is corrected.")
    locked = _locked(rec)
    if not locked.is_signed:
        raise RecordError("The record is not signed yet: edit it directly.")
    return locked


def correct_stopped_early(
    *, rec: InfusionRecord, actor, stopped_early: bool, why: str, reason: str
) -> list[RecordCorrection]:
    """Correct whether a signed infusion was stopped early, and why, with a reason: one
    appended correction per value that changes ("no" clears the why)."""
    why = why.strip() if stopped_early else ""
    if stopped_early and not why:
        raise RecordError("Say why the infusion was stopped early.")
    with transaction.atomic():
        locked = _signed_for_correction(rec, reason)
        changes = [
            (name, getattr(locked, name), new)
            for name, new in (("stopped_early", stopped_early), ("stopped_early_reason", why))
            if getattr(locked, name) != new
        ]
        if not changes:
            raise RecordError("That is what the record already says.")
        for name, _, new in changes:
            setattr(locked, name, new)
        locked.save(update_fields=[name for name, _, _ in changes])
        corrections = [
            RecordCorrection.objects.create(
                record=locked,
                field=name,
                field_label=STOPPED_EARLY_LABELS[name],
                old_value=_shown(old),
                new_value=_shown(new),
                reason=reason.strip(),
                made_by=actor,
            )
            for name, old, new in changes
        ]
        _audit(
            actor,
            "infusion_record_corrected",
            locked,
            field="stopped_early",
            corrections=[c.pk for c in corrections],
        )
    return corrections


def _reading_words(reading: VitalsReading) -> str:
    """A late reading as its correction row shows it: "BP 150/90, HR 88, nausea 1"."""
    parts = []
    if reading.systolic is not None:
        parts.append(f"BP {reading.systolic}/{reading.diastolic}")
    if reading.heart_rate is not None:
        parts.append(f"HR {reading.heart_rate}")
    if reading.spo2 is not None:
        parts.append(f"SpO2 {reading.spo2}")
    parts += [
        f"{name} {getattr(reading, name)}"
        for name in SIDE_EFFECTS
        if getattr(reading, name) is not None
    ]
    return ", ".join(parts)


def add_late_reading(
    *, rec: InfusionRecord, actor, phase: str, taken_at, reason: str, **values
) -> VitalsReading:
    """A reading found after signing (a paper chart, a monitor printout), appended to the
    signed record with a reason as a correction; the record stays signed."""
    unknown = set(values) - set(READING_VALUES) - set(SIDE_EFFECTS)
    if unknown:
        raise RecordError(f"Unknown values: {', '.join(sorted(unknown))}.")
    if all(values.get(name) is None for name in (*READING_VALUES, *SIDE_EFFECTS)):
        raise RecordError("Enter at least one value.")
    with transaction.atomic():
        locked = _signed_for_correction(rec, reason)
        reading = VitalsReading.objects.create(
            record=locked, phase=phase, taken_at=taken_at, recorded_by=actor, **values
        )
        when = timezone.localtime(taken_at, local_zone(locked.appointment))
        correction = RecordCorrection.objects.create(
            record=locked,
            field=f"reading:{reading.pk}:added",
            field_label=f"Reading added late: {reading.get_phase_display()} {when:%H:%M}",
            old_value="",
            new_value=_reading_words(reading),
            reason=reason.strip(),
            made_by=actor,
        )
        _audit(
            actor,
            "infusion_reading_added_late",
            locked,
            reading=reading.pk,
            phase=phase,
            correction=correction.pk,
        )
    return reading
