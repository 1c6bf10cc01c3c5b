from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

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
    if role is None and request.user.is_superuser:
        return redirect("admin:index")  # the operations account has no clinic role
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
    return _page_or_plain(request, "403", status=403)


def page_not_found(request, exception=None):
    return _page_or_plain(request, "404", status=404)


def bad_request(request, exception=None):
    return _plain(request, "400.html", status=400)


def server_error(request):
    return _plain(request, "500.html", status=500)


def _plain(request, template: str, *, status: int) -> HttpResponse:
    """Rendered without the request, so no context processor runs: they read the session
    and the user from the database, and the error may be that the database is down."""
    return HttpResponse(render_to_string(template, {"clinic": settings.CLINIC}), status=status)


def _page_or_plain(request, name: str, *, status: int) -> HttpResponse:
    """The full page (nav, the user's home link) when the database answers, else the plain
    one: a 404 during an outage must not turn into a second error."""
    try:
        return render(request, f"{name}.html", status=status)
    except DatabaseError:
        return _plain(request, f"errors/{name}_plain.html", status=status)
