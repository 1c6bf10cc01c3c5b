"""Where messages go: email through Django's backends, SMS through a small backend interface.

Each send carries the message's idempotency key to the provider where it can take one
(email: a Message-ID derived from the key and an X-Idempotency-Key header; Twilio's
Messages API has no such field, so an SMS carries it only in our own records).
"""

import base64
import hashlib
import json
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass
class Rendered:
    subject: str
    body: str
    attachments: list[tuple[str, bytes | str, str]] = field(default_factory=list)


class SendError(Exception):
    pass


def message_id(key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def send_email(*, to: str, rendered: Rendered, key: str) -> str:
    msgid = message_id(key)
    email = EmailMessage(
        rendered.subject,
        rendered.body,
        to=[to],
        headers={"Message-ID": msgid, "X-Idempotency-Key": key},
    )
    for name, content, mimetype in rendered.attachments:
        email.attach(name, content, mimetype)
    email.send()
    return msgid


class SmsBackend:
    def send(self, *, to: str, body: str, key: str) -> str:  # returns the provider's id
        raise NotImplementedError


class FileSmsBackend(SmsBackend):
    """Development: one JSON line per SMS under var/outbox/sms/ (nothing leaves the machine)."""

    def send(self, *, to: str, body: str, key: str) -> str:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        record = {"to": to, "body": body, "key": key, "at": timezone.now().isoformat()}
        with (folder / f"{timezone.now():%Y-%m-%d}.jsonl").open("a") as out:
            out.write(json.dumps(record) + "\n")
        return "file-" + hashlib.sha256(key.encode()).hexdigest()[:16]


class TwilioSmsBackend(SmsBackend):
    """Twilio's Messages API, configured by TWILIO_ACCOUNT_SID / _AUTH_TOKEN / _FROM_NUMBER."""

    def send(self, *, to: str, body: str, key: str) -> str:
        sid, token = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN
        url = f"https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json"
        data = urllib.parse.urlencode(
            {"To": to, "From": settings.TWILIO_FROM_NUMBER, "Body": body}
        ).encode()
        request = urllib.request.Request(url, data=data, method="POST")  # noqa: S310 - fixed https
        auth = base64.b64encode(f"{sid}:{token}".encode()).decode()
        request.add_header("Authorization", f"Basic {auth}")
        # Twilio's Messages API takes no idempotency key: the dispatcher's lease renewal just
        # before sending is what keeps a second send of one row rare (see dispatcher.py).
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                return json.load(response)["sid"]
        except Exception as error:  # network, HTTP 4xx/5xx, bad JSON: retried by the dispatcher
            raise SendError(f"Twilio: {type(error).__name__}") from error


def sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, rendered: Rendered, key: str) -> str:
    return sms_backend().send(to=to, body=rendered.body, key=key)
