"""Where a form may send the user back to."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str) -> str:
    """The posted (or linked) `next` if it is a path on this site, else `default`.

    Only paths: `redirect("NaN")` would look "NaN" up as a view name and fail, and a full
    URL to another host would make the clinic's site an open redirect.
    """
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default
