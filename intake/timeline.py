"""The patient's "what happens next" in the portal: submitted → in review → decision →
booking, each done, current or still to come. Pure: the intake's status and dates in,
four steps out (the portal template draws them)."""

from dataclasses import dataclass

DONE, CURRENT, LATER = "done", "current", "later"


@dataclass(frozen=True)
class Stage:
    title: str
    state: str  # DONE, CURRENT or LATER
    text: str


def _decision(status: str) -> Stage:
    if status == "approved":
        return Stage(
            "Decision", DONE, "The clinical team would like to see you for a consultation."
        )
    if status in ("declined", "referred"):
        return Stage("Decision", DONE, "The clinic has replied: see their message below.")
    return Stage("Decision", LATER, "We email you as soon as the clinical team has decided.")


def _booking(status: str, booked_when: str | None, consulted: bool = False) -> Stage:
    if consulted and not booked_when:
        return Stage("Booking", DONE, "You have had your consultation.")
    if booked_when:
        return Stage("Booking", DONE, f"Your consultation is booked for {booked_when}.")
    if status == "approved":
        return Stage("Booking", CURRENT, "Choose a day and time for your consultation.")
    if status in ("declined", "referred"):
        return Stage("Booking", LATER, "Not needed for now.")
    return Stage("Booking", LATER, "Once approved, you book your consultation here.")


def _review(status: str) -> Stage:
    if status == "waiting_for_patient":
        return Stage("In review", CURRENT, "The clinic asked you for a little more information.")
    if status in ("submitted", "in_review"):
        return Stage("In review", CURRENT, "A clinician reads your answers.")
    return Stage("In review", DONE, "A clinician read your answers.")


def stages(
    *, status: str, submitted_on: str, booked_when: str | None = None, consulted: bool = False
) -> list[Stage]:
    """The four stages for a submitted intake; none while it is still being filled in.
    `consulted`: the patient has had a consultation (nothing left to book for this one)."""
    if status == "in_progress" or not submitted_on:
        return []
    return [
        Stage("Submitted", DONE, f"We received your intake on {submitted_on}."),
        _review(status),
        _decision(status),
        _booking(status, booked_when, consulted),
    ]
