from django.conf import settings
from django.db import models
from django.db.models import Q

from . import kinds


class MessageQuerySet(models.QuerySet):
    def claimable(self, now):
        """Due and pending, or claimed by a worker whose lease ran out (it died mid-send)."""
        return self.filter(
            Q(status=Message.Status.PENDING, due_at__lte=now)
            | Q(status=Message.Status.SENDING, lease_until__lt=now)
        )

    def failed(self):
        return self.filter(status=Message.Status.FAILED)


class Message(models.Model):
    """One email or SMS the system means to send: a row first, sent by the dispatcher.

    Holds no clinical content: the kind, who, when and a reference; the text is rendered
    at send time from templates that contain a name, a time and a link.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        SKIPPED = "skipped", "Skipped"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"

    # Every kind is declared once, by the app it belongs to (settings.MESSAGE_MODULES);
    # a callable, so migrations name the function rather than copy the list.
    kind = models.CharField(max_length=40, choices=kinds.kind_choices)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages"
    )
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    # What the message is about (ids only), so rescheduling and cancelling can find it.
    appointment = models.ForeignKey(
        "consultations.Appointment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
    )
    intake = models.ForeignKey(
        "intake.Intake", on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    # Non-clinical extras for the template (e.g. a reminder's offset). Never a one-use
    # token: those are made when the message is rendered.
    context = models.JSONField(default=dict, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["status", "due_at"]), models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return f"{self.kind} by {self.channel} to user #{self.recipient_id} ({self.status})"


class Attempt(models.Model):
    """Each try at sending a message, for the staff message log."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField()
    error = models.CharField(max_length=500, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{'Sent' if self.ok else 'Failed'} attempt for message #{self.message_id}"


class ContactPreference(models.Model):
    """How a person wants reminders: email or SMS (SMS only with recorded consent)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_preference"
    )
    channel = models.CharField(max_length=5, choices=Message.Channel.choices, default="email")
    phone = models.CharField(max_length=20, blank=True)  # E.164
    sms_consent_at = models.DateTimeField(null=True, blank=True)
    sms_opted_out_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"Preferences of user #{self.user_id}"

    @property
    def sms_allowed(self) -> bool:
        return bool(self.phone and self.sms_consent_at and not self.sms_opted_out_at)
