"""CSV that spreadsheets open as text: no cell is ever run as a formula."""

import csv

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice
# and Google Sheets; OWASP's advice is to prefix it with a single quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class SafeWriter:
    """csv.writer whose every cell goes through `safe_cell`."""

    def __init__(self, stream):
        self._writer = csv.writer(stream)

    def writerow(self, row) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])
