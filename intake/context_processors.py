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
    # The banner names the patient: not the intake's answers, drafts and scores (kilobytes of
    # JSON each) nor the patient's password hash.
    alerts = (
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
    return {"urgent_alerts": alerts}
