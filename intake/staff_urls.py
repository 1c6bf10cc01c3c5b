from django.urls import path

from . import staff_views

app_name = "staff"

urlpatterns = [
    path("", staff_views.dashboard, name="dashboard"),
    path("intakes/<int:pk>/", staff_views.intake_detail, name="intake"),
    path("intakes/<int:pk>/export.csv", staff_views.intake_export, name="intake_export"),
    path("intakes/<int:pk>/<slug:action>/", staff_views.intake_action, name="intake_action"),
    path("intakes/<int:pk>/flags/<int:flag_pk>/clear/", staff_views.clear_flag, name="clear_flag"),
    path("alerts/<int:alert_pk>/acknowledge/", staff_views.acknowledge_alert, name="alert_ack"),
]
