from django.urls import path

from . import consent_views, views

app_name = "intake"

urlpatterns = [
    path("", views.portal, name="portal"),
    path("add-information/", views.add_note, name="add_note"),
    path("intake/", views.resume, name="resume"),
    path("intake/start/", views.start, name="start"),
    path("intake/review/", views.review, name="review"),
    path("intake/support/", views.support, name="support"),
    path("consent/", consent_views.resign, name="consent_resign"),
    path("intake/<int:pk>/", views.detail, name="detail"),
    path("intake/step/<slug:key>/", views.step, name="step"),
    path("intake/step/<slug:key>/autosave/", views.autosave, name="autosave"),
    path("intake/step/<slug:key>/opioid-total/", views.opioid_total, name="opioid_total"),
]
