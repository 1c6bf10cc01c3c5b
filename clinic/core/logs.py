"""Log lines never carry a one-time token.

Email-verification and password-reset links hold a token in their path
(/accounts/verify/<uid>/<token>/, /accounts/password-reset/<uid>/<token>/). Every path a
log line shows — gunicorn's access log, Django's request and runserver logs — has that
segment replaced by a mask. The uid (the account's number, base64) stays: it is no secret
and helps support find a failed link. Django's own "set-password" step is not a token.
"""

import logging
import re

from gunicorn.glogging import Logger

MASK = "[token]"
_TOKEN_IN_PATH = re.compile(
    r"(/(?:verify|password-reset)/[^/\s?#\"']+/)(?!set-password(?:[/\s?#\"']|$))[^/\s?#\"']+"
)


def mask_tokens(text: str) -> str:
    return _TOKEN_IN_PATH.sub(rf"\g<1>{MASK}", text)


class MaskTokens(logging.Filter):
    """A handler filter (settings.LOGGING): rewrites the rendered message if it holds a token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class GunicornLogger(Logger):
    """gunicorn's logger (Procfile: --logger-class) with tokens masked in every atom."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            name: mask_tokens(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }

    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(f, MaskTokens) for f in self.error_log.filters):
            self.error_log.addFilter(MaskTokens())
