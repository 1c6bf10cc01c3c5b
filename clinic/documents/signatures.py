"""Pure: what a file is, read from its first bytes (its "magic number"), never its name.

Three types are accepted, so the check is this small table rather than a library: the
`filetype` package recognises some 80 types by the same kind of signatures (we would
accept three and refuse the rest), and python-magic needs the system's libmagic. A
renamed program ("ecg.pdf" that starts with "MZ") matches no signature and is refused.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    mime: str
    extension: str
    label: str
    signature: bytes


ACCEPTED: tuple[FileType, ...] = (
    FileType("application/pdf", ".pdf", "PDF", b"%PDF-"),
    FileType("image/jpeg", ".jpg", "JPEG image", b"\xff\xd8\xff"),
    FileType("image/png", ".png", "PNG image", b"\x89PNG\r\n\x1a\n"),
)
BY_MIME = {t.mime: t for t in ACCEPTED}
HEAD_BYTES = 16  # enough for every signature above


def sniff(head: bytes) -> FileType | None:
    """The accepted type these first bytes begin, or None (anything else, or empty)."""
    return next((t for t in ACCEPTED if head.startswith(t.signature)), None)


def accepted_labels() -> str:
    """'PDF, JPEG image or PNG image', for messages."""
    labels = [t.label for t in ACCEPTED]
    return ", ".join(labels[:-1]) + " or " + labels[-1]
