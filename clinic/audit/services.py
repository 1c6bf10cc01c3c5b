"""Writing the audit trail. Everything that records goes through `record`."""

from django.db import models

from .client import client_ip, user_agent
from .models import AuditEvent


def _label(user) -> str:
    return f"{user.get_full_name()} <{user.email}>".strip() if user else ""


def record(
    *,
    actor,
    action: str,
    request=None,
    patient=None,
    target: models.Model | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Append one audit event (one INSERT); request, when given, supplies page, IP and agent."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # AnonymousUser: recorded as no one, with the request's IP
    role = actor.role if actor is not None else None
    event = AuditEvent(
        actor=actor,
        actor_label=_label(actor),
        actor_role=role.value if role else "",
        action=action,
        patient=patient,
        patient_label=_label(patient),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        detail=detail or {},
    )
    if request is not None:
        match = getattr(request, "resolver_match", None)
        event.view_name = (match.view_name if match else "")[:100]
        event.path = request.path[:300]
        event.ip = client_ip(request)
        event.user_agent = user_agent(request)
    event.save()
    return event
