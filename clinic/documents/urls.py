from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("patients/<int:pk>/upload/", views.upload, name="upload"),
    path("<int:pk>/", views.open_document, name="open"),
]
