from django.urls import path

from . import views

app_name = "messages"

urlpatterns = [
    path("", views.message_log, name="log"),
    path("<int:pk>/", views.message_detail, name="detail"),
    path("<int:pk>/resend/", views.resend, name="resend"),
    path("preferences/", views.contact_preferences, name="preferences"),
    path("sms/inbound/", views.sms_inbound, name="sms_inbound"),
]
