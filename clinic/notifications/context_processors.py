from django.utils.functional import SimpleLazyObject

from .models import Message


def failed_count(request):
    """Staff only: how many messages failed for good. Counted only if a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("accounts.view_staff_dashboard"):
        return {}
    return {"failed_message_count": SimpleLazyObject(lambda: Message.objects.failed().count())}
