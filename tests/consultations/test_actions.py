"""Cancel, no-show, check in, completed and undo: the services and the staff pages.

The table itself (every legal and illegal change) is test_status.py; here each change is
made for real: events, audit rows, reminders, the freed and re-taken time, the pages.
"""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from clinic.audit.models import AuditEvent
from clinic.core.models import ClinicSettings
from clinic.notifications.models import Message
from consultations import services
from consultations.models import Appointment, AppointmentEvent

from .conftest import NOW, TUESDAY, at, consulted

S = Appointment.Status
M = Message.Status
MIN = dt.timedelta(minutes=1)


@pytest.fixture
def clock(time_machine):
    def move(when: dt.datetime) -> None:
        time_machine.move_to(when, tick=False)

    move(NOW)
    return move


@pytest.fixture
def booked(approved_patient, follow_up, provider, clock):
    """Alice's follow-up on Tuesday at 9:00, booked a week ahead (NOW), after her
    completed initial consultation."""
    consulted(approved_patient, provider)
    return services.book_appointment(
        patient=approved_patient,
        appointment_type=follow_up,
        provider=provider,
        start=at(TUESDAY, 9),
        mode="in_person",
        actor=approved_patient,
        now=NOW,
    )


def pending_reminders(appointment) -> int:
    return Message.objects.filter(
        appointment=appointment, kind__startswith="reminder", status=M.PENDING
    ).count()


# --------------------------------------------------------------------------- services


def test_staff_cancel_records_the_reason_and_stops_the_reminders(booked, coordinator):
    assert pending_reminders(booked) == 4
    services.cancel_appointment(
        appointment=booked, actor=coordinator, reason="provider_unavailable", note="Conference"
    )
    booked.refresh_from_db()
    assert (booked.status, booked.late_cancellation) == (S.CANCELLED_CLINIC, False)
    event = booked.events.last()
    assert (event.action, event.reason, event.note, event.actor) == (
        "cancel",
        "provider_unavailable",
        "Conference",
        coordinator,
    )
    assert pending_reminders(booked) == 0
    assert Message.objects.filter(appointment=booked, kind="booking_cancelled").count() == 1


def test_a_patients_cancellation_inside_the_window_is_a_late_one(booked, coordinator, clock):
    clock(at(TUESDAY, 9) - dt.timedelta(hours=5))
    services.cancel_appointment(appointment=booked, actor=coordinator, reason="patient_asked")
    booked.refresh_from_db()
    assert (booked.status, booked.late_cancellation) == (S.CANCELLED_PATIENT, True)
    assert list(Appointment.objects.late_cancellations()) == [booked]


def test_a_cancellation_in_good_time_is_not_late(booked, coordinator):
    services.cancel_appointment(appointment=booked, actor=coordinator, reason="patient_asked")
    booked.refresh_from_db()
    assert (booked.status, booked.late_cancellation) == (S.CANCELLED_PATIENT, False)
    assert not Appointment.objects.late_cancellations().exists()


def test_the_clinic_window_setting_decides_what_is_late(booked, coordinator, clock):
    ClinicSettings.objects.filter(pk=ClinicSettings.load().pk).update(cancellation_window_hours=72)
    clock(at(TUESDAY, 9) - dt.timedelta(hours=48))
    services.cancel_appointment(appointment=booked, actor=coordinator, reason="illness")
    booked.refresh_from_db()
    assert booked.late_cancellation


def test_no_show_before_the_start_is_refused_and_changes_nothing(booked, coordinator, clock):
    clock(at(TUESDAY, 9) - MIN)
    with pytest.raises(services.StatusChangeRefused, match="has not started yet"):
        services.record_visit(
            appointment=booked, action="no_show", actor=coordinator, reason="no_contact"
        )
    booked.refresh_from_db()
    assert booked.status == S.BOOKED and booked.events.count() == 1  # the booking only


def test_no_show_needs_a_reason(booked, coordinator, clock):
    clock(at(TUESDAY, 9, 10))
    with pytest.raises(services.ReasonNeeded):
        services.record_visit(appointment=booked, action="no_show", actor=coordinator)
    services.record_visit(
        appointment=booked, action="no_show", actor=coordinator, reason="no_driver"
    )
    booked.refresh_from_db()
    assert booked.status == S.NO_SHOW and booked.events.last().reason == "no_driver"


def test_a_stale_copy_cannot_check_in_a_no_show(booked, coordinator, clock):
    clock(at(TUESDAY, 9, 10))
    stale = Appointment.objects.get(pk=booked.pk)
    services.record_visit(
        appointment=booked, action="no_show", actor=coordinator, reason="no_contact"
    )
    with pytest.raises(services.StatusChangeRefused, match="is a no-show"):
        services.record_visit(appointment=stale, action="check_in", actor=coordinator)


