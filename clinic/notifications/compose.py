"""What a message says, rendered at send time from its row and its kind's declaration.

Every text holds a name, a time and a link — never a diagnosis, a score or an answer.
A message whose reason has gone (appointment cancelled, intake submitted, SMS consent
withdrawn) is skipped, not sent.
"""

from django.conf import settings
from django.template.loader import render_to_string

from . import kinds
from .channels import Rendered
from .kinds import Skip
from .models import ContactPreference, Message

__all__ = ["Skip", "render"]


def _address(message: Message) -> str:
    user = message.recipient
    if message.channel == Message.Channel.EMAIL:
        return user.email
    try:
        preference = user.contact_preference  # loaded with the dispatcher's batch
    except ContactPreference.DoesNotExist:
        preference = None
    if preference is None or not preference.sms_allowed:
        raise Skip("No SMS consent, opted out, or no mobile number")
    return preference.phone


def render(message: Message) -> tuple[str, Rendered]:
    """(address, rendered text) for a claimed message, or raise Skip."""
    to = _address(message)
    kind = kinds.get(message.kind)
    template = kind.templates.get(message.channel)
    if template is None:
        raise kinds.UnknownKind(f"{kind.code} has no {message.channel} text")
    context = {"user": message.recipient, "clinic": settings.CLINIC, **message.context}
    context.update(kind.context(message))
    body = render_to_string(template, context).strip() + "\n"
    attachments = []
    if kind.attachments and message.channel == Message.Channel.EMAIL:
        attachments = kind.attachments(message, context)
    return to, Rendered(kind.subject_for(context), body, attachments)
