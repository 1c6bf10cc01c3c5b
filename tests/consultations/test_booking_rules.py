"""Booking rules in the service and the pages: notice and hours for patients vs staff, who
may book which type, the settings warning, reminder wording and the staff patient search."""

import datetime as dt

import pytest
from django.urls import reverse

from clinic.audit.models import AuditEvent
from clinic.notifications import compose
from clinic.notifications.models import ContactPreference, Message
from consultations import services
from consultations.models import Appointment, AppointmentType
from intake import demo
from intake.models import Intake

from .conftest import NOW, TUESDAY, at, consulted, decide_outcome

TODAY_AFTERNOON = at(NOW.date(), 14)  # NOW is 09:00: five hours ahead, inside any notice
EVENING = at(TUESDAY, 19)  # outside Dr. Lee's 09:00-17:00


@pytest.fixture(autouse=True)
def _frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


def _book(patient, appointment_type, provider, start, **kw):
    return services.book_appointment(
        patient=patient,
        appointment_type=appointment_type,
        provider=provider,
        start=start,
        mode=kw.pop("mode", "in_person"),
        actor=kw.pop("actor", patient),
        now=NOW,
        **kw,
    )


def _decline(patient):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.DECLINED)


# ------------------------------------------------------------- notice and hours


def test_a_patient_is_held_to_the_minimum_notice(approved_patient, initial, provider):
    with pytest.raises(services.SlotUnavailable):
        _book(approved_patient, initial, provider, TODAY_AFTERNOON)
    # 48 h notice: Thursday 09:00 is exactly two days ahead, the earliest she may take.
    assert _book(approved_patient, initial, provider, NOW + dt.timedelta(hours=48)).pk


def test_a_patient_cannot_book_outside_hours_even_with_a_reason(
    approved_patient, initial, provider
):
    with pytest.raises(services.SlotUnavailable):
        _book(approved_patient, initial, provider, EVENING, staff_reason="I insist")


def test_staff_book_inside_the_notice_only_with_a_recorded_reason(
    approved_patient, coordinator, initial, provider
):
    with pytest.raises(services.ReasonRequired) as refused:
        _book(approved_patient, initial, provider, TODAY_AFTERNOON, actor=coordinator)
    assert refused.value.exceptions == [services.INSIDE_NOTICE]
    assert not Appointment.objects.exists()
    appointment = _book(
        approved_patient,
        initial,
        provider,
        TODAY_AFTERNOON,
        actor=coordinator,
        staff_reason="Cancellation slot offered by phone",
    )
    event = appointment.events.get()
    assert event.note == "Inside the minimum notice: Cancellation slot offered by phone"
    audit = AuditEvent.objects.get(action="appointment_booked_by_exception")
    assert audit.patient == approved_patient and audit.actor == coordinator
    assert audit.detail["exceptions"] == ["inside_notice"]


def test_staff_book_outside_hours_with_a_reason(approved_patient, coordinator, initial, provider):
    with pytest.raises(services.ReasonRequired):
        _book(approved_patient, initial, provider, EVENING, actor=coordinator)
    appointment = _book(
        approved_patient,
        initial,
        provider,
        EVENING,
        actor=coordinator,
        staff_reason="Works days; Dr. Lee agreed",
    )
    assert appointment.start == EVENING
    assert appointment.events.get().note == "Outside working hours: Works days; Dr. Lee agreed"


def test_an_ordinary_staff_booking_needs_no_reason(
    approved_patient, coordinator, initial, provider
):
    appointment = _book(approved_patient, initial, provider, at(TUESDAY, 9), actor=coordinator)
    assert appointment.events.get().note == ""
    assert not AuditEvent.objects.filter(action="appointment_booked_by_exception").exists()


def test_staff_cannot_book_a_past_or_taken_time_whatever_the_reason(
    approved_patient, other_patient, coordinator, initial, provider
):
    _book(approved_patient, initial, provider, EVENING, actor=coordinator, staff_reason="late")
    consulted(other_patient, provider)
    follow_up = AppointmentType.objects.get(kind="follow_up")
    for start in (at(NOW.date(), 8), EVENING + dt.timedelta(minutes=30)):
        with pytest.raises(services.SlotUnavailable):
            _book(other_patient, follow_up, provider, start, actor=coordinator, staff_reason="x")


# ------------------------------------------------------------- who may book what


def test_a_new_patient_cannot_book_a_follow_up_or_an_infusion(approved_patient, provider):
    for kind in ("follow_up", "infusion"):
        with pytest.raises(services.NotEligible):
            _book(
                approved_patient, AppointmentType.objects.get(kind=kind), provider, at(TUESDAY, 9)
            )


def test_after_a_consultation_follow_ups_not_another_initial(approved_patient, initial, provider):
    consulted(approved_patient, provider)
    with pytest.raises(services.NotEligible, match="follow-up instead"):
        _book(approved_patient, initial, provider, at(TUESDAY, 9))
    follow_up = AppointmentType.objects.get(kind="follow_up")
    assert _book(approved_patient, follow_up, provider, at(TUESDAY, 9)).kind == "follow_up"


