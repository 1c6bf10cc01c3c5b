"""Paging for the staff tables (django-tables2), shared by every list."""

from django.core.paginator import EmptyPage, PageNotAnInteger


def paginate(table, request, *, default: int) -> None:
    """Page size from the URL, kept within 10–200; an odd or past-the-end page shows page 1
    rather than an error."""
    try:
        per_page = min(max(int(request.GET.get("per_page", default)), 10), 200)
    except ValueError:
        per_page = default
    try:
        table.paginate(page=request.GET.get("page", 1), per_page=per_page)
    except (EmptyPage, PageNotAnInteger):
        table.paginate(page=1, per_page=per_page)
