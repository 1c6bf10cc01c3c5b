"""The printed summary (PDF) and the CSV export: what a clinician takes to the consultation."""

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from clinic.audit.models import Action, AuditEvent
from intake import demo, review
from intake.models import DeclineTemplate

PDF_COPY = settings.VAR_DIR / "screenshots"  # the PDFs, to look at by hand

# Alice's demo answers with two stop findings and PHQ-9 item 9 positive: every part of the
# summary has something in it (cleared stops, an acknowledged alert, opioids, medicines).
FULL = {**demo.BASE, "health_conditions": ["psychosis", "eye_pressure"], "phq9_9": "1"}


def _reviewed(patient, clinician, answers):
    """A demo intake taken as far as a clinic takes one: notes, cleared flags, a decision."""
    intake = demo.seed_intake(patient=patient, answers=answers, submit=True)
    review.start_review(intake=intake, actor=clinician)
    review.add_note(intake=intake, actor=clinician, text="Called her: pain diary agreed.")
    review.add_note(intake=intake, actor=clinician, text="Records from Dr. Rivera requested.")
    for flag in intake.flags.filter(severity="stop"):
        review.clear_flag(flag=flag, actor=clinician, reason="Cardiology letter: BP controlled")
    for alert in intake.alerts.all():
        review.acknowledge_alert(alert=alert, actor=clinician, action_taken="C-SSRS done: low risk")
    review.decline(
        intake=intake,
        actor=clinician,
        template=DeclineTemplate.objects.first(),
        note="Needs addiction medicine first",
    )
    intake.refresh_from_db()
    return intake


def _pages(response) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


@pytest.mark.parametrize("answers", [FULL, demo.FIBROMYALGIA], ids=["full", "fibromyalgia"])
def test_the_summary_is_two_or_three_letter_pages_naming_the_patient_on_each(
    login, clinician, patient, answers
):
    intake = _reviewed(patient, clinician, answers)
    response = login(clinician).get(reverse("staff:intake_summary_pdf", args=[intake.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    PDF_COPY.mkdir(parents=True, exist_ok=True)
    (PDF_COPY / f"intake-summary-{answers['legal_first_name']}.pdf").write_bytes(response.content)
    pages = _pages(response)
    assert 2 <= len(pages) <= 3, len(pages)
    name = f"{answers['legal_first_name']} {answers['legal_last_name']}"
    for number, text in enumerate(pages, start=1):
        assert name in text, number
        assert "born Apr 23, 1979" in text, number
        assert settings.CLINIC["name"] in text, number
        assert f"Page {number} of {len(pages)}" in text, number


def test_the_summary_holds_scores_flags_mme_decision_notes_history_and_medicines(
    login, clinician, patient
):
    intake = _reviewed(patient, clinician, FULL)
    response = login(clinician).get(reverse("staff:intake_summary_pdf", args=[intake.pk]))
    text = " ".join(" ".join(_pages(response)).split())
    for words in [
        "PHQ-9",  # scores with bands
        "mild",
        "Cleared by Morgan Lee, Dec",  # how a flag was cleared, and why
        "Cardiology letter: BP controlled",
        "Urgent alert acknowledged",
        "Total: 60.0 MME/day",
        "Declined",  # the decision and why
        "Needs addiction medicine first",
        "Called her: pain diary agreed.",  # notes
        "Submitted → In review",  # history in words, not codes
        "Lorazepam",  # other medicines
    ]:
        assert words in text, words
    assert "in_review" not in text and "submitted →" not in text


def test_printing_the_summary_is_audited_as_a_read(login, clinician, patient):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    login(clinician).get(reverse("staff:intake_summary_pdf", args=[intake.pk]))
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.patient, event.actor) == (Action.VIEW, patient, clinician)
    assert event.view_name == "staff:intake_summary_pdf"


@pytest.mark.parametrize("role", ["coordinator", "clinic_admin"])
def test_only_clinicians_may_print_the_summary(login, people, patient, role):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    before = AuditEvent.objects.count()
    url = reverse("staff:intake_summary_pdf", args=[intake.pk])
    assert login(people[role]).get(url).status_code == 403
    assert AuditEvent.objects.count() == before


def test_the_review_page_links_to_the_printed_summary(login, clinician, patient):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    html = login(clinician).get(reverse("staff:intake", args=[intake.pk])).content.decode()
    assert reverse("staff:intake_summary_pdf", args=[intake.pk]) in html
    assert "Print summary (PDF)" in html


def test_the_csv_export_carries_scores_flags_mme_and_decision_next_to_the_answers(
    login, clinician, patient
):
    intake = _reviewed(patient, clinician, FULL)
    body = login(clinician).get(reverse("staff:intake_export", args=[intake.pk])).content
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows[0] == ["section", "question_key", "question", "answer"]
    by_key = {row[1]: row for row in rows[1:]}
    assert by_key["score:PHQ9"][3] == "9 / 27 mild"
    assert by_key["score:PEG"][0] == "Scores"
    flags = [row for row in rows if row[0] == "Screening flags"]
    assert flags and all(row[1].startswith("flag:") for row in flags)
    psychosis = by_key["flag:psychosis_history"][3]
    assert psychosis.startswith("Stop; cleared by Morgan Lee on ")
    assert psychosis.endswith(": Cardiology letter: BP controlled")
    assert by_key["mme_total"][3] == "60.0" and by_key["mme_band"][3]
    assert by_key["status"][3] == "Declined" and by_key["decided_at"][3]
    assert by_key["decline_template"][3] == DeclineTemplate.objects.first().title
    assert by_key["peg_pain"][3] == "7 / 10"  # the answers follow


def test_csv_summary_cells_are_neutralised_too(login, clinician, patient):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    review.refer(
        intake=intake, actor=clinician, note="x", patient_message='=HYPERLINK("http://e.example")'
    )
    body = login(clinician).get(reverse("staff:intake_export", args=[intake.pk])).content.decode()
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body and '"=HYPERLINK' not in body


def test_without_the_pdf_library_the_summary_link_explains_instead_of_failing(
    login, clinician, patient, monkeypatch
):
    # A machine without WeasyPrint/pango: importing it fails (None in sys.modules does so).
    monkeypatch.setitem(__import__("sys").modules, "weasyprint", None)
    intake = demo.seed_intake(patient=patient, answers=demo.FIBROMYALGIA, submit=True)
    client = login(clinician)
    response = client.get(reverse("staff:intake_summary_pdf", args=[intake.pk]), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("staff:intake", args=[intake.pk])
    assert "PDF summary cannot be made on this server" in response.content.decode()
