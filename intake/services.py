"""Intake services: the only code that writes intakes or starts their side effects."""

import contextlib
import dataclasses

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.audit.models import AuditEvent
from clinic.audit.services import changes_event, record_changes
from clinic.core import row_version
from clinic.core.prepared import Prepared
from clinic.notifications import preferences

from . import messages, review, scoring, steps
from .drafts import EDITS, EditState, Posted, merge
from .forms import SectionForm, form_class, form_data, stored_values
from .models import (
    ConsentSignature,
    ConsentText,
    Intake,
    IntakeEvent,
    IntakeSubmission,
    UrgentAlert,
)
from .questionnaire import (
    QUESTION_BY_KEY,
    QUESTIONNAIRE_VERSION,
    SECTION_BY_KEY,
    SECTIONS,
    missing_answers,
    visible_answers,
)
from .questionnaire.derived import derive_answers
from .units import body_metrics


class IntakeError(Exception):
    """Base for refusals a view turns into a message."""


class IntakeNotEditable(IntakeError):
    pass


class SectionClosed(IntakeError):
    """While the clinic waits for more information, only the reopened sections are open."""

    def __init__(self, intake):
        super().__init__("that section is not reopened")
        self.intake = intake


class IntakeIncomplete(IntakeError):
    def __init__(self, missing):
        super().__init__(f"{len(missing)} required answers are missing")
        self.missing = missing


class EmailNotVerified(IntakeError):
    pass


class AnswersInConflict(IntakeError):
    def __init__(self, conflicts):
        super().__init__(f"{len(conflicts)} answers were changed in two windows")
        self.conflicts = conflicts


def start_intake(*, patient) -> Intake:
    """The patient's open intake, or a new one: never two open at once."""
    existing = Intake.objects.open().filter(patient=patient).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Intake.objects.create(
                patient=patient,
                questionnaire_version=QUESTIONNAIRE_VERSION,
                answers=_known_from_sign_up(patient),
            )
    except IntegrityError:  # a second tab created it a moment ago
        return Intake.objects.open().get(patient=patient)


def email_finish_later_link(*, intake: Intake, step: str) -> None:
    """Queue one email to the patient with a link back to this step (no answers in it)."""
    if step not in steps.STEP_BY_KEY or steps.STEP_BY_KEY[step].section is None:
        raise ValueError(f"not an intake step: {step!r}")
    with transaction.atomic():
        messages.finish_later_link(intake=intake, step=step)


# Answers the account already holds (answer key -> User field), prefilled when an intake
# starts; intake_length costs them as read, not typed.
KNOWN_FROM_SIGN_UP = {"legal_first_name": "first_name", "legal_last_name": "last_name"}


def _known_from_sign_up(patient) -> dict:
    """The legal name as given at sign-up, prefilled (the patient can still correct it)."""
    known = {key: getattr(patient, field) for key, field in KNOWN_FROM_SIGN_UP.items()}
    return {key: value.strip() for key, value in known.items() if value and value.strip()}


def _lock(intake: Intake) -> Intake:
    locked = Intake.objects.select_for_update().get(pk=intake.pk)
    if not locked.is_editable_by_patient:
        raise IntakeNotEditable
    return locked


# Read on every save: compiled once a process (clinic.core.prepared).
_LOCK_OPEN = Prepared(
    lambda patient_id: Intake.objects.open().filter(patient_id=patient_id).select_for_update()[:1]
)


def _lock_open(patient, step: str) -> Intake:
    """The patient's open intake, locked, when this step of it is theirs to edit."""
    return _editable(_LOCK_OPEN.first(patient.pk), patient, step)


# PostgreSQL: the same row with its version, read without a lock (clinic.core.row_version).
_READ_OPEN = Prepared(
    lambda patient_id: (
        Intake.objects.open()
        .filter(patient_id=patient_id)
        .annotate(row_version=row_version.version(Intake))[:1]
    )
)


