from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("", views.my_appointments, name="list"),
    path("book/", views.book, name="book"),
    path("book/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/calendar.ics", views.ics, name="ics"),
]
