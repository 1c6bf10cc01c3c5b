"""Check-ins: created once when due, nudged once, answered on the phone, crisis on item 9,
and seen only by the patient herself and (answers) by clinicians."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import AuditEvent
from clinic.core.models import ClinicSettings
from clinic.notifications.dispatcher import dispatch_due
from clinic.notifications.models import Message
from consultations import checkin_services
from consultations.models import Appointment, CheckIn
from intake.models import UrgentAlert
from tests.words import says

from .checkin_helpers import FOLLOW_UP, course, follow_up

pytestmark = pytest.mark.django_db


def _kinds(patient):
    return sorted(CheckIn.objects.filter(patient=patient).values_list("kind", flat=True))


def test_scheduling_twice_creates_each_check_in_once(approved_patient, provider):
    course(approved_patient, provider, days_ago=(12, 10, -3))  # one infusion to come
    assert checkin_services.schedule_check_ins() == 1
    assert checkin_services.schedule_check_ins() == 0
    assert _kinds(approved_patient) == ["pre_infusion"]
    due = Message.objects.filter(kind="checkin_due", recipient=approved_patient)
    # once per channel the patient allows, holding only the check-in's id
    assert sorted(due.values_list("channel", flat=True)) == ["email", "sms"]
    assert {str(m.context) for m in due} == {str({"check_in": CheckIn.objects.get().pk})}


def test_follow_ups_are_created_when_due_after_the_last_infusion(approved_patient, provider):
    course(approved_patient, provider, days_ago=(40, 38, 30))  # last one 30 days ago
    checkin_services.schedule_check_ins()
    checkin_services.schedule_check_ins()
    # 1 week (closed already: not asked) and 4 weeks (open); 12 weeks not due yet
    assert _kinds(approved_patient) == ["week_4"]


def test_a_moved_infusion_moves_its_check_in(approved_patient, provider):
    row = course(approved_patient, provider, days_ago=(-5,))
    checkin_services.schedule_check_ins()
    infusion = Appointment.objects.get(course=row)
    later = infusion.start + dt.timedelta(days=2)
    Appointment.objects.filter(pk=infusion.pk).update(
        start=later, end=later + dt.timedelta(hours=1)
    )
    checkin_services.schedule_check_ins()
    check_in = CheckIn.objects.get()
    assert check_in.closes_at == later and check_in.due_at == later - dt.timedelta(days=2)
    pending = Message.objects.filter(kind="checkin_due", status=Message.Status.PENDING)
    assert {m.due_at for m in pending} == {check_in.due_at}


def test_a_cancelled_infusion_drops_its_unfilled_check_in(approved_patient, provider):
    row = course(approved_patient, provider, days_ago=(-5,))
    checkin_services.schedule_check_ins()
    Appointment.objects.filter(course=row).update(status=Appointment.Status.CANCELLED_CLINIC)
    checkin_services.schedule_check_ins()
    assert not CheckIn.objects.exists()
    assert not Message.objects.filter(kind="checkin_due", status=Message.Status.PENDING).exists()


def test_a_missed_check_in_gets_one_nudge(approved_patient, provider):
    row = course(approved_patient, provider)
    check_in = follow_up(approved_patient, row, weeks_ago=1)  # opened 7 days ago, nudge after 3
    assert checkin_services.nudge_check_ins() == 1
    assert checkin_services.nudge_check_ins(now=timezone.now() + dt.timedelta(days=2)) == 0
    nudges = Message.objects.filter(kind="checkin_nudge")
    assert sorted(nudges.values_list("channel", flat=True)) == ["email", "sms"]
    check_in.refresh_from_db()
    assert check_in.nudged_at is not None


def test_no_nudge_before_its_time_or_once_filled_in(approved_patient, provider):
    row = course(approved_patient, provider)
    follow_up(approved_patient, row, weeks_ago=0)  # just opened
    follow_up(approved_patient, row, weeks_ago=1, peg=3, kind="week_4")  # answered
    assert checkin_services.nudge_check_ins() == 0


def test_the_message_holds_a_name_a_time_and_a_link_only(approved_patient, provider):
    row = course(approved_patient, provider)
    check_in = follow_up(approved_patient, row, weeks_ago=0)
    from consultations import messages

    messages.check_in_due(check_in=check_in)
    dispatch_due()
    [email] = mail.outbox
    assert reverse("consultations:checkin", args=[check_in.pk]) in email.body
    assert "Alice" in email.body
    for clinical in ("PEG", "PHQ", "depress", "pain score", "opioid"):
        assert clinical not in email.body


def test_the_patient_fills_in_a_follow_up(client, approved_patient, provider):
    row = course(approved_patient, provider)
    check_in = follow_up(approved_patient, row, weeks_ago=0)
    client.force_login(approved_patient)
    url = reverse("consultations:checkin", args=[check_in.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, FOLLOW_UP)
    assert response.status_code == 302
    check_in.refresh_from_db()
    # MME "no change since last time" copies the intake's 60 (oxycodone 10 mg x 4)
    assert check_in.scores == {"peg": 3.0, "phq9": 0, "gad7": 7, "mme": 60.0, "pgic": 2}
    assert check_in.completed_at is not None
    assert AuditEvent.objects.filter(action="create", target_id=str(check_in.pk)).exists()


def test_bad_input_keeps_the_answers_and_says_what_is_missing(client, approved_patient, provider):
    row = course(approved_patient, provider)
    check_in = follow_up(approved_patient, row, weeks_ago=0)
    client.force_login(approved_patient)
    posted = {**FOLLOW_UP, "opioids_change": "changed"}
    del posted["pgic"]
    response = client.post(reverse("consultations:checkin", args=[check_in.pk]), posted)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please answer this question." in body and "Enter the medicine you take now" in body
    assert 'value="3" checked' in body or 'checked value="3"' in body or "checked" in body
    assert not CheckIn.objects.get().is_completed


def test_changed_opioids_are_scored_as_mme(client, approved_patient, provider):
    row = course(approved_patient, provider)
    check_in = follow_up(approved_patient, row, weeks_ago=0)
    client.force_login(approved_patient)
    posted = {
        **FOLLOW_UP,
        "opioids_change": "changed",
        "opioid_1_drug": "tramadol",
        "opioid_1_strength": "50",
        "opioid_1_doses_per_day": "4",
    }
    client.post(reverse("consultations:checkin", args=[check_in.pk]), posted)
    check_in.refresh_from_db()
    assert check_in.scores["mme"] == 40.0


def test_item_9_above_0_shows_crisis_resources_and_alerts_the_on_call_clinician(
    client, approved_patient, provider, clinician
):
    ClinicSettings.load().on_call_clinicians.add(clinician)
    row = course(approved_patient, provider)
    check_in = follow_up(approved_patient, row, weeks_ago=0)
    client.force_login(approved_patient)
    response = client.post(
        reverse("consultations:checkin", args=[check_in.pk]), {**FOLLOW_UP, "phq9_9": "1"}
    )
    assert response.url == reverse("consultations:checkin_support", args=[check_in.pk])
    page = client.get(response.url).content.decode()
    assert "988" in page and "911" in page
    alert = UrgentAlert.objects.get(kind="checkin_phq9_item9")
    check_in.refresh_from_db()
    assert check_in.alert == alert
    assert Message.objects.filter(kind="urgent_alert", recipient=clinician).exists()


def test_the_alert_email_for_a_check_in_opens_the_patients_check_ins_not_the_intake(
    approved_patient, provider, clinician
):
    ClinicSettings.load().on_call_clinicians.add(clinician)
    row = course(approved_patient, provider)
    check_in = follow_up(approved_patient, row, weeks_ago=0)
    answers = {**FOLLOW_UP, "phq9_9": "1"}
    checkin_services.submit_check_in(check_in=check_in, answers=answers, actor=approved_patient)
    dispatch_due(now=timezone.now() + dt.timedelta(seconds=1))
    (email,) = [m for m in mail.outbox if m.subject.startswith("Urgent")]
    checkins = reverse("schedule:patient_checkins", args=[approved_patient.pk])
    assert settings.SITE_URL.rstrip("/") + checkins in email.body
    alert = UrgentAlert.objects.get(kind="checkin_phq9_item9")
    assert reverse("staff:intake", args=[alert.intake_id]) not in email.body
    assert email.body.startswith("A patient's outcome check-in needs a clinician's attention")


def test_item_9_in_a_check_in_joins_an_alert_still_open(approved_patient, provider):
    row = course(approved_patient, provider)
    first = follow_up(approved_patient, row, weeks_ago=0)
    second = follow_up(approved_patient, row, weeks_ago=0, kind="week_4")
    answers = {**FOLLOW_UP, "phq9_9": "2"}
    checkin_services.submit_check_in(check_in=first, answers=answers, actor=approved_patient)
    checkin_services.submit_check_in(check_in=second, answers=answers, actor=approved_patient)
    assert UrgentAlert.objects.count() == 1


def test_a_check_in_alert_is_raised_and_emailed_even_while_the_intakes_alert_is_open(
    approved_patient, provider, clinician
):
    ClinicSettings.load().on_call_clinicians.add(clinician)
    intake = approved_patient.intakes.get()
    intake_alert = UrgentAlert.objects.create(intake=intake, kind=UrgentAlert.Kind.PHQ9_ITEM9)
    row = course(approved_patient, provider)
    check_in = follow_up(approved_patient, row, weeks_ago=0)
    answers = {**FOLLOW_UP, "phq9_9": "1"}
    checkin_services.submit_check_in(check_in=check_in, answers=answers, actor=approved_patient)
    check_in.refresh_from_db()
    assert check_in.alert is not None and check_in.alert != intake_alert
    assert Message.objects.filter(kind="urgent_alert", recipient=clinician).count() == 1


def test_the_alert_banner_opens_the_check_ins_for_a_check_in_alert_and_the_intake_otherwise(
    client, login, clinician, approved_patient, provider
):
    row = course(approved_patient, provider)
    check_in = follow_up(approved_patient, row, weeks_ago=0)
    answers = {**FOLLOW_UP, "phq9_9": "1"}
    checkin_services.submit_check_in(check_in=check_in, answers=answers, actor=approved_patient)
    intake = approved_patient.intakes.get()
    UrgentAlert.objects.create(intake=intake, kind=UrgentAlert.Kind.PHQ9_ITEM9)
    login(clinician)
    page = client.get(reverse("staff:dashboard")).content.decode()
    banner = page.split('aria-label="Urgent safety alerts"', 1)[1].split("</div>\n</div>", 1)[0]
    checkins = reverse("schedule:patient_checkins", args=[approved_patient.pk])
    assert f'href="{checkins}"' in banner
    assert f'href="{reverse("staff:intake", args=[intake.pk])}"' in banner
    assert "in a check-in" in banner


def test_a_closed_check_in_cannot_be_filled_in(client, approved_patient, provider):
    row = course(approved_patient, provider)
    check_in = follow_up(approved_patient, row, weeks_ago=3)  # closed a week ago
    client.force_login(approved_patient)
    url = reverse("consultations:checkin", args=[check_in.pk])
    assert "has closed" in client.get(url).content.decode()
    client.post(url, FOLLOW_UP)
    assert not CheckIn.objects.get().is_completed


def test_a_correction_keeps_the_old_answers_in_the_audit_trail(approved_patient, provider):
    row = course(approved_patient, provider)
    check_in = follow_up(approved_patient, row, weeks_ago=0)
    checkin_services.submit_check_in(check_in=check_in, answers=FOLLOW_UP, actor=approved_patient)
    checkin_services.submit_check_in(
        check_in=check_in, answers={**FOLLOW_UP, "peg_pain": "6"}, actor=approved_patient
    )
    change = AuditEvent.objects.get(action="update", target_id=str(check_in.pk))
    assert change.detail["changes"]["peg_pain"] == ["3", "6"]


def test_the_login_link_lands_on_the_form(client, approved_patient, provider):
    row = course(approved_patient, provider)
    check_in = follow_up(approved_patient, row, weeks_ago=0)
    url = reverse("consultations:checkin", args=[check_in.pk])
    response = client.get(url)
    assert response.status_code == 302 and f"next={url}" in response.url.replace("%2F", "/")


def test_another_patient_gets_a_404(client, approved_patient, other_patient, provider):
    row = course(approved_patient, provider)
    check_in = follow_up(approved_patient, row, weeks_ago=0)
    client.force_login(other_patient)
    assert client.get(reverse("consultations:checkin", args=[check_in.pk])).status_code == 404
    assert (
        client.post(reverse("consultations:checkin", args=[check_in.pk]), FOLLOW_UP).status_code
        == 404
    )
    assert (
        client.get(reverse("consultations:checkin_support", args=[check_in.pk])).status_code == 404
    )
    listing = client.get(reverse("consultations:checkins")).content.decode()
    assert reverse("consultations:checkin", args=[check_in.pk]) not in listing


def test_the_portal_shows_the_due_check_in(client, approved_patient, provider):
    row = course(approved_patient, provider)
    check_in = follow_up(approved_patient, row, weeks_ago=0)
    client.force_login(approved_patient)
    page = client.get(reverse("intake:portal")).content.decode()
    assert reverse("consultations:checkin", args=[check_in.pk]) in page


@pytest.mark.parametrize("role", ["coordinator", "clinic_admin"])
def test_front_desk_sees_status_never_answers(
    client, login, people, approved_patient, provider, role
):
    row = course(approved_patient, provider)
    check_in = follow_up(approved_patient, row, weeks_ago=0)
    checkin_services.submit_check_in(check_in=check_in, answers=FOLLOW_UP, actor=approved_patient)
    login(people[role])
    for url in (
        reverse("schedule:patient_checkins", args=[approved_patient.pk]),
        reverse("staff:patient", args=[approved_patient.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Filled in" in page or "1 answered" in page
        for clinical in ("PEG 3", "PHQ-9 0", "GAD-7", "MME", "PGIC", "Responder"):
            assert not says(page, clinical), clinical


def test_clinicians_see_scores_and_the_read_is_audited(
    client, login, clinician, approved_patient, provider
):
    row = course(approved_patient, provider)
    check_in = follow_up(approved_patient, row, weeks_ago=0)
    checkin_services.submit_check_in(check_in=check_in, answers=FOLLOW_UP, actor=approved_patient)
    login(clinician)
    page = client.get(
        reverse("schedule:patient_checkins", args=[approved_patient.pk])
    ).content.decode()
    assert "PEG 3.0" in page and "Substantial response" in page
    assert AuditEvent.objects.filter(
        actor=clinician,
        action="view",
        patient=approved_patient,
        view_name="schedule:patient_checkins",
    ).exists()


def test_patients_cannot_open_the_staff_pages(client, approved_patient):
    client.force_login(approved_patient)
    assert (
        client.get(reverse("schedule:patient_checkins", args=[approved_patient.pk])).status_code
        == 403
    )
    assert client.get(reverse("schedule:boosters")).status_code == 403
