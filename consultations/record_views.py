"""The infusion record at the chair (phone or tablet): one page per infusion, each part a
small form posting to its own URL. Clinicians write and sign everything; the front desk
(coordinators, clinic admins) records arrival, discharge and the driver only and never
sees vitals, side effects or clinical text. Reads and writes are audited."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.access import require
from clinic.audit import reads
from clinic.core import settings_services
from clinic.core.models import ClinicSettings
from clinic.core.settings_forms import conflict_context, page_loaded_token, posted_loaded

from . import record_services as rs
from . import vitals
from .models import Appointment, InfusionRecord, VitalsReading
from .record_forms import (
    ClinicalForm,
    CorrectionForm,
    LateReadingForm,
    ReadingForm,
    ReasonForm,
    StoppedEarlyCorrectionForm,
    VisitForm,
    VitalsLimitsForm,
)

PARTS = ("visit", "clinical", "reading", "remove", "sign", "correct", "stopped", "late_reading")
CLINICAL_PARTS = ("clinical", "reading", "remove", "sign", "stopped", "late_reading")


def _clinical(user) -> bool:
    return user.has_perm("accounts.view_clinical_answers")


def _infusion(pk) -> Appointment:
    related = ("patient", "provider", "appointment_type", "location")
    appointment = get_object_or_404(Appointment.objects.select_related(*related), pk=pk)
    if not rs.is_infusion(appointment):
        raise Http404("Not an infusion")
    return appointment


def _record(appointment) -> InfusionRecord | None:
    return (
        InfusionRecord.objects.filter(appointment=appointment)
        .select_related("signed_by")
        .prefetch_related("readings", "corrections__made_by")
        .first()
    )


def _local_time(appointment, value):
    return timezone.localtime(value, rs.local_zone(appointment)).time() if value else None


def _readings(appointment, rec, limits) -> list[dict]:
    rows = []
    for reading in rec.readings.all() if rec else []:
        flags = vitals.out_of_range(
            systolic=reading.systolic,
            diastolic=reading.diastolic,
            heart_rate=reading.heart_rate,
            spo2=reading.spo2,
            limits=limits,
        )
        rows.append(
            {
                "reading": reading,
                "time": _local_time(appointment, reading.taken_at),
                "flags": {f.field: f.why for f in flags},
            }
        )
    return rows


def _correction_choices(appointment, rec, clinical: bool) -> list:
    names = rs.VISIT_FIELDS if not clinical else tuple(rs.CORRECTABLE)
    choices = [(name, rs.CORRECTABLE[name]) for name in names]
    if clinical and rec:
        for reading in rec.readings.all():
            when = f"{_local_time(appointment, reading.taken_at):%H:%M}"
            for name, label in rs.READING_LABELS.items():
                choices.append(
                    (
                        f"reading:{reading.pk}:{name}",
                        f"{reading.get_phase_display()} {when}: {label}",
                    )
                )
    return choices


def _forms(request, appointment, rec, bound: dict) -> dict:
    clinical = _clinical(request.user)
    visit = {
        "arrived": _local_time(appointment, rec and rec.arrived_at),
        "discharged": _local_time(appointment, rec and rec.discharged_at),
        "driver_name": rec.driver_name if rec else "",
    }
    forms = {
        "visit": VisitForm(initial=visit, prefix="visit"),
        "correct": CorrectionForm(
            choices=_correction_choices(appointment, rec, clinical),
            appointment=appointment,
            prefix="correct",
        ),
    }
    if clinical:
        forms["clinical"] = ClinicalForm(
            initial={name: getattr(rec, name) for name in rs.CLINICAL_FIELDS} if rec else {},
            prefix="clinical",
        )
        now = timezone.localtime(timezone.now(), rs.local_zone(appointment)).time()
        forms["reading"] = ReadingForm(
            initial={"taken": now.replace(second=0, microsecond=0)}, prefix="reading"
        )
        if rec and rec.is_signed:
            forms["stopped"] = StoppedEarlyCorrectionForm(
                initial={
                    "stopped_early": "yes" if rec.stopped_early else "no",
                    "why": rec.stopped_early_reason,
                },
                prefix="stopped",
            )
            forms["late_reading"] = LateReadingForm(prefix="late")
    forms.update(bound)
    return forms


def _page(request, appointment, rec, bound=None, status=200):
    clinical = _clinical(request.user)
    limits = rs.limits()
    readings = _readings(appointment, rec, limits) if clinical else []
    context = {
        "appointment": appointment,
        "rec": rec,
        "clinical": clinical,
        "forms": _forms(request, appointment, rec, bound or {}),
        "readings": readings,
        "limits": limits,
        "missing": rs.missing_for_signing(rec, [r["reading"] for r in readings])
        if rec and clinical
        else [],
        "may_start": appointment.status in rs.RECORDABLE,
        "arrived": _local_time(appointment, rec and rec.arrived_at),
        "discharged": _local_time(appointment, rec and rec.discharged_at),
        "zone": appointment.provider.time_zone,
    }
    return render(request, "consultations/staff/record.html", context, status=status)


@require("view_staff_dashboard")
def infusion_record(request, pk):
    appointment = _infusion(pk)
    rec = _record(appointment)
    reads.viewed(request, rec or appointment)
    return _page(request, appointment, rec)


@require("view_staff_dashboard")
def record_part(request, pk, part):
    """One part of the record: GET is a confirmation (sign, remove a reading), POST does it."""
    appointment = _infusion(pk)
    if part not in PARTS or (part in CLINICAL_PARTS and not _clinical(request.user)):
        raise PermissionDenied
    if request.method != "POST" and part not in ("sign", "remove"):
        return redirect("schedule:record", pk=pk)
    try:
        rec = rs.open_record(appointment=appointment, actor=request.user)
    except rs.RecordError as problem:
        messages.error(request, str(problem))
        return redirect("schedule:record", pk=pk)
    rec = _record(appointment)
    reads.viewed(request, rec)
    return HANDLERS[part](request, appointment, rec)


def _done(request, appointment, text: str):
    messages.success(request, text)
    return redirect(reverse("schedule:record", args=[appointment.pk]))


def _submit(request, appointment, rec, key: str, form, save, done: str):
    """One form of the record page: valid, `save(cleaned_data)` (a record service), then back
    to the record saying `done`; invalid or refused by the service, the record page again
    with the form, its messages and what was typed (400)."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except rs.RecordError as problem:
            form.add_error(None, str(problem))
        else:
            return _done(request, appointment, done)
    return _page(request, appointment, rec, {key: form}, status=400)