def _editable(intake: Intake | None, patient, step: str) -> Intake:
    if intake is None or not intake.is_editable_by_patient:
        raise IntakeNotEditable
    if not intake.patient_may_edit(step):
        raise SectionClosed(intake)
    intake.patient = patient  # the row was found by this patient's id: not read again
    return intake


def save_step(
    *,
    intake: Intake,
    step: str,
    raw: dict,
    valid_answers: dict,
    complete: bool,
    edits: dict | None = None,
) -> Intake:
    """Store what was typed on a step (valid or not) and every answer that validated.

    A complete save clears the step's draft; a partial one keeps it so errors are shown back.
    `edits` replaces the merge bookkeeping (see save_page). Creates an urgent-safety alert
    the moment PHQ-9 item 9 is saved above 0.
    """
    with transaction.atomic():
        return _write_step(
            _lock(intake),
            step=step,
            raw=raw,
            valid_answers=valid_answers,
            complete=complete,
            edits=edits,
        )


# What a step's save may change (the row is locked, so the other columns are as read).
_STEP_FIELDS = (
    "answers",
    "drafts",
    "visited_steps",
    "current_step",
    "height_cm",
    "weight_kg",
    "phq9_item9_positive",
)


def _write_step(locked, *, step, raw, valid_answers, complete, edits, version=None) -> Intake:
    """save_step's writes, on a row this transaction has locked already, or (`version`) on
    a row read unlocked, written only if still at that version (else RowChanged)."""
    # Each value below is replaced, never changed in place, so these stay as read.
    was = {name: getattr(locked, name) for name in _STEP_FIELDS}
    before = dict(locked.answers)  # for the audit trail, below
    # Derived answers (ORT-OUD age, checklists' old yes/no keys) are written at every
    # save, so scoring and screening read them as stored (questionnaire/derived.py).
    locked.answers = derive_answers({**locked.answers, **valid_answers}, today=timezone.localdate())
    drafts = dict(locked.drafts)
    if complete:
        drafts.pop(step, None)
    else:
        drafts[step] = raw
    if edits is not None:
        drafts[EDITS] = edits
        if not edits:
            del drafts[EDITS]
    locked.drafts = drafts
    if step not in locked.visited_steps:
        locked.visited_steps = [*locked.visited_steps, step]
    locked.current_step = step
    locked.height_cm, locked.weight_kg = body_metrics(locked.answers)
    locked.phq9_item9_positive = scoring.phq9_item9_positive(locked.answers)
    # Only what changed, and the time (a save is the patient's activity): an answer list
    # or draft written again unchanged is kilobytes more to write and log for nothing.
    written = [name for name in _STEP_FIELDS if getattr(locked, name) != was[name]]
    written.append("updated_at")
    if step == "consent":
        # Any change to the consent step needs a fresh signature ("Save and continue").
        locked.consent_signed_at = None
        written.append("consent_signed_at")
    if version is None:
        locked.save(update_fields=written)
        _audit_overwritten_answers(intake=locked, before=before)
        _after_write(locked, step=step)
        return locked
    # The audit row goes in the UPDATE's statement; what else a save writes shares its
    # transaction, opened only then (a save alone commits as the one statement it is).
    audit = _overwritten_answers(intake=locked, before=before)
    others = step == "about" or locked.phq9_item9_positive
    with transaction.atomic() if others else contextlib.nullcontext():
        row_version.update(locked, written, row_version=version, along=audit)
        _after_write(locked, step=step)
    return locked


def _after_write(intake: Intake, *, step: str) -> None:
    """What a step's save changes beside the intake, in the save's transaction."""
    if step == "about":
        preferences.update_from_answers(user=intake.patient, answers=intake.answers)
    if intake.phq9_item9_positive:
        raise_urgent_alert(intake=intake, kind=UrgentAlert.Kind.PHQ9_ITEM9)


@dataclasses.dataclass
class PageSave:
    """The outcome of one page's save of a step."""

    intake: Intake
    form: SectionForm | None  # bound to what was stored; None when the save was stale
    conflicts: dict  # question key -> the other window's value, as posted
    stale: bool = False  # this page already saved something newer: nothing was written


def save_page(*, patient, step: str, post: Posted) -> PageSave:
    """Merge one page's save of a step into the patient's open intake, field by field, in
    page order.

    A field the page did not change keeps what another window saved meanwhile; a field both
    changed keeps both values as a conflict for the patient to resolve; a save older than one
    already stored from the same page changes nothing. Two saves at once are merged one after
    the other: the row is locked throughout, or (PostgreSQL) written only if still as read,
    else merged again locked. Refused (IntakeNotEditable, SectionClosed)
    when the patient has no intake open to them, or not this step of it.
    """
    if row_version.supported():
        # Read unlocked and written only if no other save (or submit) came in between: two
        # round trips instead of four (BEGIN, read locked, write, COMMIT). If one did, the
        # save is worked out again from the row as it is now, locked, below.
        read = _editable(_READ_OPEN.first(patient.pk), patient, step)
        try:
            return _save_page_on(read, step, post, read.row_version)
        except row_version.RowChanged:
            pass
    with transaction.atomic():
        # The one read of the intake a locked save makes: found, locked and checked at once.
        return _save_page_on(_lock_open(patient, step), step, post, None)


def _save_page_on(intake: Intake, step: str, post: Posted, version: str | None) -> PageSave:
    """save_page's merge and write on the intake as read (locked, or at `version`)."""
    section = SECTION_BY_KEY[step]
    state = EditState.from_drafts(intake.drafts)
    if state.is_stale(post.page, post.seq):
        return PageSave(intake, None, {}, stale=True)
    state.record_seq(post.page, post.seq)
    merged = merge(
        section,
        state=state,
        page=post.page,
        base=post.loaded,
        mine=post.values,
        theirs=stored_values(section, answers=intake.answers, drafts=intake.drafts),
        keep=post.keep,
    )
    form = form_class(section)(form_data(merged.data), answers=intake.answers)
    complete = form.is_valid()
    # Locked or versioned above: not locked (read) again, nor a savepoint more.
    intake = _write_step(
        intake,
        step=step,
        raw=merged.data,
        valid_answers=form.valid_answers(),
        complete=complete,
        edits=state.as_json(),
        version=version,
    )
    return PageSave(intake, form, merged.conflicts)


def _audit_overwritten_answers(*, intake: Intake, before: dict) -> None:
    """Once submitted, an edited answer keeps its old value in the audit trail."""
    if intake.submitted_at is not None:
        record_changes(
            actor=intake.patient,
            patient=intake.patient,
            target=intake,
            before=before,
            after=intake.answers,
        )


def _overwritten_answers(*, intake: Intake, before: dict) -> list[AuditEvent]:
    """The audit row _audit_overwritten_answers appends, for the save to insert with its
    write (none before submitting, or when nothing was overwritten)."""
    if intake.submitted_at is None:
        return []
    event = changes_event(
        actor=intake.patient,
        patient=intake.patient,
        target=intake,
        before=before,
        after=intake.answers,
    )
    return [] if event is None else [event]


def move_to_step(*, intake: Intake, step: str) -> None:
    """Remember where the patient is, so logging in again lands on the same step."""
    if intake.current_step != step or step not in intake.visited_steps:
        visited = (
            intake.visited_steps if step in intake.visited_steps else [*intake.visited_steps, step]
        )
        Intake.objects.filter(pk=intake.pk).update(current_step=step, visited_steps=visited)
        intake.current_step, intake.visited_steps = step, visited


