from django.contrib import admin

from . import kinds
from .models import Attempt, ContactPreference, Message


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = ["at", "ok", "error", "provider_message_id"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: the dispatcher owns these rows; staff resend from the message log."""

    list_display = ["due_at", "kind_in_words", "channel", "recipient", "status", "attempts"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["recipient__email", "recipient__last_name"]
    list_select_related = ["recipient"]
    date_hierarchy = "due_at"
    # `context` is left out: it is the template's extras, of no use to staff here.
    fields = [
        "kind",
        "channel",
        "recipient",
        "due_at",
        "status",
        "attempts",
        "last_error",
        "sent_at",
        "provider_message_id",
        "appointment",
        "intake",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [AttemptInline]

    @admin.display(description="Kind", ordering="kind")
    def kind_in_words(self, obj):
        return kinds.label(obj.kind)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ContactPreference)
class ContactPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "channel", "sms_allowed", "sms_consent_at", "sms_opted_out_at"]
    list_filter = ["channel"]
    search_fields = ["user__email", "user__last_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["sms_consent_at", "sms_opted_out_at"]

    @admin.display(boolean=True, description="SMS allowed")
    def sms_allowed(self, obj):
        return obj.sms_allowed
