"""The clinic settings area (clinic admins): one namespace, one list of its pages.

Each section's view stays in the app that owns what it edits; this module is the one
place that lists them, so the overview, the sub-navigation and the URLs agree.
"""

from django.urls import path

from clinic.notifications import views as notification_views
from consultations import checkin_views, course_views, record_views, schedule_views
from intake import policy_views, staff_views

from . import settings_views

app_name = "clinic_settings"

urlpatterns = [
    path("", settings_views.overview, name="overview"),
    path("cancellation/", schedule_views.cancellation_window, name="cancellation_window"),
    path("reminders/", notification_views.reminder_settings, name="reminders"),
    path("screening-policy/", policy_views.policy, name="screening_policy"),
    path("consent/", staff_views.consent_text, name="consent_text"),
    path("courses/", course_views.course_settings, name="courses"),
    path("vitals-limits/", record_views.vitals_limits, name="vitals_limits"),
    path("boosters/", checkin_views.booster_settings, name="boosters"),
]
