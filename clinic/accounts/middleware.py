import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from . import two_factor

# What a logged-in user who still owes the second factor may open.
SECOND_FACTOR_OPEN = {
    "accounts:logout",
    "accounts:second_factor",
    "accounts:second_factor_setup",
    "health",
}
LOGIN_TIME_SESSION_KEY = "logged_in_at"


class SecondFactorMiddleware:
    """The gate every page passes, Django admin included: staff (and patients who opted
    in) who have given only their password are sent to enrol or to enter a code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.view_name in SECOND_FACTOR_OPEN:
            return None
        if not two_factor.required_for(user, request.session):
            return None
        step = (
            "accounts:second_factor" if two_factor.has_app(user) else "accounts:second_factor_setup"
        )
        return redirect_to_login(request.get_full_path(), reverse(step))


class IdleTimeoutMiddleware:
    """Ends a session after a role-dependent idle time (staff 15 minutes, patients 60), and a
    staff session STAFF_SESSION_MAX_SECONDS after logging in however active it was.

    Setting the expiry on every request makes it idle-based: each request pushes it back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            staff = user.is_clinic_staff or user.is_superuser or user.is_staff
            started = request.session.setdefault(LOGIN_TIME_SESSION_KEY, int(time.time()))
            if staff and time.time() - started > settings.STAFF_SESSION_MAX_SECONDS:
                logout(request)
                messages.info(request, "Your session has ended after a full shift. Log in again.")
                return redirect(settings.LOGIN_URL)
            request.session.set_expiry(
                settings.STAFF_IDLE_SECONDS if staff else settings.PATIENT_IDLE_SECONDS
            )
        return self.get_response(request)


class BrowserPolicyMiddleware:
    """Permissions-Policy on every response; no-store on everything a logged-in user sees
    (pages and exports with patient data must not stay in the browser's or a proxy's cache)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
