from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "clinic.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self):
        from .middleware import start_idle_clock
        from .roles import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
        user_logged_in.connect(start_idle_clock, dispatch_uid="accounts.start_idle_clock")