def test_check_in_completed_and_undo_each_leave_an_event(booked, coordinator, clinician, clock):
    clock(at(TUESDAY, 8, 50))
    services.record_visit(appointment=booked, action="check_in", actor=coordinator)
    clock(at(TUESDAY, 9, 30))
    services.record_visit(appointment=booked, action="complete", actor=clinician)
    services.undo_status_change(appointment=booked, actor=clinician)
    booked.refresh_from_db()
    assert booked.status == S.CHECKED_IN
    assert list(booked.events.values_list("action", "from_status", "to_status")) == [
        ("", "", S.BOOKED),
        ("check_in", S.BOOKED, S.CHECKED_IN),
        ("complete", S.CHECKED_IN, S.COMPLETED),
        ("undo", S.COMPLETED, S.CHECKED_IN),
    ]
    with pytest.raises(services.StatusChangeRefused, match="last change was an undo"):
        services.undo_status_change(appointment=booked, actor=clinician)


def test_undo_a_no_show_back_to_checked_in(booked, coordinator, clock):
    clock(at(TUESDAY, 8, 55))
    services.record_visit(appointment=booked, action="check_in", actor=coordinator)
    clock(at(TUESDAY, 9, 5))
    services.record_visit(
        appointment=booked, action="no_show", actor=coordinator, reason="other", note="Left"
    )
    services.undo_status_change(appointment=booked, actor=coordinator)
    booked.refresh_from_db()
    assert booked.status == S.CHECKED_IN


def test_undo_after_ten_minutes_needs_a_reason(booked, coordinator, clock):
    clock(at(TUESDAY, 9, 5))
    services.record_visit(
        appointment=booked, action="no_show", actor=coordinator, reason="no_contact"
    )
    clock(at(TUESDAY, 9, 15) + dt.timedelta(seconds=1))
    with pytest.raises(services.ReasonNeeded):
        services.undo_status_change(appointment=booked, actor=coordinator)
    services.undo_status_change(
        appointment=booked, actor=coordinator, reason="She was in the waiting room"
    )
    booked.refresh_from_db()
    assert booked.status == S.BOOKED
    assert booked.events.last().note == "She was in the waiting room"


def test_undoing_a_cancellation_takes_the_time_back_and_the_reminders_return(booked, coordinator):
    services.cancel_appointment(appointment=booked, actor=coordinator, reason="patient_asked")
    assert pending_reminders(booked) == 0
    services.undo_status_change(appointment=booked, actor=coordinator)
    booked.refresh_from_db()
    assert (booked.status, booked.late_cancellation) == (S.BOOKED, False)
    assert pending_reminders(booked) == 4  # the same rows, back in the queue
    assert Message.objects.filter(appointment=booked, kind__startswith="reminder").count() == 4
    assert Message.objects.filter(appointment=booked, kind="booking_restored").count() == 1


def test_undo_is_refused_when_the_time_was_taken_meanwhile(
    booked, coordinator, other_patient, follow_up, provider
):
    services.cancel_appointment(appointment=booked, actor=coordinator, reason="clinic")
    consulted(other_patient, provider, hour=11)
    services.book_appointment(
        patient=other_patient,
        appointment_type=follow_up,
        provider=provider,
        start=at(TUESDAY, 9),
        mode="in_person",
        actor=coordinator,
        override_reason="Test",
        now=NOW,
    )
    with pytest.raises(services.SlotTaken, match="given to someone else"):
        services.undo_status_change(appointment=booked, actor=coordinator)
    booked.refresh_from_db()
    assert booked.status == S.CANCELLED_CLINIC and pending_reminders(booked) == 0


def test_a_cancellation_made_before_these_fields_can_still_be_undone(booked, coordinator):
    # Rows written before `action` existed: the last status change is read from the statuses.
    Appointment.objects.filter(pk=booked.pk).update(status=S.CANCELLED_CLINIC)
    AppointmentEvent.objects.create(
        appointment=booked, actor=coordinator, from_status=S.BOOKED, to_status=S.CANCELLED_CLINIC
    )
    services.undo_status_change(appointment=booked, actor=coordinator)
    booked.refresh_from_db()
    assert booked.status == S.BOOKED


# ------------------------------------------------------------------------------ pages


