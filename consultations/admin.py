from django.contrib import admin

from .models import OutcomeMessageTemplate


@admin.register(OutcomeMessageTemplate)
class OutcomeMessageTemplateAdmin(admin.ModelAdmin):
    """The kind words a patient reads after the consultation (clinic admins edit them)."""

    list_display = ["title", "decision", "active", "position"]
    list_editable = ["active", "position"]
    list_filter = ["decision", "active"]
