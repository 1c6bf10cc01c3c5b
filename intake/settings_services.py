"""The intake's clinic settings, each save a new version: screening policy and consent text.

Version numbers are taken under the clinic-settings row lock, so concurrent publishes get
consecutive numbers instead of the same one (which the unique constraint refused with a 500).
"""

from django.db import transaction

from clinic.core.settings_services import Field, Section, apply_settings_edit, lock_clinic_settings

from . import review, screening
from .models import ConsentText, ScreeningPolicy
from .tasks import rescreen_open_intakes

PCPTSD_FIELD = "pcptsd_cutoff"  # the policy's other keys are rule codes


def policy_fields() -> dict[str, Field]:
    fields = {r.code: Field(r.title, _show_severity) for r in screening.RULES if r.editable}
    fields[PCPTSD_FIELD] = Field("PC-PTSD-5 positive at")
    return fields


def policy_values(policy: screening.Policy) -> dict:
    """The policy as one value per editable rule, plus the PC-PTSD-5 cut-point."""
    values = {r.code: policy.severity_for(r) for r in screening.RULES if r.editable}
    values[PCPTSD_FIELD] = policy.pcptsd_cutoff
    return values


def _show_severity(value) -> str:
    return str(value or "").capitalize()


CONSENT_FIELDS = {
    "title": Field("Title"),
    "body": Field("Text"),
}


def consent_values(row: ConsentText | None) -> dict:
    return {"title": row.title, "body": row.body} if row else {"title": "", "body": ""}


class ReasonMissing(ValueError):
    """A policy change without a reason: every version says why it was made."""


def publish_screening_policy(
    *,
    severities: dict[str, str],
    pcptsd_cutoff: int,
    author,
    reason: str,
    loaded: dict | None = None,
) -> ScreeningPolicy | None:
    """A new policy version, with its reason, if anything changed (None if not); open intakes
    are re-screened under it once it is committed. Refuses a conflicting edit
    (SettingsConflict) and a change without a reason (ReasonMissing)."""
    if not reason.strip():
        raise ReasonMissing("Say why the policy changes.")
    created = []
    with transaction.atomic():
        lock_clinic_settings()

        def write(values: dict) -> None:
            latest = ScreeningPolicy.current()
            created.append(
                ScreeningPolicy.objects.create(
                    version=(latest.version + 1) if latest else 1,
                    severities={k: v for k, v in values.items() if k != PCPTSD_FIELD},
                    pcptsd_cutoff=values[PCPTSD_FIELD],
                    reason=reason.strip(),
                    created_by=author,
                )
            )
            rescreen_open_intakes.delay_on_commit()

        apply_settings_edit(
            section=Section.SCREENING_POLICY,
            fields=policy_fields(),
            mine={**severities, PCPTSD_FIELD: pcptsd_cutoff},
            loaded=loaded,
            current=policy_values(review.current_policy()),
            actor=author,
            write=write,
        )
    return created[0] if created else None


def publish_consent_text(
    *, title: str, body: str, author, loaded: dict | None = None
) -> ConsentText | None:
    """A new consent version if the wording changed (None if not); intakes keep the version
    their patient signed. Refuses a conflicting edit (SettingsConflict)."""
    created = []
    with transaction.atomic():
        lock_clinic_settings()
        latest = ConsentText.current()

        def write(values: dict) -> None:
            created.append(
                ConsentText.objects.create(
                    version=(latest.version + 1) if latest else 1,
                    title=values["title"],
                    body=values["body"],
                    created_by=author,
                )
            )

        apply_settings_edit(
            section=Section.CONSENT_TEXT,
            fields=CONSENT_FIELDS,
            mine={"title": title, "body": body},
            loaded=loaded,
            current=consent_values(latest),
            actor=author,
            write=write,
        )
    return created[0] if created else None
