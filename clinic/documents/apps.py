from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "clinic.documents"
    label = "documents"
    verbose_name = "Patient documents"
    default_auto_field = "django.db.models.BigAutoField"
