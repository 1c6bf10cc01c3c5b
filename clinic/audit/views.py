"""The clinic admin's audit page: search the trail, page through it, export it."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from clinic.accounts.access import require
from clinic.core.exports import csv_response

from . import display, reads, selectors
from .forms import AuditSearchForm
from .models import Action
from .services import record

PER_PAGE = 50
CSV_HEADER = [
    "when",
    "staff member",
    "role",
    "action",
    "patient",
    "patient id(s)",
    "what",
    "detail",
    "ip",
    "user agent",
]


def _search(request):
    form = AuditSearchForm(request.GET or None)
    if not form.is_valid():
        return form, selectors.search().none() if form.is_bound else selectors.search()
    data = form.cleaned_data
    rows = selectors.search(
        patients=form.patients(),
        actor=data["staff"],
        since=data["since"],
        until=data["until"],
        zone=ZoneInfo(settings.CLINIC_TIME_ZONE),
    )
    return form, rows


@require("manage_staff")
def audit_log(request):
    form, rows = _search(request)
    page = Paginator(rows.select_related("patient"), PER_PAGE).get_page(request.GET.get("page"))
    reads.listed(request, (e.patient for e in page.object_list if e.patient_id))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [display.row(e, request.user) for e in page.object_list],
        "query": query.urlencode(),
    }
    return render(request, "audit/log.html", context)


@require("manage_staff")
def audit_export(request):
    """The search's every row as CSV; the export is itself recorded."""
    form, rows = _search(request)
    record(
        actor=request.user,
        action=Action.EXPORT,
        request=request,
        detail={"filters": {k: str(v) for k, v in getattr(form, "cleaned_data", {}).items() if v}},
    )
    return csv_response("audit-trail.csv", CSV_HEADER, _csv_rows(rows, request.user))


def _csv_rows(rows, user):
    for event in rows.iterator(chunk_size=2000):
        shown = display.row(event, user)
        yield [
            event.occurred_at.isoformat(),
            event.actor_label,
            event.actor_role,
            event.action_label,
            event.patient_label,
            event.patient_id or event.patient_ids.strip(","),
            shown["what"],
            shown["detail"],
            event.ip or "",
            event.user_agent,
        ]