def test_infusions_only_by_staff_after_a_consultation_decided_proceed(
    approved_patient, coordinator, provider
):
    infusion = AppointmentType.objects.get(kind="infusion")
    with pytest.raises(services.NotEligible, match="not had one yet"):
        _book(approved_patient, infusion, provider, at(TUESDAY, 9), actor=coordinator)
    consultation = consulted(approved_patient, provider)
    with pytest.raises(services.NotEligible, match="decision to proceed"):
        _book(approved_patient, infusion, provider, at(TUESDAY, 9), actor=coordinator)
    decide_outcome(consultation, "proceed")
    with pytest.raises(services.NotEligible):
        _book(approved_patient, infusion, provider, at(TUESDAY, 9))
    booked = _book(approved_patient, infusion, provider, at(TUESDAY, 9), actor=coordinator)
    assert booked.chair.name == "Chair 1" and booked.location == booked.chair.location


def test_a_later_outcome_other_than_proceed_stops_new_infusions(
    approved_patient, coordinator, provider
):
    infusion = AppointmentType.objects.get(kind="infusion")
    consultation = consulted(approved_patient, provider, outcome="proceed")
    follow_up = consulted(approved_patient, provider, days_ago=2)
    decide_outcome(follow_up, "needs_tests")
    with pytest.raises(services.NotEligible, match="decision to proceed"):
        _book(approved_patient, infusion, provider, at(TUESDAY, 9), actor=coordinator)
    assert consultation.outcome.decision == "proceed"


def test_a_declined_patient_cannot_self_book_a_type_that_skips_approval(patient, provider):
    _decline(patient)
    consulted(patient, provider)
    follow_up = AppointmentType.objects.get(kind="follow_up")
    with pytest.raises(services.NotEligible, match="call the clinic"):
        _book(patient, follow_up, provider, at(TUESDAY, 9))


def test_staff_booking_a_declined_patient_records_the_warning(patient, coordinator, provider):
    _decline(patient)
    consulted(patient, provider)
    follow_up = AppointmentType.objects.get(kind="follow_up")
    appointment = _book(patient, follow_up, provider, at(TUESDAY, 9), actor=coordinator)
    assert "intake was declined" in appointment.events.get().note
    audit = AuditEvent.objects.get(action="appointment_booked_by_exception")
    assert "declined" in audit.detail["warning"]


def test_a_new_patient_is_offered_only_the_initial_consultation(login, patient, provider):
    page = login(patient).get(reverse("consultations:book")).content.decode()
    assert "Initial consultation" in page
    assert "Follow-up" not in page and "Infusion" not in page


def test_a_returning_patient_is_offered_follow_ups_not_the_initial(
    login, approved_patient, provider
):
    consulted(approved_patient, provider)
    page = login(approved_patient).get(reverse("consultations:book")).content.decode()
    assert "Follow-up" in page
    assert "Initial consultation" not in page and "Infusion" not in page


def test_staff_see_why_a_type_is_not_offered(login, coordinator, approved_patient, provider):
    page = login(coordinator).get(reverse("schedule:book", args=[approved_patient.pk]))
    html = page.content.decode()
    assert 'id="not-offered"' in html
    assert "Follow-up</strong>: Only after a completed consultation" in html
    assert "Infusion session</strong>: Only after a completed consultation" in html


# ------------------------------------------------------------- staff booking pages


def test_staff_picker_offers_same_day_times_marked_inside_notice(
    login, coordinator, approved_patient, initial, provider
):
    html = (
        login(coordinator)
        .get(
            reverse("schedule:book", args=[approved_patient.pk]),
            {"type": initial.pk, "mode": "in_person", "date": NOW.date().isoformat()},
        )
        .content.decode()
    )
    assert "2:00 PM" in html and "inside notice" in html


def test_the_patient_picker_starts_after_the_notice(login, approved_patient, initial, provider):
    html = (
        login(approved_patient)
        .get(
            reverse("consultations:book"),
            {"type": initial.pk, "mode": "in_person", "date": NOW.date().isoformat()},
        )
        .content.decode()
    )
    assert "Tue, Jan 5" not in html and "Thu, Jan 7" in html
    assert "inside notice" not in html


def test_confirming_inside_the_notice_asks_for_the_reason_and_keeps_it(
    login, coordinator, approved_patient, initial, provider
):
    client = login(coordinator)
    data = {
        "type": initial.pk,
        "mode": "in_person",
        "provider": provider.pk,
        "start": TODAY_AFTERNOON.isoformat(),
    }
    url = reverse("schedule:confirm", args=[approved_patient.pk])
    shown = client.get(url, data).content.decode()
    assert 'name="staff_reason"' in shown and "inside the minimum notice" in shown
    refused = client.post(url, data).content.decode()
    assert "give the reason" in refused and not Appointment.objects.exists()
    done = client.post(url, {**data, "staff_reason": "Same-day pain flare"})
    assert done.status_code == 302
    assert "Same-day pain flare" in Appointment.objects.get().events.get().note


