from functools import cache

from django.db import connection
from django.utils.functional import SimpleLazyObject

from .models import UrgentAlert


def _open():
    return UrgentAlert.objects.filter(acknowledged_at__isnull=True)


@cache
def _any_open_sql() -> tuple[str, tuple]:
    """Whether any alert is open, compiled once a process from the banner's own filter:
    nearly always none is, and this probe (the partial index on open alerts answers it)
    costs a fraction of building the banner's query with the ORM on every staff page
    (issue 15)."""
    return _open().order_by().values_list("pk")[:1].query.sql_with_params()


_PROBED = "_clinic_open_alert_probed"  # the request's attribute: what the probe found


def alert_probe() -> tuple[str, list]:
    """The probe, for a page that sends its own statements in one round trip
    (clinic.core.prepared.run_together): it goes with them, and `probed` records its rows."""
    sql, params = _any_open_sql()
    return sql, list(params)


def probed(request, rows) -> None:
    """What the probe sent with a page's statements found: the banner asks no more when no
    alert is open (and reads them when one is, as it would have)."""
    setattr(request, _PROBED, bool(rows))


def _open_alerts(request) -> list[UrgentAlert]:
    found = getattr(request, _PROBED, None)
    if found is None:
        with connection.cursor() as cursor:
            cursor.execute(*_any_open_sql())
            found = cursor.fetchone() is not None
    if not found:
        return []
    # The banner names the patient: not the intake's answers, drafts and scores (kilobytes of
    # JSON each) nor the patient's password hash.
    return list(
        _open()
        .select_related("intake__patient")
        .only(
            "pk",
            "kind",
            "created_at",
            "intake__id",
            "intake__patient__id",
            "intake__patient__first_name",
            "intake__patient__last_name",
            "intake__patient__email",
        )
    )


def urgent_alerts(request):
    """Open urgent-safety alerts, shown at the top of every staff page until acknowledged.
    Read only when a page shows the banner."""
    user = getattr(request, "user", None)
    if (
        user is None
        or not user.is_authenticated
        or not user.has_perm("accounts.view_staff_dashboard")
    ):
        return {}
    return {"urgent_alerts": SimpleLazyObject(lambda: _open_alerts(request))}
