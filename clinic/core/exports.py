"""CSV downloads: one writer for every export, so no cell runs as a spreadsheet formula."""

import csv
from collections.abc import Iterable

from django.http import HttpResponse

# Spreadsheets treat a cell starting with one of these as a formula (or, for tab and CR,
# strip them and then look again): =HYPERLINK(...), +cmd|..., -2+3, @SUM(...).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell as text, with a leading apostrophe when it would start a formula (OWASP)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> HttpResponse:
    """A CSV attachment whose every cell went through safe_cell."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return response
