from django.conf import settings


class IdleTimeoutMiddleware:
    """Ends a session after a role-dependent idle time (staff 15 minutes, patients 60).

    Setting the expiry on every request makes it idle-based: each request pushes it back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            staff = user.is_clinic_staff or user.is_superuser
            request.session.set_expiry(
                settings.STAFF_IDLE_SECONDS if staff else settings.PATIENT_IDLE_SECONDS
            )
        return self.get_response(request)
