"""Request clean-up that every view relies on, done once before any of them runs."""

from django.http import QueryDict

NUL = "\x00"


class StripNulMiddleware:
    """Removes NUL characters from query strings, form bodies and cookies.

    PostgreSQL refuses NUL in text, so one in any search or filter box was a 500. No
    keyboard types one; stripping (rather than refusing the request with a 400) keeps a
    pasted answer that happened to carry one, and a NUL never means anything here.
    Invalid UTF-8 needs nothing: Django decodes query strings and bodies with
    replacement characters.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET):
            request.GET = _without_nul(request.GET)
        # Form bodies only: those are what request.POST parses (CSRF reads it anyway);
        # JSON and other bodies stay unread for the view.
        form = request.method == "POST" and request.content_type in FORM_TYPES
        if form and _has_nul(request.POST):
            request.POST = _without_nul(request.POST)
        if any(NUL in k or NUL in v for k, v in request.COOKIES.items()):
            request.COOKIES = {
                k.replace(NUL, ""): v.replace(NUL, "") for k, v in request.COOKIES.items()
            }
        return self.get_response(request)


FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _has_nul(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in data.lists())


def _without_nul(data: QueryDict) -> QueryDict:
    clean = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        clean.setlist(key.replace(NUL, ""), [v.replace(NUL, "") for v in values])
    clean._mutable = False
    return clean
