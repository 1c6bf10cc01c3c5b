"""Saving clinic settings: every save is merged with changes made since its form was
opened, saved under one lock, and recorded (who, when, old → new) as a SettingsChange.

The sections that live on ClinicSettings (cancellation window, reminders, on-call) are
saved here; the intake's versioned texts use `apply_settings_edit` and the same lock from
`intake/settings_services.py`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from clinic.accounts.models import User

from .merge import merge_fields
from .models import ClinicSettings, SettingsChange

Section = SettingsChange.Section


@dataclass(frozen=True)
class Field:
    """A setting as staff read it: its label and how a value is written out."""

    label: str
    show: Callable[[Any], str] = str


@dataclass(frozen=True)
class ShownConflict:
    label: str
    mine: str
    theirs: str


class SettingsConflict(Exception):
    """Someone saved a different value in a field this form also changed; nothing was saved."""

    def __init__(self, *, conflicts: list[ShownConflict], current: dict):
        super().__init__("Changed by someone else since the form was opened.")
        self.conflicts = conflicts
        self.current = current  # the values to load the form with again


def lock_clinic_settings() -> ClinicSettings:
    """The settings row, locked until the transaction ends (call inside `atomic`).

    Every settings save and every new version of a versioned text takes this one lock, so
    two saves never read the same "latest" and version numbers follow one another.
    """
    ClinicSettings.load()  # the row exists before it can be locked
    return ClinicSettings.objects.select_for_update().get(pk=1)


def apply_settings_edit(
    *,
    section: str,
    fields: dict[str, Field],
    mine: dict,
    loaded: dict | None,
    current: dict,
    actor,
    write: Callable[[dict], None],
) -> dict | None:
    """Merge, write and record one save (inside the lock); None when nothing changed.

    Raises SettingsConflict, writing nothing, when a field this form changed was changed
    differently since the form was opened.
    """
    merged, conflicts = merge_fields(base=loaded, mine=mine, current=current)
    if conflicts:
        shown = [
            ShownConflict(
                fields[c.field].label, fields[c.field].show(c.mine), fields[c.field].show(c.theirs)
            )
            for c in conflicts
        ]
        raise SettingsConflict(conflicts=shown, current=current)
    changed = [name for name in fields if merged.get(name) != current.get(name)]
    if not changed:
        return None
    write(merged)
    SettingsChange.objects.create(
        section=section,
        changed_by=actor,
        changes={
            fields[name].label: {
                "old": fields[name].show(current.get(name)),
                "new": fields[name].show(merged[name]),
            }
            for name in changed
        },
    )
    return merged


def show_offsets(offsets) -> str:
    channels = {"email": "email", "sms": "SMS"}
    parts = [
        f"{row.get('hours')} h ({' + '.join(channels.get(c, c) for c in row.get('channels', []))})"
        for row in offsets or []
        if isinstance(row, dict)
    ]
    return ", ".join(parts) or "none"


def show_people(ids) -> str:
    names = [str(user) for user in User.objects.filter(pk__in=ids or []).order_by("last_name")]
    return ", ".join(names) or "nobody"


CANCELLATION_FIELDS = {
    "cancellation_window_hours": Field("Cancellation window (hours)"),
}
BOOSTER_FIELDS = {
    "booster_interval_weeks": Field(
        "Booster interval (weeks)", lambda weeks: f"{weeks} weeks" if weeks else "not set"
    ),
}
REMINDER_FIELDS = {
    "reminder_offsets": Field("Appointment reminders", show_offsets),
    "on_call": Field("On-call clinicians", show_people),
}


VITALS_FIELDS = {
    name: Field(str(ClinicSettings._meta.get_field(name).verbose_name))
    for name in (
        "vitals_systolic_min",
        "vitals_systolic_max",
        "vitals_diastolic_min",
        "vitals_diastolic_max",
        "vitals_heart_rate_min",
        "vitals_heart_rate_max",
        "vitals_spo2_min",
    )
}


def vitals_values(row: ClinicSettings) -> dict:
    return {name: getattr(row, name) for name in VITALS_FIELDS}


def _update_fields(*, section: str, fields: dict, values: dict, actor, loaded) -> ClinicSettings:
    """Save plain fields of the settings row as one recorded edit (conflicts refused)."""
    with transaction.atomic():
        row = lock_clinic_settings()

        def write(merged: dict) -> None:
            for name in fields:
                setattr(row, name, merged[name])
            row.save(update_fields=list(fields))

        apply_settings_edit(
            section=section,
            fields=fields,
            mine={name: values[name] for name in fields},
            loaded=loaded,
            current={name: getattr(row, name) for name in fields},
            actor=actor,
            write=write,
        )
    return row


def update_vitals_limits(*, limits: dict, actor, loaded: dict | None = None) -> ClinicSettings:
    """Save the infusion vitals limits and record the change; refuses a conflicting edit."""
    return _update_fields(
        section=Section.VITALS_LIMITS,
        fields=VITALS_FIELDS,
        values=limits,
        actor=actor,
        loaded=loaded,
    )


def cancellation_values(row: ClinicSettings) -> dict:
    return {"cancellation_window_hours": row.cancellation_window_hours}


def reminder_values(row: ClinicSettings) -> dict:
    ids = sorted(row.on_call_clinicians.values_list("pk", flat=True))
    return {"reminder_offsets": _normal_offsets(row.reminder_offsets), "on_call": ids}


def _normal_offsets(offsets) -> list[dict]:
    """Offsets in the form's shape (longest first, email before SMS), so a page that did
    not touch them posts back exactly what it was loaded with."""
    rows = []
    for row in offsets or []:
        if isinstance(row, dict) and isinstance(row.get("hours"), int):
            channels = row.get("channels") if isinstance(row.get("channels"), list) else []
            rows.append(
                {"hours": row["hours"], "channels": [c for c in ("email", "sms") if c in channels]}
            )
    return sorted(rows, key=lambda row: -row["hours"])


def update_cancellation_window(*, hours: int, actor, loaded: dict | None = None) -> ClinicSettings:
    """Save the cancellation window and record the change; refuses a conflicting edit."""
    with transaction.atomic():
        row = lock_clinic_settings()

        def write(values: dict) -> None:
            row.cancellation_window_hours = values["cancellation_window_hours"]
            row.save(update_fields=["cancellation_window_hours"])

        apply_settings_edit(
            section=Section.CANCELLATION_WINDOW,
            fields=CANCELLATION_FIELDS,
            mine={"cancellation_window_hours": hours},
            loaded=loaded,
            current=cancellation_values(row),
            actor=actor,
            write=write,
        )
    return row


def update_reminder_settings(
    *, offsets: list[dict], on_call: list[User], actor, loaded: dict | None = None
) -> ClinicSettings:
    """Save reminder times and on-call clinicians and record the change; refuses a conflict."""
    with transaction.atomic():
        row = lock_clinic_settings()

        def write(values: dict) -> None:
            row.reminder_offsets = values["reminder_offsets"]
            row.save(update_fields=["reminder_offsets"])
            row.on_call_clinicians.set(values["on_call"])

        apply_settings_edit(
            section=Section.REMINDERS,
            fields=REMINDER_FIELDS,
            mine={"reminder_offsets": offsets, "on_call": sorted(u.pk for u in on_call)},
            loaded=loaded,
            current=reminder_values(row),
            actor=actor,
            write=write,
        )
    return row


COURSE_FIELDS = {
    "course_infusions": Field("Infusions in a new course"),
    "course_window_days": Field("Days a course is planned within"),
    "infusion_preparation": Field("Preparation text (day-before message)"),
}


def course_values(row: ClinicSettings) -> dict:
    return {name: getattr(row, name) for name in COURSE_FIELDS}


def update_course_settings(*, values: dict, actor, loaded: dict | None = None) -> ClinicSettings:
    """Save the course defaults and preparation text and record the change; refuses a conflict."""
    return _update_fields(
        section=Section.COURSE, fields=COURSE_FIELDS, values=values, actor=actor, loaded=loaded
    )


def booster_values(row: ClinicSettings) -> dict:
    return {"booster_interval_weeks": row.booster_interval_weeks}


def update_booster_interval(
    *, weeks: int | None, actor, loaded: dict | None = None
) -> ClinicSettings:
    """Save the booster interval (None: prompt on fading relief only) and record it."""
    return _update_fields(
        section=Section.BOOSTERS,
        fields=BOOSTER_FIELDS,
        values={"booster_interval_weeks": weeks},
        actor=actor,
        loaded=loaded,
    )
