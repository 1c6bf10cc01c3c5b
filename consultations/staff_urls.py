from django.urls import path

from . import (
    action_views,
    calendar_views,
    checkin_views,
    cohort_views,
    course_views,
    decision_views,
    outcome_views,
    record_views,
    schedule_chairs,
    schedule_views,
    staff_booking_views,
)

app_name = "schedule"

urlpatterns = [
    # Schedules (coordinators and clinic admins)
    path("", schedule_views.home, name="home"),
    path("providers/", schedule_views.providers, name="providers"),
    path("providers/new/", schedule_views.provider_edit, name="provider_create"),
    path("providers/<int:pk>/", schedule_views.provider_edit, name="provider_edit"),
    path("providers/<int:pk>/hours/", schedule_views.provider_hours, name="provider_hours"),
    path("overrides/", schedule_views.overrides, name="overrides"),
    path("overrides/holidays/", schedule_views.holidays, name="holidays"),
    path("overrides/<int:pk>/delete/", schedule_views.override_delete, name="override_delete"),
    path("types/", schedule_views.appointment_types, name="types"),
    path("types/new/", schedule_views.appointment_type_edit, name="type_create"),
    path("types/<int:pk>/", schedule_views.appointment_type_edit, name="type_edit"),
    path("locations/", schedule_views.locations, name="locations"),
    path("locations/new/", schedule_views.location_edit, name="location_create"),
    path("locations/<int:pk>/", schedule_views.location_edit, name="location_edit"),
    path("locations/<int:pk>/chairs/", schedule_chairs.chairs, name="chairs"),
    path("locations/<int:pk>/hours/", schedule_chairs.opening_hours, name="opening_hours"),
    path("chairs/<int:pk>/rename/", schedule_chairs.chair_rename, name="chair_rename"),
    path("chairs/<int:pk>/<slug:action>/", schedule_chairs.chair_change, name="chair_change"),
    # Calendar (everyone who manages bookings)
    path("calendar/", calendar_views.day, name="day"),
    path("calendar/week/", calendar_views.week, name="week"),
    path("calendar/today/", calendar_views.today_list, name="today"),
    path("calendar/sheet/", calendar_views.day_sheet, name="day_sheet"),
    path("calendar/search/", calendar_views.search, name="search"),
    path("calendar/reopened/", decision_views.reopened_bookings, name="reopened_bookings"),
    # Booking on a patient's behalf
    path("patients/", staff_booking_views.patients, name="patients"),
    path("patients/<int:patient_pk>/book/", staff_booking_views.book, name="book"),
    path("patients/<int:patient_pk>/book/confirm/", staff_booking_views.confirm, name="confirm"),
    path("appointments/<int:pk>/move/", staff_booking_views.move, name="move"),
    # Actions on one appointment: GET confirms, POST does it
    path("appointments/<int:pk>/status/", action_views.change_status, name="change_status"),
    path("appointments/<int:pk>/cancel/", action_views.cancel, name="cancel"),
    path("appointments/<int:pk>/undo/", action_views.undo, name="undo"),
    path("appointments/<int:pk>/video/", staff_booking_views.video_link, name="video_link"),
    # After the consultation (clinicians record; other staff read the decision only)
    path("appointments/<int:pk>/outcome/", outcome_views.outcome, name="outcome"),
    path("appointments/<int:pk>/record/", record_views.infusion_record, name="record"),
    path("appointments/<int:pk>/record/<str:part>/", record_views.record_part, name="record_part"),
    # A course of infusions: plan, book in one step, cancel (and undo)
    path("patients/<int:patient_pk>/course/", course_views.plan, name="course_plan"),
    path("patients/<int:patient_pk>/course/book/", course_views.book, name="course_book"),
    path("courses/<int:pk>/", course_views.detail, name="course"),
    path("courses/<int:pk>/cancel/", course_views.cancel, name="course_cancel"),
    path("courses/<int:pk>/undo/", course_views.undo_cancel, name="course_undo"),
    # Outcomes of every infusion series (clinicians)
    path("outcomes/", cohort_views.cohort_page, name="cohort"),
    path("outcomes/export.csv", cohort_views.cohort_export, name="cohort_export"),
    # Outcome check-ins (answers for clinicians only) and booster prompts
    path(
        "patients/<int:patient_pk>/check-ins/",
        checkin_views.staff_check_ins,
        name="patient_checkins",
    ),
    path("boosters/", checkin_views.booster_list, name="boosters"),
    path(
        "boosters/<int:patient_pk>/set-aside/", checkin_views.booster_snooze, name="booster_snooze"
    ),
    path(
        "boosters/set-aside/<int:pk>/undo/",
        checkin_views.booster_unsnooze,
        name="booster_unsnooze",
    ),
    path(
        "boosters/requests/<int:pk>/decline/",
        checkin_views.booster_decline,
        name="booster_decline",
    ),
]
