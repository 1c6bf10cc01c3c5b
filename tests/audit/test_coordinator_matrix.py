"""Coordinators (and clinic admins) read no clinical text anywhere history is shown.

The matrix: role × page × event type. Each event below is made by the real service with a
recognisable clinical phrase; the phrase must be on the page for a clinician and absent
for everyone without clinical access. Which fields each role reads is intake/history.py.
"""

import pytest
from django.urls import reverse

from intake import demo, history, review
from intake.models import DeclineTemplate, IntakeEvent

K = IntakeEvent.Kind

# event type -> (how to make it on an intake, the clinical words it leaves)
EVENTS = {
    "alert_ack": (
        lambda intake, clinician: review.acknowledge_alert(
            alert=intake.alerts.get(),
            actor=clinician,
            action_taken="C-SSRS screen: passive ideation, no plan; safety plan agreed",
        ),
        "C-SSRS screen: passive ideation",
    ),
    "decline": (
        lambda intake, clinician: review.decline(
            intake=intake,
            actor=clinician,
            template=DeclineTemplate.objects.first(),
            note="Uncontrolled hypertension 190/110",
        ),
        "Uncontrolled hypertension 190/110",
    ),
    "refer": (
        lambda intake, clinician: review.refer(
            intake=intake,
            actor=clinician,
            note="Refer to addiction medicine: DAST-10 of 7",
            patient_message="Another service suits you better.",
        ),
        "DAST-10 of 7",
    ),
    "request_info": (
        lambda intake, clinician: review.request_more_info(
            intake=intake,
            actor=clinician,
            sections=["mood"],
            message="Tell us more about the overdose in 2023",
        ),
        "overdose in 2023",
    ),
    "reopen": (
        lambda intake, clinician: review.reopen(
            intake=review.decline(
                intake=intake, actor=clinician, template=DeclineTemplate.objects.first()
            ),
            actor=clinician,
            reason="Now 8 weeks pregnant, phoned today",
        ),
        "Now 8 weeks pregnant",
    ),
    "screened": (lambda intake, clinician: None, "triage Urgent safety"),  # made at submission
    "flag_cleared": (
        lambda intake, clinician: review.clear_flag(
            flag=intake.flags.first(), actor=clinician, reason="Cardiology letter: BP controlled"
        ),
        "Cardiology letter: BP controlled",
    ),
    "note": (
        lambda intake, clinician: review.add_note(
            intake=intake, actor=clinician, text="History of ketamine misuse in 2019"
        ),
        "ketamine misuse in 2019",
    ),
}

ROLES = {"clinician": True, "coordinator": False, "clinic_admin": False}
PAGES = ["staff:intake", "staff:intake_action"]  # the review page, and it re-shown after a bad form


@pytest.fixture
def urgent_intake(patient):
    # FIBROMYALGIA answers PHQ-9 item 9 above 0: an urgent alert, triage "urgent".
    return demo.seed_intake(patient=patient, answers=demo.FIBROMYALGIA, submit=True)


def _page(client, name, intake):
    if name == "staff:intake":
        return client.get(reverse(name, args=[intake.pk]))
    # An invalid note re-renders the review page with the same context.
    return client.post(reverse(name, args=[intake.pk, "note"]), {"note-text": ""})


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_history_shows_clinical_text_to_clinicians_only(
    login, people, clinician, urgent_intake, role, page, event
):
    make, words = EVENTS[event]
    make(urgent_intake, clinician)
    response = _page(login(people[role]), page, urgent_intake)
    # Only reviewers may post review actions: everyone else gets the 403 page, no history.
    reviewer = role == "clinician" or page == "staff:intake"
    assert response.status_code == (200 if reviewer else 403)
    html = response.content.decode()
    assert (words in html) is ROLES[role], f"{role} on {page} after {event}"


@pytest.mark.parametrize("role", ["coordinator", "clinic_admin"])
def test_front_desk_still_sees_who_moved_the_intake_and_where_it_stands(
    login, people, clinician, urgent_intake, role
):
    EVENTS["decline"][0](urgent_intake, clinician)
    html = login(people[role]).get(reverse("staff:intake", args=[urgent_intake.pk])).content
    html = html.decode()
    assert "Status change" in html and "Declined" in html
    assert "Screened" in html and "Urgent alert acknowledged" not in html


def test_every_event_kind_has_a_decision_in_the_table():
    decided = set(history.NON_CLINICAL_FIELDS) | {K.FLAG_CLEARED, K.NOTE, K.PATIENT_NOTE}
    assert decided == set(K.values)
    for kind in K.values:
        assert history.fields_for(kind, clinical=True) == history.ALL_FIELDS
        assert "text" not in history.fields_for(kind, clinical=False) or kind == K.ASSIGNED


@pytest.mark.parametrize("role", ROLES)
def test_the_printed_summary_holds_clinical_text_for_clinicians_only(
    login, people, clinician, urgent_intake, role
):
    import io

    from pypdf import PdfReader

    EVENTS["note"][0](urgent_intake, clinician)
    response = login(people[role]).get(reverse("staff:intake_summary_pdf", args=[urgent_intake.pk]))
    if not ROLES[role]:
        assert response.status_code == 403
        assert EVENTS["note"][1].encode() not in response.content
        return
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert EVENTS["note"][1] in " ".join(text.split())


@pytest.mark.parametrize("role", ROLES)
def test_patient_page_shows_clinical_parts_to_clinicians_only(
    login, people, clinician, urgent_intake, role
):
    """The staff patient page joins the matrix: triage and every clinical phrase an event
    leaves stay off it for the front desk; status, contact and intakes are for everyone."""
    shown = ("alert_ack", "flag_cleared", "note", "decline")  # decline last: it ends the intake
    for event in shown:
        EVENTS[event][0](urgent_intake, clinician)
    url = reverse("staff:patient", args=[urgent_intake.patient_id])
    html = login(people[role]).get(url).content.decode()
    assert f"Intake #{urgent_intake.pk}" in html and "Declined" in html
    assert ("Triage:" in html) is ROLES[role]
    for event in shown:
        assert EVENTS[event][1] not in html  # clinical text is on the review page, not here
