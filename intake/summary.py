"""One intake's clinical summary, the same facts for the printed PDF and the CSV export.

Clinicians only (callers check `view_clinical_answers`): scores with their bands, every
flag with how it was cleared, MME, the decision, internal notes and the history, worded
as the review page words them (intake.display, intake.history).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from . import history, scoring
from .display import AnsweredQuestion, ScoreRow, answered_sections, score_rows
from .models import Intake, IntakeEvent
from .questionnaire import visible_answers
from .screening import Triage

# The answers a clinician reads first, in this order (everything else stays in the CSV).
KEY_FACT_KEYS = (
    "preferred_name",
    "sex_at_birth",
    "mobile_phone",
    "pcp_name",
    "main_complaint",
    "diagnoses",
    "pain_started",
    "pain_average",  # asked up to questionnaire 2026.12.4; PEG's average pain since
    "peg_pain",
    "pain_worst",
    "goals",
    "has_driver",
    "pregnancy_status",
)
MEDICATION_SECTIONS = ("medications",)
SEVERITY_LABELS = {"stop": "Stop", "caution": "Caution", "info": "Info"}


@dataclass(frozen=True)
class Decision:
    status: str
    decided_at: dt.datetime | None
    template: str  # the decline template's title, if declined
    patient_message: str  # what the patient reads in the portal
    events: tuple  # the status changes, oldest first (ShownEvent)


@dataclass(frozen=True)
class Summary:
    intake: Intake
    name: str
    date_of_birth: dt.date | None
    age: int | None
    triage: str
    key_facts: tuple[AnsweredQuestion, ...]
    scores: list[ScoreRow]
    score_codes: tuple[str, ...]
    flags: list
    mme: scoring.MMEResult
    medications: tuple[AnsweredQuestion, ...]
    decision: Decision
    notes: list = field(default_factory=list)
    events: list = field(default_factory=list)


def age_on(born: dt.date | None, today: dt.date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def build_summary(*, intake: Intake, user) -> Summary:
    """The summary as this clinician reads it; a fixed number of queries."""
    shown = visible_answers(intake.answers)
    scores = scoring.score_all(shown)  # as the review page scores them
    answered = {
        item.question.key: item
        for block in answered_sections(intake.answers)
        for item in block.items
    }
    medications = tuple(
        item
        for block in answered_sections(intake.answers, MEDICATION_SECTIONS)
        for item in block.items
    )
    events = history.visible_events(intake, user)
    note_label = IntakeEvent.Kind.NOTE.label
    status_label = IntakeEvent.Kind.STATUS.label
    return Summary(
        intake=intake,
        name=_legal_name(intake),
        date_of_birth=intake.date_of_birth,
        age=age_on(intake.date_of_birth, timezone.localdate()),
        triage=Triage(intake.triage).label if intake.triage else "Not screened",
        key_facts=tuple(answered[k] for k in KEY_FACT_KEYS if k in answered),
        scores=score_rows(scores, shown),
        score_codes=tuple(scores),
        flags=list(intake.flags.select_related("cleared_by")),
        mme=scoring.compute_mme(shown.get("opioids") or []),
        medications=medications,
        decision=Decision(
            status=intake.get_status_display(),
            decided_at=intake.decided_at,
            template=intake.decline_template.title if intake.decline_template_id else "",
            patient_message=intake.decision_message,
            events=tuple(e for e in events if e.kind == status_label),
        ),
        notes=[e for e in events if e.kind == note_label],
        events=[e for e in events if e.kind != note_label],
    )


def _legal_name(intake: Intake) -> str:
    answers = intake.answers
    legal = " ".join(
        str(answers.get(k) or "").strip() for k in ("legal_first_name", "legal_last_name")
    ).strip()
    return legal or str(intake.patient)


def flag_state(flag) -> str:
    """ "open", or who cleared it, when and why: the words of the review page."""
    if not flag.cleared_at:
        return "open"
    when = timezone.localtime(flag.cleared_at).strftime("%b %-d, %Y")
    return f"cleared by {flag.cleared_by} on {when}: {flag.clear_reason}"


def csv_rows(summary: Summary) -> list[list[str]]:
    """Rows (section, key, label, value) for the scores, flags, MME and decision."""
    rows = []
    for code, score in zip(summary.score_codes, summary.scores, strict=True):
        reading = " ".join(filter(None, (score.value or score.note, score.band)))
        rows.append(["Scores", f"score:{code}", score.label, reading])
    for flag in summary.flags:
        rows.append(
            [
                "Screening flags",
                f"flag:{flag.code}",
                flag.title,
                f"{SEVERITY_LABELS.get(flag.severity, flag.severity)}; {flag_state(flag)}",
            ]
        )
    mme = summary.mme
    rows.append(["Opioids (MME)", "mme_total", "Total MME/day (CDC 2022)", f"{mme.total}"])
    rows.append(["Opioids (MME)", "mme_band", "MME/day band", mme.band])
    rows += [["Opioids (MME)", "mme_warning", "Warning", w] for w in mme.warnings]
    decision = summary.decision
    decided = timezone.localtime(decision.decided_at).isoformat() if decision.decided_at else ""
    rows += [
        ["Decision", "triage", "Triage", summary.triage],
        ["Decision", "status", "Status", decision.status],
        ["Decision", "decided_at", "Decided at", decided],
        ["Decision", "decline_template", "Decline reason", decision.template],
        ["Decision", "decision_message", "Message to the patient", decision.patient_message],
    ]
    return rows
