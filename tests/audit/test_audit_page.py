"""The clinic admin's audit page, its export, and "who viewed this record"."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import Action, AuditEvent
from clinic.audit.services import record
from intake import demo, review
from tests.intake.helpers import post_data


@pytest.fixture
def alice_intake(patient):
    return demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)


@pytest.mark.parametrize(
    ("role", "status"),
    [("clinic_admin", 200), ("clinician", 403), ("coordinator", 403), ("patient", 403)],
)
def test_the_audit_page_and_export_are_for_clinic_admins(login, people, role, status):
    client = login(people[role])
    assert client.get(reverse("audit:log")).status_code == status
    assert client.get(reverse("audit:export")).status_code == status


def test_clinic_admin_searches_by_patient_staff_member_and_dates(
    login, clinic_admin, clinician, coordinator, patient, other_patient
):
    record(actor=clinician, action=Action.VIEW, patient=patient)
    record(actor=coordinator, action=Action.VIEW, patient=other_patient)
    record(actor=coordinator, action=Action.LIST, patient_ids=[patient.pk, other_patient.pk])
    record(actor=clinician, action=Action.VIEW, patient=patient)
    client = login(clinic_admin)

    def shown(**query):
        response = client.get(reverse("audit:log"), query)
        assert response.status_code == 200
        # The audit page records what it showed, too; count the other staff's rows.
        return sum(1 for e in response.context["page"].object_list if e.actor != clinic_admin)

    assert shown() == 4
    assert shown(patient="alice") == 3  # her two views and the list that showed her
    assert shown(staff=coordinator.pk) == 2
    assert shown(patient="charlie", staff=coordinator.pk) == 2
    today = timezone.localdate()
    assert shown(since=today.isoformat(), until=today.isoformat()) == 4
    assert shown(until=(today - dt.timedelta(days=1)).isoformat()) == 0
    assert shown(since="2030-01-02", until="2030-01-01") == 0  # refused, explained
    assert (
        "start date is after the end date"
        in client.get(
            reverse("audit:log"), {"since": "2030-01-02", "until": "2030-01-01"}
        ).content.decode()
    )


def test_audit_page_is_paginated_with_filters_kept(login, clinic_admin, clinician, patient):
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=clinician, action=Action.VIEW, patient=patient) for _ in range(120)
    )
    response = login(clinic_admin).get(reverse("audit:log"), {"patient": "alice", "page": 3})
    page = response.context["page"]
    assert (page.number, len(page.object_list), page.paginator.num_pages) == (3, 20, 3)
    assert "patient=alice&amp;page=2" in response.content.decode()


def test_export_is_audited_and_neutralises_formulas(login, clinic_admin, clinician, patient):
    clinician.first_name = '=HYPERLINK("http://evil")'
    clinician.save()
    record(actor=clinician, action="role_granted", detail={"why": "@SUM(1+1)"})
    response = login(clinic_admin).get(reverse("audit:export"), {"staff": clinician.pk})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "when" and len(rows) == 2
    assert rows[1][1].startswith("'=HYPERLINK")
    assert rows[1][7] == "why: @SUM(1+1)"  # starts with "why", so already harmless
    export = AuditEvent.objects.order_by("-pk").first()
    assert (export.actor, export.action, export.view_name) == (
        clinic_admin,
        Action.EXPORT,
        "audit:export",
    )
    assert export.detail["filters"] == {"staff": str(clinician)}


def test_answer_changes_show_values_to_clinicians_only(
    login, clinic_admin, clinician, patient, alice_intake
):
    review.request_more_info(
        intake=alice_intake, actor=clinician, sections=["goals"], message="Driver?"
    )
    login(patient).post(
        reverse("intake:step", args=["goals"]),
        post_data("goals", {**demo.BASE, "has_driver": "no"}),
    )
    html = login(clinic_admin).get(reverse("audit:log")).content.decode()
    assert "Changed: has_driver (values shown to clinicians only)" in html
    assert "&#x27;yes&#x27; → &#x27;no&#x27;" not in html


def test_review_page_shows_who_viewed_the_record(
    login, clinician, coordinator, clinic_admin, alice_intake
):
    login(coordinator).get(reverse("staff:intake", args=[alice_intake.pk]))
    url = reverse("staff:intake", args=[alice_intake.pk])
    for reader in (clinician, clinic_admin):
        html = login(reader).get(url).content.decode()
        assert "Who viewed this record" in html
        assert "Casey Coordinator (coordinator)" in html and "Intake review page" in html
    assert "Who viewed this record" not in login(coordinator).get(url).content.decode()
