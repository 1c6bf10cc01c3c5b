"""HTML to PDF through WeasyPrint, fetching nothing (needs Debian's pango: see .ci/run)."""

from pathlib import Path

import weasyprint
from django.contrib.staticfiles import finders


def pdf_from_html(html: str, *, stylesheet: str) -> bytes:
    """The PDF of this HTML styled by one static file; no URL is ever fetched.

    The HTML holds what patients typed (escaped by the template), so the fetcher allows no
    protocol at all: an answer can never make the server request a file or a URL.
    """
    css = Path(finders.find(stylesheet)).read_text(encoding="utf-8")
    no_fetching = weasyprint.urls.URLFetcher(allowed_protocols=())
    document = weasyprint.HTML(string=html, url_fetcher=no_fetching)
    return document.write_pdf(stylesheets=[weasyprint.CSS(string=css, url_fetcher=no_fetching)])
