"""Where a request came from: the client IP behind the configured trusted proxies."""

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's IP: REMOTE_ADDR, or the X-Forwarded-For entry our own proxies added.

    Only the last TRUSTED_PROXY_COUNT hops of X-Forwarded-For were written by proxies we
    run; anything left of them is whatever the client chose to send, so it is never used.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR") or None
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    # With N proxies, the N-th entry from the right is the address the first proxy saw.
    return hops[-proxies] if len(hops) >= proxies else remote


def user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:400]
