from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from clinic.accounts.roles import Role

from .models import Heartbeat

ROLE_HOMES = {
    Role.PATIENT: "intake:resume",
    Role.COORDINATOR: "staff:dashboard",
    Role.CLINICIAN: "staff:dashboard",
    Role.CLINIC_ADMIN: "accounts:admin_home",
}


def landing(request):
    return render(request, "core/landing.html")


def home(request):
    """Each role lands on its own home after login."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    role = request.user.role
    if role is None:
        return render(request, "core/no_role.html", status=403)
    return redirect(ROLE_HOMES[role])


def health(request):
    """For load balancers: is the database reachable, and when did the worker last beat."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beat = Heartbeat.objects.filter(source="beat").first()
    return JsonResponse({"database": "ok", "last_heartbeat": beat.beat_at if beat else None})


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors that touch the database: the error may be the database.
    return render(request, "500.html", status=500)