def test_an_own_time_outside_hours_goes_to_confirmation(
    login, coordinator, approved_patient, initial, provider
):
    client = login(coordinator)
    url = reverse("schedule:book", args=[approved_patient.pk])
    query = {"type": initial.pk, "mode": "in_person"}
    response = client.get(
        url, {**query, "at-date": "2027-01-12", "at-time": "19:00", "at-provider": provider.pk}
    )
    assert response.status_code == 302
    assert "start=2027-01-12T19%3A00%3A00-05%3A00" in response.url
    confirm = client.get(response.url).content.decode()
    assert "outside working hours" in confirm


def test_an_own_time_in_the_past_is_refused_next_to_the_field(
    login, coordinator, approved_patient, initial, provider
):
    client = login(coordinator)
    page = client.get(
        reverse("schedule:book", args=[approved_patient.pk]),
        {
            "type": initial.pk,
            "mode": "in_person",
            "at-date": "2027-01-04",
            "at-time": "10:00",
            "at-provider": provider.pk,
        },
    )
    html = page.content.decode()
    assert page.status_code == 200 and "This time has passed" in html
    assert 'value="2027-01-04"' in html


def test_patient_search_finds_a_phone_number_and_shows_the_intake_standing(
    login, coordinator, approved_patient, other_patient
):
    ContactPreference.objects.update_or_create(
        user=other_patient, defaults={"phone": "+15035550123"}
    )
    client = login(coordinator)
    by_phone = client.get(reverse("schedule:patients"), {"q": "(503) 555-0123"}).content.decode()
    assert "Charlie" in by_phone and "Alice" not in by_phone and "No intake" in by_phone
    # Alice's intake (seeded with demo answers) has her mobile number on it.
    intake_phone = Intake.objects.get(patient=approved_patient).phone
    assert intake_phone
    by_intake = client.get(reverse("schedule:patients"), {"q": intake_phone[-7:]}).content.decode()
    assert "Alice" in by_intake and "Intake approved" in by_intake


def test_with_any_clinician_each_time_says_with_whom(
    login, coordinator, approved_patient, initial, provider
):
    html = (
        login(coordinator)
        .get(
            reverse("schedule:book", args=[approved_patient.pk]),
            {"type": initial.pk, "mode": "in_person", "provider": "any", "date": "2027-01-12"},
        )
        .content.decode()
    )
    assert '9:00 AM <span class="small">· Dr. Lee</span>' in html


# ------------------------------------------------------------- settings and reminders


def test_the_default_notice_leaves_a_day_before_the_window(db):
    assert AppointmentType.objects.get(kind="initial").min_notice_hours == 48
    assert AppointmentType.objects.get(kind="follow_up").min_notice_hours == 48


def test_the_admin_is_warned_when_the_window_swallows_the_notice(login, clinic_admin):
    client = login(clinic_admin)
    url = reverse("clinic_settings:cancellation_window")
    assert 'id="notice-warnings"' not in client.get(url).content.decode()
    saved = client.post(url, {"cancellation_window_hours": 48}, follow=True).content.decode()
    assert "notice is now too short" in saved
    assert 'id="notice-warnings"' in saved and "“Initial consultation” can be booked 48" in saved


def test_saving_a_type_with_too_short_a_notice_warns(login, clinic_admin):
    data = {
        "name": "Check-in call",
        "kind": "follow_up",
        "active": "on",
        "duration_minutes": "15",
        "buffer_before_minutes": "0",
        "buffer_after_minutes": "0",
        "min_notice_hours": "24",
        "horizon_days": "30",
        "mode": "telehealth",
        "bookable_by": "returning",
        "chair_recovery_minutes": "0",
    }
    page = login(clinic_admin).post(reverse("schedule:type_create"), data, follow=True)
    html = page.content.decode()
    assert "“Check-in call” can be booked 24 hours ahead" in html
    assert "“Initial consultation”" not in html  # 48 h: coherent with the 24 h window


@pytest.mark.parametrize(
    ("hours_before", "offers"),
    [(72, "You can do it online until"), (2, "too late to change this appointment online")],
)
def test_the_reminder_email_says_what_the_patient_can_still_do(
    approved_patient, initial, provider, time_machine, hours_before, offers
):
    appointment = _book(approved_patient, initial, provider, at(TUESDAY, 9))
    time_machine.move_to(appointment.start - dt.timedelta(hours=hours_before), tick=False)
    message = Message.objects.create(
        kind="reminder_72h" if hours_before > 48 else "reminder_2h",
        channel="email",
        recipient=approved_patient,
        due_at=appointment.start - dt.timedelta(hours=hours_before),
        idempotency_key=f"test:{hours_before}",
        appointment=appointment,
        context={"hours": hours_before},
    )
    _, rendered = compose.render(Message.objects.select_related("recipient").get(pk=message.pk))
    assert offers in rendered.body
    assert "Confirm, move or cancel" not in rendered.body
