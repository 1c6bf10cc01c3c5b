from django.urls import path

from . import checkin_views, views

app_name = "consultations"

urlpatterns = [
    path("", views.my_appointments, name="list"),
    path("book/", views.book, name="book"),
    path("book/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/calendar.ics", views.ics, name="ics"),
    # Outcome check-ins and booster requests (the links in check-in emails land here)
    path("check-ins/", checkin_views.my_check_ins, name="checkins"),
    path("check-ins/<int:pk>/", checkin_views.check_in, name="checkin"),
    path("check-ins/<int:pk>/support/", checkin_views.support, name="checkin_support"),
    path("booster/", checkin_views.request_booster, name="booster_request"),
    path("booster/<int:pk>/withdraw/", checkin_views.withdraw_booster, name="booster_withdraw"),
]
