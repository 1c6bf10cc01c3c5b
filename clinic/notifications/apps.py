from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "clinic.notifications"
    label = "notifications"
    verbose_name = "Messages (outbox)"

    def ready(self):
        # Each app's message declarations (settings.MESSAGE_MODULES), read once all models
        # are loaded: the registry is filled here, never through signals.
        from django.core import checks

        from . import kinds

        kinds.load()
        checks.register(kinds.check_kinds)