def test_cancel_page_says_what_will_happen_and_offers_the_reasons(login, coordinator, booked):
    response = login(coordinator).get(reverse("schedule:cancel", args=[booked.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cancel the appointment?" in html and "Alice Anderson" in html
    assert "Tuesday, January 12, 2027, 9:00 AM" in html
    assert "The patient asked to cancel" in html and "The provider is unavailable" in html
    assert "late cancellation" not in html  # a week ahead
    booked.refresh_from_db()
    assert booked.status == S.BOOKED
    assert AuditEvent.objects.filter(action="view", target_id=str(booked.pk)).exists()


def test_cancel_page_warns_inside_the_window(login, coordinator, booked, clock):
    clock(at(TUESDAY, 9) - dt.timedelta(hours=3))
    html = login(coordinator).get(reverse("schedule:cancel", args=[booked.pk])).content.decode()
    assert "less than 24 hours before the start" in html and "late cancellation" in html


def test_cancel_without_a_reason_is_explained_next_to_the_field(login, coordinator, booked):
    url = reverse("schedule:cancel", args=[booked.pk])
    response = login(coordinator).post(url, {"note": "kept text"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["reason"] == ["Choose a reason."]
    html = response.content.decode()
    assert "error-summary" in html and 'value="kept text"' in html
    booked.refresh_from_db()
    assert booked.status == S.BOOKED


def test_other_needs_a_few_words(login, coordinator, booked):
    url = reverse("schedule:cancel", args=[booked.pk])
    response = login(coordinator).post(url, {"reason": "other"})
    assert response.context["form"].errors["note"] == ["Say what the reason is."]


def test_cancel_with_a_reason_cancels_audits_and_returns(login, coordinator, booked):
    url = reverse("schedule:cancel", args=[booked.pk])
    back = "/schedule/calendar/?date=2027-01-12#appt-1"
    response = login(coordinator).post(url, {"reason": "weather", "next": back})
    assert response.status_code == 302 and response.url == back
    booked.refresh_from_db()
    assert booked.status == S.CANCELLED_PATIENT
    audit = AuditEvent.objects.get(action="appointment_cancelled_patient")
    assert audit.patient == booked.patient and audit.detail["reason"] == "weather"
    assert audit.actor == coordinator


def test_no_show_before_the_start_is_a_message_not_an_error(login, coordinator, booked, clock):
    clock(at(TUESDAY, 8, 30))
    url = reverse("schedule:change_status", args=[booked.pk])
    page = login(coordinator).get(url, {"action": "no_show"})
    assert page.status_code == 200 and "has not started yet" in page.content.decode()
    assert "<form" not in page.content.decode().split('id="refusal"')[1]
    posted = login(coordinator).post(url, {"action": "no_show", "reason": "no_contact"})
    assert posted.status_code == 409 and "has not started yet" in posted.content.decode()
    booked.refresh_from_db()
    assert booked.status == S.BOOKED


def test_no_show_page_then_undo_within_ten_minutes(login, coordinator, booked, clock):
    clock(at(TUESDAY, 9, 20))
    client = login(coordinator)
    url = reverse("schedule:change_status", args=[booked.pk])
    assert (
        "Did not come and did not contact us"
        in client.get(url, {"action": "no_show"}).content.decode()
    )
    client.post(url, {"action": "no_show", "reason": "no_contact"})
    booked.refresh_from_db()
    assert booked.status == S.NO_SHOW
    clock(at(TUESDAY, 9, 29))
    undo = reverse("schedule:undo", args=[booked.pk])
    page = client.get(undo).content.decode()
    assert "goes back to <strong>booked</strong>" in page and "a reason is needed" not in page
    assert client.post(undo).status_code == 302
    booked.refresh_from_db()
    assert booked.status == S.BOOKED
    assert AuditEvent.objects.filter(action="appointment_booked", target_id=str(booked.pk)).exists()


def test_a_late_undo_asks_for_a_reason_next_to_the_field(login, coordinator, booked, clock):
    clock(at(TUESDAY, 9, 20))
    services.record_visit(
        appointment=booked, action="no_show", actor=coordinator, reason="no_contact"
    )
    clock(at(TUESDAY, 11))
    client = login(coordinator)
    undo = reverse("schedule:undo", args=[booked.pk])
    assert "a reason is needed" in client.get(undo).content.decode()
    response = client.post(undo, {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    client.post(undo, {"reason": "Front desk pressed the wrong row"})
    booked.refresh_from_db()
    assert booked.status == S.BOOKED


def test_undo_refused_when_the_slot_was_taken_says_so(
    login, coordinator, booked, other_patient, follow_up, provider
):
    services.cancel_appointment(appointment=booked, actor=coordinator, reason="clinic")
    consulted(other_patient, provider, hour=11)
    services.book_appointment(
        patient=other_patient,
        appointment_type=follow_up,
        provider=provider,
        start=at(TUESDAY, 9),
        mode="in_person",
        actor=coordinator,
        override_reason="Test",
        now=NOW,
    )
    response = login(coordinator).post(reverse("schedule:undo", args=[booked.pk]))
    assert response.status_code == 409
    assert "given to someone else" in response.content.decode()
    booked.refresh_from_db()
    assert booked.status == S.CANCELLED_CLINIC


def test_the_buttons_of_a_future_appointment_are_move_and_cancel(login, coordinator, booked):
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/schedule/")
    request.user = coordinator
    html = Template(
        '{% include "consultations/staff/_appointment_actions.html" with appointment=a %}'
    ).render(Context({"a": booked, "request": request}))
    assert reverse("schedule:move", args=[booked.pk]) in html
    assert reverse("schedule:cancel", args=[booked.pk]) + "?next=/schedule/%23appt-" in html
    assert "No-show" not in html and "Undo" not in html and "Check in" not in html


def test_the_outside_hours_list_offers_move_and_cancel(login, coordinator, booked, provider):
    provider.hours.filter(weekday=TUESDAY.weekday(), start=dt.time(9)).delete()
    html = login(coordinator).get(reverse("schedule:home")).content.decode()
    assert reverse("schedule:cancel", args=[booked.pk]) in html
    assert reverse("schedule:move", args=[booked.pk]) in html
    assert f"?date=2027-01-12&amp;provider={provider.pk}#appt-{booked.pk}" in html


ACTION_PAGES = [
    ("schedule:cancel", {}),
    ("schedule:undo", {}),
    ("schedule:change_status", {"action": "no_show"}),
]


@pytest.mark.parametrize(("name", "query"), ACTION_PAGES)
def test_action_pages_are_for_staff_who_manage_bookings(client, login, people, booked, name, query):
    url = reverse(name, args=[booked.pk])
    assert client.get(url, query).status_code == 302  # to the login page
    for role, user in people.items():
        expected = 200 if role in ("coordinator", "clinician", "clinic_admin") else 403
        assert login(user).get(url, query).status_code == expected, role
        assert login(user).post(url, {**query, "reason": "clinic"}).status_code in (
            {302, 409} if expected == 200 else {403}
        )


def test_action_pages_show_no_clinical_text(login, coordinator, booked, clinician):
    from intake import review

    intake = services.approved_intake(booked.patient)
    review.add_note(intake=intake, actor=clinician, text="History of ketamine misuse in 2019")
    for name, query in ACTION_PAGES:
        html = login(coordinator).get(reverse(name, args=[booked.pk]), query).content.decode()
        assert "ketamine misuse" not in html


# ------------------------------------------------------------------ the patient's cancel


def test_patient_cancel_asks_first_and_explains_the_window(client, booked, approved_patient):
    client.force_login(approved_patient)
    url = reverse("consultations:cancel", args=[booked.pk])
    detail = client.get(reverse("consultations:detail", args=[booked.pk])).content.decode()
    assert f'href="{url}"' in detail  # a link to the confirmation, not a one-click form
    page = client.get(url).content.decode()
    assert "Cancel your appointment?" in page and "until 24 hours before it starts" in page
    assert "for this one, until Monday, January 11, 2027 at 9:00 AM EST" in page
    booked.refresh_from_db()
    assert booked.status == S.BOOKED
    response = client.post(url)
    assert response.url == reverse("consultations:detail", args=[booked.pk])
    booked.refresh_from_db()
    assert booked.status == S.CANCELLED_PATIENT and not booked.late_cancellation


def test_patient_inside_the_window_is_told_to_phone(client, booked, approved_patient, clock):
    clock(at(TUESDAY, 9) - dt.timedelta(hours=3))
    client.force_login(approved_patient)
    url = reverse("consultations:cancel", args=[booked.pk])
    assert "no longer be cancelled online" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "too close to the appointment" in response.content.decode()
    booked.refresh_from_db()
    assert booked.status == S.BOOKED


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="exclusion constraints need PostgreSQL (CI runs it)"
)
def test_the_database_refuses_an_undo_into_a_taken_time_even_unchecked(
    booked, coordinator, other_patient, follow_up, provider, monkeypatch
):
    services.cancel_appointment(appointment=booked, actor=coordinator, reason="clinic")
    consulted(other_patient, provider, hour=11)
    services.book_appointment(
        patient=other_patient,
        appointment_type=follow_up,
        provider=provider,
        start=at(TUESDAY, 9),
        mode="in_person",
        actor=coordinator,
        override_reason="Test",
        now=NOW,
    )
    monkeypatch.setattr(services, "_time_still_free", lambda locked: None)  # a wrong check
    with pytest.raises(services.SlotTaken):
        services.undo_status_change(appointment=booked, actor=coordinator)
    booked.refresh_from_db()
    assert booked.status == S.CANCELLED_CLINIC
