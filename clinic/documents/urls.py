from django.urls import path

from . import patient_views, views

app_name = "documents"

urlpatterns = [
    path("patients/<int:pk>/upload/", views.upload, name="upload"),
    path("<int:pk>/", views.open_document, name="open"),
    # The patient's own uploads.
    path("mine/", patient_views.mine, name="mine"),
    path("mine/<int:pk>/remove/", patient_views.remove, name="mine_remove"),
    path("mine/<int:pk>/restore/", patient_views.restore, name="mine_restore"),
]
