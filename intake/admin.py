from django.contrib import admin

from .models import ConsentText, DeclineTemplate, ScreeningPolicy


@admin.register(DeclineTemplate)
class DeclineTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "active", "position"]
    list_editable = ["active", "position"]


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """Read-only here: new versions are published from the clinic's consent page."""

    list_display = ["version", "title", "created_at", "created_by"]
    readonly_fields = ["version", "title", "body", "created_at", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScreeningPolicy)
class ScreeningPolicyAdmin(admin.ModelAdmin):
    list_display = ["version", "pcptsd_cutoff", "created_at", "created_by"]
    readonly_fields = ["version", "severities", "pcptsd_cutoff", "created_at", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
