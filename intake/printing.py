"""HTML to PDF through WeasyPrint, fetching nothing (needs Debian's pango: see .ci/run)."""

from pathlib import Path

from django.contrib.staticfiles import finders


class PrintingUnavailable(Exception):
    """WeasyPrint or the system libraries it loads (pango) are missing on this machine."""


def _weasyprint():
    # Imported on first use: WeasyPrint loads pango through cffi when imported, and a
    # machine without it must still serve every other page (and say why there is no PDF).
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise PrintingUnavailable(str(error)) from error
    return weasyprint


def pdf_from_html(html: str, *, stylesheet: str) -> bytes:
    """The PDF of this HTML styled by one static file; no URL is ever fetched.

    The HTML holds what patients typed (escaped by the template), so the fetcher allows no
    protocol at all: an answer can never make the server request a file or a URL.
    """
    weasyprint = _weasyprint()
    css = Path(finders.find(stylesheet)).read_text(encoding="utf-8")
    no_fetching = weasyprint.urls.URLFetcher(allowed_protocols=())
    document = weasyprint.HTML(string=html, url_fetcher=no_fetching)
    return document.write_pdf(stylesheets=[weasyprint.CSS(string=css, url_fetcher=no_fetching)])
