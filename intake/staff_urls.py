from django.urls import path

from . import decision_views, patient_views, staff_views

app_name = "staff"

urlpatterns = [
    path("", staff_views.dashboard, name="dashboard"),
    path("intakes/<int:pk>/", staff_views.intake_detail, name="intake"),
    path("intakes/<int:pk>/export.csv", staff_views.intake_export, name="intake_export"),
    # Before the generic action route, which would take "reopen" as an action name.
    path("intakes/<int:pk>/reopen/", decision_views.reopen, name="intake_reopen"),
    path("intakes/<int:pk>/summary.pdf", staff_views.intake_summary_pdf, name="intake_summary_pdf"),
    path(
        "intakes/<int:pk>/checklist/<slug:code>/",
        staff_views.record_checklist,
        name="checklist",
    ),
    path("intakes/<int:pk>/<slug:action>/", staff_views.intake_action, name="intake_action"),
    path("intakes/<int:pk>/flags/<int:flag_pk>/clear/", staff_views.clear_flag, name="clear_flag"),
    path("patients/<int:pk>/", patient_views.patient_page, name="patient"),
    path("patients/<int:pk>/contact/", patient_views.edit_contact, name="patient_contact"),
    path("alerts/<int:alert_pk>/acknowledge/", staff_views.acknowledge_alert, name="alert_ack"),
]
