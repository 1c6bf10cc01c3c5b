"""Before a screening policy is saved: how many open intakes it would move to another
triage level. Each open intake is screened in memory under the current and the proposed
policy (screening stays pure); nothing is written."""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from . import screening
from .models import Intake
from .screening import Triage


@dataclass(frozen=True)
class Shift:
    before: str  # triage label under the current policy
    after: str  # under the proposed one
    count: int


@dataclass(frozen=True)
class Preview:
    open_intakes: int  # the intakes a saved policy re-screens
    changed: int
    shifts: tuple[Shift, ...]  # most urgent destination first


def count_shifts(pairs: Iterable[tuple[Triage, Triage]]) -> Preview:
    """(triage now, triage proposed) per intake → how many move, and from where to where."""
    total, moves = 0, Counter()
    for before, after in pairs:
        total += 1
        if before != after:
            moves[(before, after)] += 1
    order = sorted(moves, key=lambda pair: (pair[1].rank, pair[0].rank))
    shifts = tuple(Shift(b.label, a.label, moves[(b, a)]) for b, a in order)
    return Preview(total, sum(moves.values()), shifts)


def rescreened_intakes():
    """The intakes a new policy re-screens: submitted and not yet decided."""
    return Intake.objects.open().exclude(status=Intake.Status.IN_PROGRESS)


def preview_policy(
    *, current: screening.Policy, proposed: screening.Policy, today: dt.date
) -> Preview:
    answers = rescreened_intakes().values_list("answers", flat=True).iterator(chunk_size=500)
    return count_shifts(
        (
            screening.screen(a, policy=current, today=today).triage,
            screening.screen(a, policy=proposed, today=today).triage,
        )
        for a in answers
    )
