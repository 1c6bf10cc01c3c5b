from functools import cache

from django.db import connection
from django.utils.functional import SimpleLazyObject

from .models import UrgentAlert


@cache
def _any_open_sql() -> str:
    """Whether any alert is open, written once a process as SQL: nearly always none is,
    and this probe (the partial index on open alerts answers it) costs a fraction of
    building the banner's query with the ORM on every staff page (issue 15)."""
    table = connection.ops.quote_name(UrgentAlert._meta.db_table)
    column = connection.ops.quote_name(UrgentAlert._meta.get_field("acknowledged_at").column)
    # Only names from the model's own meta, quoted; no value goes in.
    return f"SELECT 1 FROM {table} WHERE {column} IS NULL LIMIT 1"  # noqa: S608


def _open_alerts() -> list[UrgentAlert]:
    with connection.cursor() as cursor:
        cursor.execute(_any_open_sql())
        if cursor.fetchone() is None:
            return []
    # The banner names the patient: not the intake's answers, drafts and scores (kilobytes of
    # JSON each) nor the patient's password hash.
    return list(
        UrgentAlert.objects.filter(acknowledged_at__isnull=True)
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
    return {"urgent_alerts": SimpleLazyObject(_open_alerts)}
