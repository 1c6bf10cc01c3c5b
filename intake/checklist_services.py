"""Recording the checklist of suggested tests: one service, every move kept as an event."""

from django.db import transaction

from . import checklist
from .checklist import ChecklistError
from .models import ChecklistEvent, ChecklistItem, Intake

__all__ = ["ChecklistError", "record_checklist", "checklist_rows"]


@transaction.atomic
def record_checklist(
    *, intake: Intake, code: str, to_status: str, actor, note: str = ""
) -> ChecklistItem:
    """Move one item if the move is legal (under the item's row lock) and record who and why."""
    if code not in checklist.ITEM_BY_CODE:
        raise ChecklistError("That is not an item of the checklist.")
    ChecklistItem.objects.get_or_create(intake=intake, code=code)
    item = ChecklistItem.objects.select_for_update().get(intake=intake, code=code)
    checklist.check_move(item.status, to_status, note)
    ChecklistEvent.objects.create(
        item=item, from_status=item.status, to_status=to_status, note=note.strip(), actor=actor
    )
    item.status, item.updated_by = to_status, actor
    item.save(update_fields=["status", "updated_by", "updated_at"])
    return item


def checklist_rows(intake: Intake, flags, items=None) -> list[dict]:
    """What the review page lists: every suggested item and every item already recorded,
    each with its status, the flags behind it and its history (two queries; none when the
    page read the intake's recorded `items` already, their events and actors with them)."""
    if items is None:
        items = intake.checklist.prefetch_related("events__actor").select_related("updated_by")
    recorded = {row.code: row for row in items}
    suggested = dict(checklist.suggested((f.code, f.title) for f in flags))
    codes = [i.code for i in checklist.ITEMS if i.code in recorded or i in suggested]
    rows = []
    for code in codes:
        item, row = checklist.ITEM_BY_CODE[code], recorded.get(code)
        status = row.status if row else checklist.SUGGESTED
        rows.append(
            {
                "item": item,
                "because": suggested.get(item, ()),
                "status": status,
                "status_label": checklist.STATUS_LABELS[status],
                "moves": [
                    (move, checklist.STATUS_LABELS[move])
                    for move in checklist.STATUS_LABELS
                    if move in checklist.TRANSITIONS[status]
                ],
                "events": list(row.events.all()) if row else [],
            }
        )
    return rows
