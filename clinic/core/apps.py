from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clinic.core"
    label = "core"
    verbose_name = "Clinic"

    def ready(self):
        # The Celery app becomes the current one, so every shared_task sends through the
        # configured broker (the standard wiring did this from clinic/__init__.py).
        from clinic import celery  # noqa: F401
