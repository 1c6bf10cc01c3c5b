from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django_otp.admin import OTPAdminSite

from clinic.core import views as core_views

# The Django admin asks for a verified second factor too (django-otp's documented way of
# making the default site an OTPAdminSite); its own login page hands over to ours.
admin.site.__class__ = OTPAdminSite
admin.site.site_header = "Clinic administration"
admin.site.site_title = "Clinic administration"

urlpatterns = [
    path("", core_views.landing, name="landing"),
    path("home/", core_views.home, name="home"),
    path("health/", core_views.health, name="health"),
    path("accounts/", include("clinic.accounts.urls")),
    path("portal/", include("intake.urls")),
    path("staff/", include("intake.staff_urls")),
    path("appointments/", include("consultations.urls")),
    path("schedule/", include("consultations.staff_urls")),
    path("messages/", include("clinic.notifications.urls")),
    path("audit/", include("clinic.audit.urls")),
    path("documents/", include("clinic.documents.urls")),
    path("settings/", include("clinic.core.settings_urls")),
    path(
        "django-admin/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
    ),
    path("django-admin/", admin.site.urls),
]

handler400 = "clinic.core.views.bad_request"
handler403 = "clinic.core.views.permission_denied"
handler404 = "clinic.core.views.page_not_found"
handler500 = "clinic.core.views.server_error"
