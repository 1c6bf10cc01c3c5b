"""What the staff review page reads, in one round trip to the database.

The page showed the intake with its patient, clinician and policy, its history, flags,
checklist, the patient's documents, earlier intakes and viewers, and the clinician and
decline-reason choices: eleven queries, each compiled by the ORM on every request (a
third of the page's time; issue 15). Each is defined here once, in ORM terms, compiled
once a process (clinic.core.prepared) and all are sent together; every one is found from
the intake's id (the patient's by a subquery), so none waits for another.

Who reads what is decided before anything is read: a reader sees nothing more than the
page showed them before (flags and checklist for clinicians, viewers for those who may
know, the choices for reviewers), and what is read goes where the page's helpers look for
it (the intake's prefetched events and flags; the checklist rows; the documents panel).
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db.models import Subquery
from django.http import Http404

from clinic.accounts.roles import Role
from clinic.audit import selectors
from clinic.core.prepared import Prepared, run_together
from clinic.documents import services as documents

from . import history
from .models import ChecklistEvent, ChecklistItem, DeclineTemplate, Intake, IntakeEvent, IntakeFlag
from .staff_forms import clinicians_listed


def _patient_of(pk):
    return Subquery(Intake.objects.filter(pk=pk).order_by().values("patient_id")[:1])


_INTAKE = Prepared(
    # The policy too: the page prints its version.
    lambda pk: Intake.objects.select_related("patient", "assigned_to", "screening_policy").filter(
        pk=pk
    )
)
_EVENTS = Prepared(lambda pk: IntakeEvent.objects.select_related("actor").filter(intake_id=pk))
_FLAGS = Prepared(lambda pk: IntakeFlag.objects.select_related("cleared_by").filter(intake_id=pk))
_CHECKLIST = Prepared(
    lambda pk: ChecklistItem.objects.select_related("updated_by").filter(intake_id=pk)
)
_CHECKLIST_EVENTS = Prepared(
    lambda pk: ChecklistEvent.objects.select_related("actor").filter(item__intake_id=pk)
)
_DOCUMENTS = Prepared(lambda pk: documents.listed_for(_patient_of(pk)))
# Number, status and date only: not each old intake's answers, drafts and scores.
_PREVIOUS = Prepared(
    lambda pk: (
        Intake.objects.filter(patient_id=_patient_of(pk))
        .exclude(pk=pk)
        .only("pk", "status", "created_at")
    )
)
_VIEWERS = Prepared(lambda pk: selectors.viewer_rows(_patient_of(pk)))
_TEMPLATES = Prepared(lambda: DeclineTemplate.objects.filter(active=True))
# The clinicians are read by the group's id, which the planner can plan (members_of); the id
# is kept from the last request and checked by reading it again alongside.
_GROUP = Prepared(lambda: Group.objects.filter(name=Role.CLINICIAN.value).values_list("pk")[:1])
_CLINICIANS = Prepared(clinicians_listed)  # by the group's id; None (not known yet): no one
_VALUELESS = (_TEMPLATES, _GROUP)
_clinician_group: list = [None]


@dataclass
class ReviewPage:
    intake: Intake
    clinical: bool
    reviewer: bool
    flags: list = field(default_factory=list)
    checklist: list = field(default_factory=list)  # the recorded items, events prefetched
    documents: list = field(default_factory=list)
    previous: list = field(default_factory=list)
    viewers: list | None = None
    clinicians: list = field(default_factory=list)
    templates: list = field(default_factory=list)
    also: list = field(default_factory=list)  # the rows of the `also` statements, in order


def load(pk: int, user, also: tuple = ()) -> ReviewPage:
    """The intake and everything its review page shows this user, or Http404. `also`: more
    statements (SQL and parameters) sent in the same round trip, e.g. the alerts banner's
    probe."""
    clinical = history.may_see_clinical(user)
    reviewer = user.has_perm("accounts.review_intakes")  # the action forms are shown
    parts = [_INTAKE, _EVENTS, _DOCUMENTS, _PREVIOUS]
    if clinical:
        parts += [_FLAGS, _CHECKLIST, _CHECKLIST_EVENTS]
    if selectors.may_see_viewers(user):
        parts.append(_VIEWERS)
    group = _clinician_group[0]
    if reviewer:
        parts += [_TEMPLATES, _GROUP, _CLINICIANS]
    statements = [
        part.statement()
        if part in _VALUELESS
        else part.statement(group if part is _CLINICIANS else pk)
        for part in parts
    ]
    found = run_together([*statements, *also])
    rows = dict(zip(parts, found[: len(parts)], strict=True))
    intakes = _INTAKE.instances(rows[_INTAKE])
    if not intakes:
        raise Http404("No such intake")
    intake = intakes[0]
    page = ReviewPage(intake, clinical, reviewer, also=found[len(parts) :])
    _prefetched(intake, "events", _EVENTS.instances(rows[_EVENTS]), "intake")
    page.documents = _DOCUMENTS.instances(rows[_DOCUMENTS])
    page.previous = _PREVIOUS.instances(rows[_PREVIOUS])
    if clinical:
        page.flags = _FLAGS.instances(rows[_FLAGS])
        _prefetched(intake, "flags", page.flags, "intake")
        page.checklist = _CHECKLIST.instances(rows[_CHECKLIST])
        events = _CHECKLIST_EVENTS.instances(rows[_CHECKLIST_EVENTS])
        for item in page.checklist:
            item.intake = intake
            _prefetched(item, "events", [e for e in events if e.item_id == item.pk], "item")
    if _VIEWERS in rows:
        page.viewers = _VIEWERS.instances(rows[_VIEWERS])
    if reviewer:
        page.templates = _TEMPLATES.instances(rows[_TEMPLATES])
        page.clinicians = _clinicians(rows[_GROUP], rows[_CLINICIANS], group)
    return page


def _clinicians(group_rows, clinician_rows, group) -> list:
    """The clinicians read by the group id kept from before, read again if that id is not
    the group's (the first request of a process; a group made again)."""
    found = group_rows[0][0] if group_rows else None
    if found == group:
        return _CLINICIANS.instances(clinician_rows) if found is not None else []
    _clinician_group[0] = found
    return [] if found is None else _CLINICIANS.all(found)


def _prefetched(instance, name: str, objs: list, back: str) -> None:
    """As prefetch_related(name) leaves it: `instance.<name>.all()` gives `objs` without a
    query, and each of them knows `instance` (as `<back>`)."""
    for obj in objs:
        setattr(obj, back, instance)
    queryset = getattr(instance, name).all()
    queryset._result_cache, queryset._prefetch_done = objs, True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset
