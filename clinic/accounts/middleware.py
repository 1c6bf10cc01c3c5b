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
SEEN_SESSION_KEY = "idle_seen"  # when the idle clock was last written to the session
IDLE_COOKIE = "clinic_seen"  # the latest request's time, signed
IDLE_WRITE_SECONDS = 60  # the idle clock is written to the session at most this often


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

    Every request pushes the idle clock back, but the session row is written for it at most
    once a minute (IDLE_WRITE_SECONDS): each page view writing the session cost a database
    write (on SQLite, the write lock) for nothing else. So that the limit stays exact, the
    time of the latest request travels in a small signed cookie (IDLE_COOKIE, bound to the
    session key, so it cannot be forged or carried to another session), and the stored
    session and its cookie are given IDLE_WRITE_SECONDS more than the limit: they never end
    it early, and this middleware ends it on time, counting from the latest request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        now = int(time.time())
        session = request.session
        staff = _is_staff(user)
        started = session.setdefault(LOGIN_TIME_SESSION_KEY, now)
        if staff and now - started > settings.STAFF_SESSION_MAX_SECONDS:
            logout(request)
            messages.info(request, "Your session has ended after a full shift. Log in again.")
            return redirect(settings.LOGIN_URL)
        idle = _idle_seconds(staff)
        # A session without the key comes from before it (start_idle_clock sets it at login):
        # its stored expiry, pushed back by each request, was its limit so far.
        written = session.get(SEEN_SESSION_KEY)
        if written is not None and now - max(written, _seen_cookie(request)) > idle:
            logout(request)  # the page goes on as for anyone logged out (to the login page)
            return self.get_response(request)
        if written is None or now - written >= IDLE_WRITE_SECONDS:
            session[SEEN_SESSION_KEY] = now
            session.set_expiry(idle + IDLE_WRITE_SECONDS)
        response = self.get_response(request)
        if session.session_key and request.user.is_authenticated:
            response.set_signed_cookie(
                IDLE_COOKIE,
                str(now),
                salt=_idle_salt(session.session_key),
                max_age=idle + IDLE_WRITE_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def start_idle_clock(sender, request, user, **kwargs) -> None:
    """At login (every way in, tests' force_login included): the shift and the idle clock
    start, written with the login itself, so the next minute's requests write nothing."""
    now = int(time.time())
    request.session[LOGIN_TIME_SESSION_KEY] = now
    request.session[SEEN_SESSION_KEY] = now
    request.session.set_expiry(_idle_seconds(_is_staff(user)) + IDLE_WRITE_SECONDS)


def _is_staff(user) -> bool:
    return user.is_clinic_staff or user.is_superuser or user.is_staff


def _idle_seconds(staff: bool) -> int:
    return settings.STAFF_IDLE_SECONDS if staff else settings.PATIENT_IDLE_SECONDS


def _idle_salt(session_key: str) -> str:
    return f"clinic.idle:{session_key}"


def _seen_cookie(request) -> int:
    """The time of this session's latest request, from its signed cookie (0 if none)."""
    key = request.session.session_key
    if not key:
        return 0
    value = request.get_signed_cookie(IDLE_COOKIE, default=None, salt=_idle_salt(key))
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


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
