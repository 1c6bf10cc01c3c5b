"""A test email backend that records each delivery and is slow on purpose.

Each delivered email appends one JSON line {"key": X-Idempotency-Key, "to": …, "pid": …}
to the file named by $SLOW_EMAIL_LOG, then sleeps $SLOW_EMAIL_DELAY seconds (0.05 by
default). The line is written before the pause: a worker killed during the pause has
"delivered" the email without recording it, which is exactly how a real crash produces a
duplicate delivery (with the same idempotency key).

Used in-process by the concurrency tests (threads) and by real worker subprocesses
(EMAIL_BACKEND=tests.notifications.slow_backend.SlowFileBackend).
"""

import json
import os
import time
from collections import Counter
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

PATH_ENV = "SLOW_EMAIL_LOG"
DELAY_ENV = "SLOW_EMAIL_DELAY"


class SlowFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        path = os.environ[PATH_ENV]
        delay = float(os.environ.get(DELAY_ENV, "0.05"))
        for message in email_messages:
            record = {
                "key": message.extra_headers.get("X-Idempotency-Key"),
                "to": message.to[0] if message.to else None,
                "message_id": message.extra_headers.get("Message-ID"),
                "pid": os.getpid(),
            }
            # One write of one short line in append mode: lines from several processes or
            # threads never interleave.
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, (json.dumps(record) + "\n").encode())
            finally:
                os.close(fd)
            time.sleep(delay)
        return len(email_messages)


def deliveries(path) -> list[dict]:
    """Every complete line of the delivery file (a line cut by a kill is ignored)."""
    path = Path(path)
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def key_counts(path) -> Counter:
    return Counter(record["key"] for record in deliveries(path))