def _visit(request, appointment, rec):
    def save(data):
        rs.update_visit(
            rec=rec,
            actor=request.user,
            arrived_at=rs.at_local_time(appointment, data["arrived"]),
            discharged_at=rs.at_local_time(appointment, data["discharged"]),
            driver_name=data["driver_name"],
        )

    form = VisitForm(request.POST, prefix="visit")
    return _submit(
        request, appointment, rec, "visit", form, save, "Arrival, discharge and driver saved."
    )


def _clinical_part(request, appointment, rec):
    def save(data):
        rs.update_clinical(rec=rec, actor=request.user, **data)

    form = ClinicalForm(request.POST, prefix="clinical")
    return _submit(request, appointment, rec, "clinical", form, save, "Infusion details saved.")


def _reading(request, appointment, rec):
    form = ReadingForm(request.POST, prefix="reading")

    def save(data):
        rs.add_reading(
            rec=rec,
            actor=request.user,
            phase=data["phase"],
            taken_at=rs.at_local_time(appointment, data["taken"]),
            **form.values(),
        )

    return _submit(request, appointment, rec, "reading", form, save, "Reading added.")


def _remove(request, appointment, rec):
    source = request.POST if request.method == "POST" else request.GET
    reading = get_object_or_404(VitalsReading, pk=source.get("reading") or 0, record=rec)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            rs.remove_reading(
                reading=reading, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except rs.RecordError as problem:
            form.add_error(None, str(problem))
        else:
            return _done(request, appointment, "Reading removed.")
    context = {"appointment": appointment, "rec": rec, "reading": reading, "form": form}
    return render(request, "consultations/staff/record_remove.html", context)


def _sign(request, appointment, rec):
    missing = rs.missing_for_signing(rec, list(rec.readings.all()))
    if request.method == "POST" and not missing:
        try:
            rs.sign_record(rec=rec, actor=request.user)
        except rs.RecordError as problem:
            messages.error(request, str(problem))
        else:
            return _done(request, appointment, "Record signed. It is now read-only.")
        return redirect("schedule:record", pk=appointment.pk)
    context = {"appointment": appointment, "rec": rec, "missing": missing}
    return render(request, "consultations/staff/record_sign.html", context)


CORRECTED = "Correction added to the signed record."


def _correct(request, appointment, rec):
    def save(data):
        rs.correct_record(
            rec=rec,
            actor=request.user,
            field=data["field"],
            value=data["typed"],
            reason=data["reason"],
        )

    form = CorrectionForm(
        request.POST,
        choices=_correction_choices(appointment, rec, _clinical(request.user)),
        appointment=appointment,
        prefix="correct",
    )
    return _submit(request, appointment, rec, "correct", form, save, CORRECTED)


def _stopped(request, appointment, rec):
    def save(data):
        rs.correct_stopped_early(
            rec=rec,
            actor=request.user,
            stopped_early=data["stopped_early"],
            why=data["why"],
            reason=data["reason"],
        )

    form = StoppedEarlyCorrectionForm(request.POST, prefix="stopped")
    return _submit(request, appointment, rec, "stopped", form, save, CORRECTED)


def _late_reading(request, appointment, rec):
    form = LateReadingForm(request.POST, prefix="late")

    def save(data):
        rs.add_late_reading(
            rec=rec,
            actor=request.user,
            phase=data["phase"],
            taken_at=rs.at_local_time(appointment, data["taken"]),
            reason=data["reason"],
            **form.values(),
        )

    done = "Late reading added to the signed record."
    return _submit(request, appointment, rec, "late_reading", form, save, done)


HANDLERS = {
    "visit": _visit,
    "clinical": _clinical_part,
    "reading": _reading,
    "remove": _remove,
    "sign": _sign,
    "correct": _correct,
    "stopped": _stopped,
    "late_reading": _late_reading,
}


@require("manage_clinic_settings")
def vitals_limits(request):
    """A section of the clinic settings area: the limits that highlight infusion vitals."""
    current = settings_services.vitals_values(ClinicSettings.load())
    form = VitalsLimitsForm(request.POST or None, initial=current)
    context = {"form": form, "loaded": page_loaded_token(request, current)}
    if request.method == "POST" and form.is_valid():
        try:
            settings_services.update_vitals_limits(
                limits=form.cleaned_data, actor=request.user, loaded=posted_loaded(request.POST)
            )
        except settings_services.SettingsConflict as conflict:
            context |= conflict_context(conflict)
        else:
            messages.success(request, "Vitals limits saved.")
            return redirect("clinic_settings:vitals_limits")
    return render(request, "consultations/staff/vitals_limits.html", context)
