"""When staff are prompted to offer a booster infusion. Pure: plain values and `now` in.

A prompt stands when the patient's relief is fading (consultations.outcomes), when the
clinic's interval since the last infusion has passed, or when the patient asked. No prompt
while an infusion is booked ahead, or while staff have set the prompt aside.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

RELIEF_FADING = "relief_fading"
INTERVAL = "interval"
REQUESTED = "requested"

# For staff who read clinical results (clinicians) and for those who do not (coordinators).
REASON_TEXT = {
    RELIEF_FADING: "Relief fading: the PEG has lost half of the gain since the best check-in",
    INTERVAL: "The clinic's booster interval since the last infusion has passed",
    REQUESTED: "The patient asked for a booster",
}
REASON_TEXT_FRONT_DESK = {
    RELIEF_FADING: "The clinical team's check-in results suggest a booster",
    INTERVAL: "The clinic's booster interval since the last infusion has passed",
    REQUESTED: "The patient asked for a booster",
}


@dataclass(frozen=True)
class BoosterPrompt:
    reasons: tuple[str, ...]

    @property
    def shown(self) -> bool:
        return bool(self.reasons)


def booster_prompt(
    *,
    relief_fading: bool,
    last_infusion_end: datetime | None,
    interval_weeks: int | None,
    has_upcoming_infusion: bool,
    requested: bool,
    snoozed_until: date | None,
    now: datetime,
) -> BoosterPrompt:
    """The reasons to offer a booster now (empty: no prompt)."""
    if has_upcoming_infusion or last_infusion_end is None:
        return BoosterPrompt(())
    reasons = []
    if requested:
        reasons.append(REQUESTED)
    # A patient's own request is never set aside; the computed reasons can be.
    snoozed = snoozed_until is not None and now.date() < snoozed_until
    if not snoozed:
        if relief_fading:
            reasons.append(RELIEF_FADING)
        if interval_weeks and now - last_infusion_end >= timedelta(weeks=interval_weeks):
            reasons.append(INTERVAL)
    return BoosterPrompt(tuple(reasons))
