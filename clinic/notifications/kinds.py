"""Which kinds of message exist. Each app declares its own, once, in a module listed in
settings.MESSAGE_MODULES; the module's KINDS list is loaded when the app registry is ready,
the way Django loads backends from dotted paths.

A kind holds everything that names it: its code (stored on each outbox row), a label for
staff, the email subject, one template per channel it can go by, and the context builder
that turns an outbox row into what the template shows — or raises Skip when the reason for
the message has gone. Nothing here knows a domain app: the dispatcher only delivers.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import checks
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from .models import Message

CHANNELS = ("email", "sms")  # Message.Channel's values (models.py imports this module)
Attachment = tuple[str, bytes | str, str]  # file name, content, MIME type


class Skip(Exception):
    """The message's reason has gone (appointment cancelled, intake submitted): not sent."""


class UnknownKind(LookupError):
    pass


@dataclass(frozen=True)
class MessageKind:
    code: str
    label: str  # for staff, in the message log and its filter
    # An email's subject; a callable gets the render context (e.g. words from an offset).
    subject: str | Callable[[dict], str]
    templates: Mapping[str, str]  # channel ("email", "sms") → template name
    context: Callable[[Message], dict]  # may raise Skip
    attachments: Callable[[Message, dict], list[Attachment]] | None = None
    # What the context and attachments read beyond the row's own relations (which the
    # dispatcher joins), as prefetch_related lookups from the message: fetched once for all
    # of a batch's messages of this kind (e.g. an appointment's events, for the .ics).
    prefetch: tuple[str, ...] = ()

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(self.templates)

    def subject_for(self, context: dict) -> str:
        return self.subject(context) if callable(self.subject) else self.subject


_registry: dict[str, MessageKind] = {}
_batch: contextvars.ContextVar[dict | None] = contextvars.ContextVar("batch", default=None)


@contextlib.contextmanager
def batch_reads(memo: dict) -> Iterator[dict]:
    """While sending a batch: what `once_per_batch` reads is kept in `memo` (the dispatcher
    empties it when it reads the batch's rows again, so a change is seen as soon)."""
    token = _batch.set(memo)
    try:
        yield memo
    finally:
        _batch.reset(token)


def once_per_batch(key: str, read: Callable[[], object]):
    """`read()` once for the batch being sent (e.g. the clinic's settings row), or at each
    call outside a batch."""
    memo = _batch.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def register(kinds) -> None:
    for kind in kinds:
        if kind.code in _registry and _registry[kind.code] is not kind:
            raise ValueError(f"message kind {kind.code!r} is declared twice")
        _registry[kind.code] = kind


def load(paths=None) -> None:
    """Read every module's KINDS (settings.MESSAGE_MODULES), once, at app ready."""
    for path in settings.MESSAGE_MODULES if paths is None else paths:
        register(import_string(f"{path}.KINDS"))


def get(code: str) -> MessageKind:
    try:
        return _registry[code]
    except KeyError:
        raise UnknownKind(f"no message kind {code!r} is declared") from None


def all_kinds() -> list[MessageKind]:
    return list(_registry.values())


def kind_choices() -> list[tuple[str, str]]:
    """Message.kind's choices. Passed as a callable, so migrations never list the kinds."""
    return [(kind.code, kind.label) for kind in _registry.values()]


def problems(kind: MessageKind) -> list[str]:
    """What a declaration lacks (the system check and the tests report these)."""
    found = []
    if not kind.label:
        found.append(f"{kind.code}: no label")
    if not (callable(kind.subject) or (kind.subject or "").strip()):
        found.append(f"{kind.code}: no subject")
    if not kind.templates:
        found.append(f"{kind.code}: no template")
    for channel, template in (kind.templates or {}).items():
        if channel not in CHANNELS:
            found.append(f"{kind.code}: unknown channel {channel!r}")
        try:
            get_template(template)
        except TemplateDoesNotExist:
            found.append(f"{kind.code}: template {template} does not exist")
    if not callable(kind.context):
        found.append(f"{kind.code}: no context builder")
    return found


def check_kinds(app_configs=None, **kwargs):
    """System check: every declared kind is complete (run by `manage.py check`)."""
    return [
        checks.Error(text, id="notifications.E001")
        for kind in _registry.values()
        for text in problems(kind)
    ]


def label(code: str) -> str:
    kind = _registry.get(code)
    return kind.label if kind else code.replace("_", " ").capitalize()


def absolute_url(name: str, *args) -> str:
    """A link for a message: SITE_URL plus the named route."""
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)
