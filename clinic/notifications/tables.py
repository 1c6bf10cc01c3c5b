"""The staff message log as a sortable, paginated table (django-tables2)."""

import django_tables2 as tables
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils.html import format_html

from . import kinds
from .models import Message

S = Message.Status
# Words first; the icon repeats them for people who scan (never colour alone).
STATUS_ICONS = {
    S.PENDING: "bi-hourglass-split",
    S.SENDING: "bi-send",
    S.SENT: "bi-check-circle",
    S.FAILED: "bi-x-octagon-fill text-danger",
    S.CANCELLED: "bi-slash-circle",
    S.SKIPPED: "bi-skip-forward",
}


def status_label(message: Message) -> str:
    return format_html(
        '<span class="text-nowrap"><i class="bi {}" aria-hidden="true"></i> {}</span>',
        STATUS_ICONS.get(message.status, "bi-question-circle"),
        message.get_status_display(),
    )


class MessageTable(tables.Table):
    due_at = tables.DateTimeColumn(verbose_name="Due", format="M j, Y g:i a")
    kind = tables.Column(verbose_name="Message")
    channel = tables.Column(verbose_name="By")
    recipient = tables.Column(
        verbose_name="Recipient", order_by=("recipient__last_name", "recipient__first_name")
    )
    status = tables.Column(verbose_name="Status")
    tries = tables.Column(verbose_name="Attempts", empty_values=())
    last_error = tables.Column(verbose_name="Last error", orderable=False, default="—")
    sent_at = tables.DateTimeColumn(verbose_name="Sent", format="M j, Y g:i a", default="—")

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle message-log"}
        template_name = "django_tables2/bootstrap5-responsive.html"
        order_by = ("-due_at",)
        per_page = 50
        empty_text = "No messages match these filters."

    def render_kind(self, record):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("messages:detail", args=[record.pk]),
            kinds.label(record.kind),
        )

    def render_channel(self, record):
        return record.get_channel_display()

    def render_status(self, record):
        return status_label(record)

    def render_last_error(self, value):
        # The whole text is on the message's page; errors never hold a message's text.
        return truncatechars(value, 80)
