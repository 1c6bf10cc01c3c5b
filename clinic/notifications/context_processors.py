from django.db.models import Count
from django.utils.functional import SimpleLazyObject

from clinic.core.prepared import Prepared

from .models import Message

# On every staff page that shows the count: compiled once a process (clinic.core.prepared),
# not built by the ORM each time (~800 Python calls a page for one COUNT).
_FAILED = Prepared(
    lambda: Message.objects.failed().values("status").annotate(n=Count("pk")).order_by()
)


def _count_failed() -> int:
    rows = _FAILED.rows()
    return rows[0]["n"] if rows else 0


def failed_count(request):
    """Staff only: how many messages failed for good. Counted only if a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("accounts.view_staff_dashboard"):
        return {}
    return {"failed_message_count": SimpleLazyObject(_count_failed)}