def raise_urgent_alert(*, intake: Intake, kind: str, where: dict | None = None) -> UrgentAlert:
    """One open alert per kind and intake, created at once (idempotent); the email links to
    `where` (messages.urgent_alert) when what raised it is not the intake itself."""
    alert = UrgentAlert.objects.filter(
        intake=intake, kind=kind, acknowledged_at__isnull=True
    ).first()
    if alert:
        return alert
    try:
        with transaction.atomic():
            alert = UrgentAlert.objects.create(intake=intake, kind=kind)
            messages.urgent_alert(alert=alert, where=where)
            return alert
    except IntegrityError:
        return UrgentAlert.objects.get(intake=intake, kind=kind, acknowledged_at__isnull=True)


def score_snapshot(answers: dict) -> tuple[dict, scoring.MMEResult]:
    """Scores of the answers a patient can see (hidden, stale answers do not count)."""
    shown = visible_answers(answers)
    scores = scoring.score_all(shown)
    mme = scoring.compute_mme(shown.get("opioids") or [])
    return {k: dataclasses.asdict(v) for k, v in scores.items()}, mme


def sign_consent(*, intake: Intake, ip: str | None, user_agent: str) -> None:
    """Record which consent text was signed, by what typed name, when and from where."""
    Intake.objects.filter(pk=intake.pk).update(
        consent_text=ConsentText.current(),
        consent_signed_name=intake.answers.get("consent_signature", ""),
        consent_signed_at=timezone.now(),
        consent_ip=ip,
        consent_user_agent=(user_agent or "")[:400],
    )


def _signed_versions(patient) -> dict:
    """The newest consent version signed with an intake (0 for one signed before versions
    were stored) and re-signed since, as subqueries (None: none signed that way)."""
    intakes = Intake.objects.filter(patient=patient, consent_signed_at__isnull=False)
    again = ConsentSignature.objects.filter(patient=patient)
    return {
        "with_intake": Subquery(
            intakes.values("patient")
            .annotate(newest=Max(Coalesce("consent_text__version", 0)))
            .values("newest")
        ),
        "again": Subquery(
            again.values("patient").annotate(newest=Max("consent_text__version")).values("newest")
        ),
    }


def _newest(row: dict) -> int | None:
    versions = [v for v in (row["with_intake"], row["again"]) if v is not None]
    return max(versions) if versions else None


# The current text's version with what the patient signed, compiled once a process
# (clinic.core.prepared): checked before every booking page.
_CONSENT_CHECK = Prepared(
    lambda patient_pk: ConsentText.objects.order_by("-version").values(
        "id", "version", **_signed_versions(patient_pk)
    )[:1]
)


def last_signed_consent_version(patient) -> int | None:
    """The newest consent version the patient has signed (intake or re-sign); None if never.

    An intake signed before consent versions were stored counts as version 0.
    """
    row = get_user_model().objects.filter(pk=patient.pk).values(**_signed_versions(patient))
    return _newest(row.first() or {"with_intake": None, "again": None})


def needs_consent_resign(patient) -> ConsentText | None:
    """The consent text the patient must re-sign before booking, or None.

    Only patients who signed an older version: someone who never signed signs in the intake.
    One query, and one more to read the text when there is one to sign.
    """
    current = next(iter(_CONSENT_CHECK.rows(patient.pk)), None)
    if current is None:
        return None
    signed = _newest(current)
    if signed is None or signed >= current["version"]:
        return None
    return ConsentText.objects.get(pk=current["id"])


class ConsentNotSigned(IntakeError):
    pass


def resign_consent(*, patient, consent_text: ConsentText, signed_name: str, ip, user_agent: str):
    """Record the patient's signature of this consent version (typed name, time, where from).

    Refused if a newer version was published while the page was open (ConsentNotSigned), so
    nobody signs text they did not read.
    """
    if not signed_name.strip():
        raise ConsentNotSigned("Type your full name to sign.")
    current = ConsentText.current()
    if current is None or current.pk != consent_text.pk:
        raise ConsentNotSigned("The consent text was updated while you were reading it.")
    return ConsentSignature.objects.create(
        patient=patient,
        consent_text=consent_text,
        signed_name=signed_name.strip()[:200],
        ip=ip,
        user_agent=(user_agent or "")[:400],
    )


