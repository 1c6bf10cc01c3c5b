"""The infusion record: staff write what happened, clinicians sign, and a signed record
changes only by corrections with a reason. The front desk sees the visit part only."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import AuditEvent
from consultations import record_services as rs
from consultations.models import (
    Appointment,
    AppointmentType,
    InfusionRecord,
    Location,
    RecordCorrection,
    VitalsReading,
)

NOTE = "Nystagmus at 20 min, settled"
MEDICATION = "As charted by Dr. Lee"


@pytest.fixture
def infusion(approved_patient, provider):
    kind = AppointmentType.objects.get(kind="infusion")
    start = timezone.now() - dt.timedelta(hours=2)
    return Appointment.objects.create(
        patient=approved_patient,
        provider=provider,
        appointment_type=kind,
        kind=kind.kind,
        location=Location.objects.filter(kind="clinic").first(),
        mode="in_person",
        start=start,
        end=start + kind.duration,
        block_start=start,
        block_end=start + kind.duration,
        status=Appointment.Status.CHECKED_IN,
    )


def at(infusion, hour, minute=0):
    return rs.at_local_time(infusion, dt.time(hour, minute))


SIDE = {"nausea": 1, "dissociation": 2, "anxiety": 0, "headache": 0}


def complete_record(infusion, clinician):
    rec = rs.open_record(appointment=infusion, actor=clinician)
    rs.update_visit(
        rec=rec,
        actor=clinician,
        arrived_at=at(infusion, 9),
        discharged_at=at(infusion, 11),
        driver_name="Bob Anderson",
    )
    rs.add_reading(
        rec=rec,
        actor=clinician,
        phase="before",
        taken_at=at(infusion, 9, 5),
        systolic=128,
        diastolic=80,
        heart_rate=72,
        spo2=98,
    )
    rs.add_reading(
        rec=rec,
        actor=clinician,
        phase="during",
        taken_at=at(infusion, 9, 30),
        systolic=172,
        diastolic=96,
        heart_rate=90,
        spo2=97,
    )
    rs.add_reading(
        rec=rec,
        actor=clinician,
        phase="after",
        taken_at=at(infusion, 10, 30),
        systolic=130,
        diastolic=82,
        heart_rate=75,
        spo2=98,
        **SIDE,
    )
    return rec


def test_signing_needs_everything_then_makes_the_record_read_only(infusion, clinician):
    rec = rs.open_record(appointment=infusion, actor=clinician)
    with pytest.raises(rs.RecordError, match="arrival time.*after the infusion.*driver"):
        rs.sign_record(rec=rec, actor=clinician)
    rec = complete_record(infusion, clinician)
    signed = rs.sign_record(rec=rec, actor=clinician)
    assert signed.is_signed and signed.signed_by == clinician
    with pytest.raises(rs.RecordError, match="read-only"):
        rs.update_visit(
            rec=signed, actor=clinician, arrived_at=None, discharged_at=None, driver_name="x"
        )
    with pytest.raises(rs.RecordError, match="read-only"):
        rs.add_reading(
            rec=signed, actor=clinician, phase="after", taken_at=at(infusion, 11), spo2=99
        )
    assert AuditEvent.objects.filter(action="infusion_record_signed", patient=infusion.patient)


def test_a_correction_is_appended_with_the_old_value_and_a_reason(infusion, clinician):
    rec = rs.sign_record(rec=complete_record(infusion, clinician), actor=clinician)
    during = rec.readings.get(phase="during")
    with pytest.raises(rs.RecordError, match="Say why"):
        rs.correct_record(
            rec=rec, actor=clinician, field=f"reading:{during.pk}:systolic", value=162, reason=" "
        )
    correction = rs.correct_record(
        rec=rec,
        actor=clinician,
        field=f"reading:{during.pk}:systolic",
        value=162,
        reason="Typed 172 for 162",
    )
    during.refresh_from_db()
    assert during.systolic == 162
    assert (correction.old_value, correction.new_value) == ("172", "162")
    assert correction.field_label.startswith("During") and correction.made_by == clinician
    rs.correct_record(
        rec=rec,
        actor=clinician,
        field="driver_name",
        value="Carol A.",
        reason="Husband could not come",
    )
    assert list(RecordCorrection.objects.values_list("reason", flat=True)) == [
        "Typed 172 for 162",
        "Husband could not come",
    ]
    with pytest.raises(rs.RecordError, match="not a value"):
        rs.correct_record(rec=rec, actor=clinician, field="signed_by", value=None, reason="x")


def test_stopped_early_is_corrected_on_a_signed_record_with_its_why_and_a_reason(
    infusion, clinician
):
    rec = rs.sign_record(rec=complete_record(infusion, clinician), actor=clinician)
    with pytest.raises(rs.RecordError, match="why the infusion was stopped"):
        rs.correct_stopped_early(
            rec=rec, actor=clinician, stopped_early=True, why=" ", reason="Missed at signing"
        )
    with pytest.raises(rs.RecordError, match="Say why the value"):
        rs.correct_stopped_early(
            rec=rec, actor=clinician, stopped_early=True, why="Severe anxiety", reason=""
        )
    yes = rs.correct_stopped_early(
        rec=rec,
        actor=clinician,
        stopped_early=True,
        why="Severe anxiety at 30 min",
        reason="Missed at signing",
    )
    assert [(c.field_label, c.old_value, c.new_value) for c in yes] == [
        ("Stopped early", "No", "Yes"),
        ("Why it was stopped early", "", "Severe anxiety at 30 min"),
    ]
    rec.refresh_from_db()
    assert rec.is_signed and rec.stopped_early
    no = rs.correct_stopped_early(
        rec=rec, actor=clinician, stopped_early=False, why="ignored", reason="Wrong patient"
    )
    assert [(c.old_value, c.new_value) for c in no] == [
        ("Yes", "No"),
        ("Severe anxiety at 30 min", ""),
    ]
    rec.refresh_from_db()
    assert (rec.stopped_early, rec.stopped_early_reason) == (False, "")
    with pytest.raises(rs.RecordError, match="already says"):
        rs.correct_stopped_early(rec=rec, actor=clinician, stopped_early=False, why="", reason="x")
    assert RecordCorrection.objects.count() == 4


def test_a_late_reading_is_appended_to_a_signed_record_as_a_correction(infusion, clinician):
    rec = complete_record(infusion, clinician)
    with pytest.raises(rs.RecordError, match="not signed"):
        rs.add_late_reading(
            rec=rec,
            actor=clinician,
            phase="during",
            taken_at=at(infusion, 9, 45),
            reason="x",
            heart_rate=88,
        )
    rec = rs.sign_record(rec=rec, actor=clinician)
    with pytest.raises(rs.RecordError, match="Say why"):
        rs.add_late_reading(
            rec=rec,
            actor=clinician,
            phase="during",
            taken_at=at(infusion, 9, 45),
            reason="",
            heart_rate=88,
        )
    reading = rs.add_late_reading(
        rec=rec,
        actor=clinician,
        phase="during",
        taken_at=at(infusion, 9, 45),
        reason="Found on the monitor printout",
        systolic=150,
        diastolic=90,
        heart_rate=88,
    )
    assert reading.record == rec and rec.readings.count() == 4
    correction = RecordCorrection.objects.get()
    assert correction.field_label == "Reading added late: During 09:45"
    assert (correction.old_value, correction.new_value) == ("", "BP 150/90, HR 88")
    assert correction.reason == "Found on the monitor printout"
    rec.refresh_from_db()
    assert rec.is_signed


def test_the_record_page_corrects_stopped_early_and_adds_a_late_reading(login, infusion, clinician):
    rs.sign_record(rec=complete_record(infusion, clinician), actor=clinician)
    client = login(clinician)
    part = lambda name: reverse("schedule:record_part", args=[infusion.pk, name])  # noqa: E731
    page = client.get(reverse("schedule:record", args=[infusion.pk])).content.decode()
    assert "Correct whether it was stopped early" in page and "found after signing" in page
    no_why = {"stopped-stopped_early": "yes", "stopped-why": "", "stopped-reason": "Missed"}
    assert client.post(part("stopped"), no_why).status_code == 400
    done = client.post(part("stopped"), {**no_why, "stopped-why": "Vomiting"})
    assert done.status_code == 302
    assert InfusionRecord.objects.get().stopped_early_reason == "Vomiting"
    late = {
        "late-phase": "after",
        "late-taken": "10:50",
        "late-spo2": "96",
        "late-nausea": "1",
        "late-dissociation": "0",
        "late-anxiety": "0",
        "late-headache": "0",
        "late-reason": "Entered on paper",
    }
    assert client.post(part("late_reading"), late).status_code == 302
    page = client.get(reverse("schedule:record", args=[infusion.pk])).content.decode()
    assert "Reading added late: After 10:50" in page and "Yes: Vomiting" in page


def test_an_unsigned_record_is_edited_directly_not_corrected(infusion, clinician):
    rec = complete_record(infusion, clinician)
    with pytest.raises(rs.RecordError, match="not signed"):
        rs.correct_record(rec=rec, actor=clinician, field="note", value="x", reason="y")


def test_stopping_early_needs_a_reason_and_the_database_agrees(infusion, clinician):
    rec = rs.open_record(appointment=infusion, actor=clinician)
    with pytest.raises(rs.RecordError, match="stopped early"):
        rs.update_clinical(
            rec=rec,
            actor=clinician,
            medication_as_charted="",
            stopped_early=True,
            stopped_early_reason="",
            note="",
        )
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        InfusionRecord.objects.filter(pk=rec.pk).update(stopped_early=True)


def test_no_record_before_check_in_nor_for_a_consultation(infusion, clinician):
    Appointment.objects.filter(pk=infusion.pk).update(status=Appointment.Status.BOOKED)
    infusion.refresh_from_db()
    with pytest.raises(rs.RecordError, match="checked in"):
        rs.open_record(appointment=infusion, actor=clinician)
    Appointment.objects.filter(pk=infusion.pk).update(kind="initial")
    infusion.refresh_from_db()
    with pytest.raises(rs.RecordError, match="Only an infusion"):
        rs.open_record(appointment=infusion, actor=clinician)


def test_a_reading_removed_before_signing_leaves_its_reason_in_the_trail(infusion, clinician):
    rec = complete_record(infusion, clinician)
    reading = rec.readings.get(phase="during")
    rs.remove_reading(reading=reading, actor=clinician, reason="Wrong patient's cuff")
    assert not VitalsReading.objects.filter(pk=reading.pk).exists()
    event = AuditEvent.objects.get(action="infusion_reading_removed")
    assert event.detail["reason"] == "Wrong patient's cuff"


def test_the_record_holds_no_dose_field():
    names = {f.name for f in InfusionRecord._meta.get_fields()}
    assert not {n for n in names if "dose" in n or "mg" in n.split("_")}


# ------------------------------------------------------------------------------ pages


def test_the_clinician_records_at_the_chair_and_out_of_range_vitals_are_highlighted(
    login, infusion, clinician
):
    client = login(clinician)
    url = lambda part: reverse("schedule:record_part", args=[infusion.pk, part])  # noqa: E731
    assert (
        client.post(
            url("visit"), {"visit-arrived": "09:00", "visit-driver_name": "Bob"}
        ).status_code
        == 302
    )
    posted = client.post(
        url("reading"),
        {
            "reading-phase": "during",
            "reading-taken": "09:30",
            "reading-systolic": "172",
            "reading-diastolic": "96",
            "reading-heart_rate": "90",
            "reading-spo2": "97",
        },
    )
    assert posted.status_code == 302
    html = client.get(reverse("schedule:record", args=[infusion.pk])).content.decode()
    assert "systolic above 160 mmHg" in html and "out-of-range" in html


def test_bad_reading_input_is_shown_next_to_the_field_and_kept(login, infusion, clinician):
    client = login(clinician)
    response = client.post(
        reverse("schedule:record_part", args=[infusion.pk, "reading"]),
        {"reading-phase": "after", "reading-taken": "10:30", "reading-systolic": "130"},
    )
    assert response.status_code == 400
    form = response.context["forms"]["reading"]
    assert "Enter both BP values." in form.errors["diastolic"]
    assert "After the infusion, record every side effect." in form.errors["nausea"]
    assert form["systolic"].value() == "130"


def test_signing_is_confirmed_first(login, infusion, clinician):
    complete_record(infusion, clinician)
    client = login(clinician)
    url = reverse("schedule:record_part", args=[infusion.pk, "sign"])
    assert "Sign the infusion record?" in client.get(url).content.decode()
    assert not InfusionRecord.objects.get().is_signed
    assert client.post(url).status_code == 302
    assert InfusionRecord.objects.get().is_signed


@pytest.mark.parametrize("role", ["coordinator", "clinic_admin"])
def test_the_front_desk_records_the_visit_but_never_sees_clinical_parts(
    login, people, infusion, clinician, role
):
    rec = complete_record(infusion, clinician)
    rs.update_clinical(
        rec=rec,
        actor=clinician,
        medication_as_charted=MEDICATION,
        stopped_early=True,
        stopped_early_reason="Severe anxiety",
        note=NOTE,
    )
    client = login(people[role])
    html = client.get(reverse("schedule:record", args=[infusion.pk])).content.decode()
    assert "Bob Anderson" in html
    for clinical in (NOTE, MEDICATION, "Severe anxiety", "172", "Nausea", "SpO2"):
        assert clinical not in html, clinical
    part = lambda name: reverse("schedule:record_part", args=[infusion.pk, name])  # noqa: E731
    assert client.post(part("visit"), {"visit-driver_name": "Dan"}).status_code == 302
    for name in ("reading", "clinical", "sign", "remove", "stopped", "late_reading"):
        assert client.post(part(name)).status_code == 403


def test_the_front_desk_corrects_only_visit_fields_after_signing(
    login, people, infusion, clinician, coordinator
):
    rec = rs.sign_record(rec=complete_record(infusion, clinician), actor=clinician)
    client = login(coordinator)
    url = reverse("schedule:record_part", args=[infusion.pk, "correct"])
    during = rec.readings.get(phase="during")
    refused = client.post(
        url,
        {
            "correct-field": f"reading:{during.pk}:systolic",
            "correct-value": "120",
            "correct-reason": "x",
        },
    )
    assert refused.status_code == 400
    done = client.post(
        url,
        {
            "correct-field": "driver_name",
            "correct-value": "Dan",
            "correct-reason": "Changed at the door",
        },
    )
    assert done.status_code == 302 and InfusionRecord.objects.get().driver_name == "Dan"


def test_patients_never_reach_the_record(login, people, infusion):
    for who in ("patient", "other_patient"):
        client = login(people[who])
        assert client.get(reverse("schedule:record", args=[infusion.pk])).status_code == 403


def test_opening_the_record_is_an_audited_read(login, infusion, clinician):
    rec = rs.open_record(appointment=infusion, actor=clinician)
    login(clinician).get(reverse("schedule:record", args=[infusion.pk]))
    assert AuditEvent.objects.filter(action="view", target_id=str(rec.pk)).exists()


def test_the_clinic_admin_sets_the_limits_and_the_change_is_recorded(login, clinic_admin):
    from clinic.core.models import ClinicSettings, SettingsChange

    client = login(clinic_admin)
    url = reverse("clinic_settings:vitals_limits")
    page = client.get(url)
    values = {name: page.context["form"].initial[name] for name in page.context["form"].fields}
    bad = client.post(url, {**values, "vitals_systolic_min": 170, "loaded": page.context["loaded"]})
    assert bad.status_code == 200 and "lowest is above the highest" in bad.content.decode()
    done = client.post(
        url, {**values, "vitals_systolic_max": 150, "loaded": page.context["loaded"]}
    )
    assert done.status_code == 302 and ClinicSettings.load().vitals_systolic_max == 150
    assert SettingsChange.objects.get(section="vitals_limits").changes
    assert rs.limits().systolic_max == 150
