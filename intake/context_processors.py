from .models import UrgentAlert


def urgent_alerts(request):
    """Open urgent-safety alerts, shown at the top of every staff page until acknowledged."""
    user = getattr(request, "user", None)
    if (
        user is None
        or not user.is_authenticated
        or not user.has_perm("accounts.view_staff_dashboard")
    ):
        return {}
    alerts = UrgentAlert.objects.filter(acknowledged_at__isnull=True).select_related(
        "intake__patient"
    )
    return {"urgent_alerts": alerts}