def missing_for_submit(intake: Intake) -> list:
    """(section, question) pairs still to answer before the intake can be submitted."""
    missing = missing_answers(intake.answers)
    if intake.consent_signed_at is None and not missing:
        # Ticked by autosave but never confirmed with "Save and continue" on the consent step.
        missing = [(SECTION_BY_KEY["consent"], QUESTION_BY_KEY["consent_signature"])]
    return missing


def open_conflicts(intake: Intake) -> list:
    """(section, question) pairs two windows changed, waiting for the patient to choose."""
    conflicts = EditState.from_drafts(intake.drafts).conflicts
    return [
        (section, q)
        for section in SECTIONS
        for q in section.questions
        if q.key in conflicts.get(section.key, {})
    ]


def submit_intake(*, intake: Intake) -> Intake:
    """Freeze the intake for review: refuses while answers are missing, two windows' answers
    wait for a choice (submitting would drop one), or the email is unverified."""
    with transaction.atomic():
        locked = _lock(intake)
        if not locked.patient.email_verified:
            raise EmailNotVerified
        missing = missing_for_submit(locked)
        if missing:
            raise IntakeIncomplete(missing)
        if conflicts := open_conflicts(locked):
            raise AnswersInConflict(conflicts)
        locked.scores, mme = score_snapshot(locked.answers)
        locked.mme_total = mme.total
        IntakeEvent.objects.create(
            intake=locked,
            actor=locked.patient,
            kind=IntakeEvent.Kind.STATUS,
            from_status=locked.status,
            to_status=Intake.Status.SUBMITTED,
            text="Resubmitted with more information" if locked.reopened_sections else "",
        )
        locked.status = Intake.Status.SUBMITTED
        if locked.submitted_at is not None:
            locked.resubmitted_at = timezone.now()
        # A resubmission keeps its first date: it goes back to its place in the queue.
        locked.submitted_at = locked.submitted_at or timezone.now()
        locked.current_step = steps.REVIEW
        locked.drafts = {}
        locked.reopened_sections = []
        locked.save()
        _keep_submission(locked)
        review.apply_screening(intake=locked, actor=locked.patient)
        messages.patient_update(intake=locked, kind=messages.RECEIPT)  # a receipt, no answers
    return locked


PATIENT_NOTE_MAX = 2000


class NoteRefused(IntakeError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def add_patient_note(*, intake: Intake, text: str) -> IntakeEvent:
    """What the patient adds after submitting, kept in the intake's history for clinicians
    (hidden from the front desk, history.py) and written to the audit trail."""
    from clinic.audit.services import record

    text = text.strip()
    if intake.status == Intake.Status.IN_PROGRESS:
        raise NoteRefused("Your intake is not submitted yet: add this to your answers instead.")
    if not text:
        raise NoteRefused("Please write what you would like the clinic to know.")
    if len(text) > PATIENT_NOTE_MAX:
        raise NoteRefused(
            f"Please keep it to {PATIENT_NOTE_MAX:,} characters (this is {len(text):,})."
        )
    with transaction.atomic():
        event = IntakeEvent.objects.create(
            intake=intake, actor=intake.patient, kind=IntakeEvent.Kind.PATIENT_NOTE, text=text
        )
        record(
            actor=intake.patient,
            action="create",
            patient=intake.patient,
            target=event,
            detail={"what": "information added by the patient"},
        )
    return event


def _keep_submission(intake: Intake) -> IntakeSubmission:
    """Snapshot the answers as submitted (the next resubmission is compared with it)."""
    number = intake.submissions.count() + 1
    return IntakeSubmission.objects.create(intake=intake, number=number, answers=intake.answers)
