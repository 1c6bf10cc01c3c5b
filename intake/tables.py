"""The staff queue as a sortable, paginated table: columns as data, rows in a plain loop.

The queue used django-tables2, which renders every cell through `inspect.signature` and a
template of its own: 25 rows cost about ten bare requests (issue 15). Here the view sorts
and pages the queryset, each row is turned into plain values once, and the template is a
`{% for %}` loop. The URL parameters are the ones django-tables2 used (`sort`, `page`,
`per_page`), so bookmarks and links keep working.
"""

import functools
from dataclasses import dataclass
from urllib.parse import quote_plus

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from clinic.core.formats import human_phone
from clinic.core.html import e

from .models import AWAITING_REVIEW, Intake, IntakeFlag
from .screening import Triage

BADGE = {"red": "text-bg-danger", "amber": "text-bg-warning", "green": "text-bg-success"}
PER_PAGE_DEFAULT, PER_PAGE_MIN, PER_PAGE_MAX = 25, 10, 200
# Past any real queue (a million pages of 200): a larger number from the URL shows page 1,
# as a page past the end does, instead of an OFFSET the database cannot hold.
PAGE_MAX = 1_000_000


@functools.lru_cache(maxsize=16)
def triage_badge(triage: str) -> SafeString:
    # Kept per process: a handful of values, drawn on every row of the queue.
    if not triage:
        return mark_safe('<span class="text-body-secondary">Not screened</span>')
    level = Triage(triage)
    # Colour is never the only signal: an icon and words say the same thing.
    return format_html(
        '<span class="badge triage-badge {}"><i class="bi {}" aria-hidden="true"></i> {}</span>',
        BADGE[level.colour],
        level.icon,
        level.label,
    )


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # pk is appended: many rows share a sort value, and without a unique tie-breaker the
    # database may order them differently per page, skipping or repeating rows across pages.
    order_by: tuple[str, ...]
    clinical: bool = False


COLUMNS = (
    Column("triage", "Triage", ("triage_rank", "submitted_at"), clinical=True),
    Column("patient", "Patient", ("patient__last_name", "patient__first_name")),
    Column("email", "Email", ("patient__email",)),
    Column("phone", "Phone", ("phone",)),
    Column("status", "Status", ("status",)),
    Column("submitted_at", "Submitted", ("submitted_at",)),
    Column("assigned_to", "Clinician", ("assigned_to__last_name", "assigned_to__first_name")),
    Column("open_stop_count", "Open stop flags", ("open_stop_count",), clinical=True),
    Column("mme_band", "MME/day band", ("mme_band",), clinical=True),
    Column("phq9_band", "PHQ-9", ("phq9_band",), clinical=True),
)
CLINICAL_COLUMNS = tuple(c.key for c in COLUMNS if c.clinical)
# What a row shows, and nothing else: not the answers, drafts or scores (kilobytes of JSON
# a row) and not the patient's password hash. Read as plain values, not model instances: an
# intake, its patient and its clinician built per row cost ~90 calls a row (issue 15).
# The rows are named tuples (row.patient__email).
ROW_FIELDS = (
    "pk",
    "patient_id",
    "status",
    "triage",
    "submitted_at",
    "resubmitted_at",
    "phone",
    "mme_band",
    "phq9_band",
    "patient__first_name",
    "patient__last_name",
    "patient__email",
    "assigned_to_id",
    "assigned_to__first_name",
    "assigned_to__last_name",
    "assigned_to__email",
)


@dataclass(frozen=True)
class Header:
    label: str
    href: str
    # aria-sort on the column that orders the rows: "ascending" / "descending" / "".
    sorted: str


@dataclass(frozen=True)
class PageLink:
    label: str
    href: str  # "" for a gap ("…")
    current: bool = False


@dataclass(frozen=True)
class QueueTable:
    columns: tuple[Column, ...]
    headers: tuple[Header, ...]
    page: "Page | OpenPage"
    rows: list[str]  # each row's <tr>, every value escaped
    patient_ids: frozenset[int]  # whom the page shows (the audit trail's list)
    pages: tuple[PageLink, ...]
    previous: str
    next: str
    clinical: bool
    empty_text: str = "No intakes match these filters."

    @property
    def body(self) -> SafeString:
        return mark_safe("".join(self.rows))  # noqa: S308 - rows are escaped

    @property
    def head(self) -> SafeString:
        """The header cells: each column's sort link, and an icon on the sorted one."""
        cells = []
        for h in self.headers:
            aria = f' aria-sort="{e(h.sorted)}"' if h.sorted else ""
            cells.append(
                f'<th scope="col"{aria}><a href="{e(h.href)}">{e(h.label)}</a>'
                f"{SORT_ICONS.get(h.sorted, '')}</th>"
            )
        return mark_safe("".join(cells))  # noqa: S308 - every value escaped

    @property
    def page_items(self) -> SafeString:
        """The pagination's items: previous, the page links (gaps as "…"), next."""
        previous = (
            f'<li class="previous page-item"><a href="{e(self.previous)}" class="page-link">'
            '<span aria-hidden="true">&laquo;</span> previous</a></li>'
            if self.previous
            else ""
        )
        following = (
            f'<li class="next page-item"><a href="{e(self.next)}" class="page-link">'
            'next <span aria-hidden="true">&raquo;</span></a></li>'
            if self.next
            else ""
        )
        links = "".join(f"\n      {_page_item(link)}\n    " for link in self.pages)
        return mark_safe(f"{previous}\n    {links}\n    {following}")  # noqa: S308 - escaped


SORT_ICONS = {
    "ascending": ' <i class="bi bi-sort-up" aria-hidden="true"></i>',
    "descending": ' <i class="bi bi-sort-down" aria-hidden="true"></i>',
}


def _page_item(link: PageLink) -> str:
    if link.current:
        return (
            f'<li class="page-item active"><a class="page-link" href="{e(link.href)}"'
            f' aria-current="page">{e(link.label)}</a></li>'
        )
    if link.href:
        return (
            f'<li class="page-item"><a class="page-link" href="{e(link.href)}">'
            f"{e(link.label)}</a></li>"
        )
    return f'<li class="page-item disabled"><span class="page-link">{e(link.label)}</span></li>'


def status_tabs(counts, status: str, awaiting: str, awaiting_count: int) -> SafeString:
    """The status tabs over the queue, "Awaiting review" first, the one shown marked current:
    `counts` is (status, label, count) for each; a tab's link sets the status alone."""

    def tab(value, label, count) -> str:
        active, aria = (" active", ' aria-current="page"') if status == value else ("", "")
        return (
            f'<li class="nav-item"><a class="nav-link{active}" href="?status={e(value)}"{aria}>'
            f'{e(label)} <span class="badge text-bg-light">{e(count)}</span></a></li>'
        )

    tabs = "".join(f"\n      {tab(*row)}\n    " for row in counts)
    first = tab(awaiting, "Awaiting review", awaiting_count)
    return mark_safe(f"{first}\n    {tabs}")  # noqa: S308 - every value escaped


class _Links:
    """The page's URL with some parameters changed (sort, page), its parameters encoded once:
    QueryDict.copy() and urlencode() cost ~65 calls a link, and a page has twenty. The same
    URL as `params.copy()`, the changes set, `.urlencode()`: a changed parameter keeps its
    place, a new one goes last."""

    def __init__(self, params):
        self.encoded = [(key, [_pair(key, v) for v in values]) for key, values in params.lists()]

    def url(self, **changes) -> str:
        parts = []
        for key, encoded in self.encoded:
            parts.extend([_pair(key, changes.pop(key))] if key in changes else encoded)
        parts += [_pair(key, value) for key, value in changes.items()]
        return "?" + "&".join(parts)


def _pair(key, value) -> str:
    return f"{quote_plus(key)}={quote_plus(str(value))}"


def _ordering(columns, sort: str, default: str) -> tuple[str, tuple[str, ...]]:
    """The sort the URL asks for when it names a shown column, else the default."""
    by_key = {c.key: c for c in columns}
    if sort.lstrip("-") not in by_key:
        sort = default
    descending = sort.startswith("-")
    fields = (*by_key[sort.lstrip("-")].order_by, "pk")
    return sort, tuple(f"-{f}" if descending else f for f in fields)


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _page_numbers(current: int, last: int) -> list[int | None]:
    """First, last and two either side of the current page; None marks a gap."""
    wanted = {1, last, *range(current - 2, current + 3)}
    numbers: list[int | None] = []
    for n in sorted(n for n in wanted if 1 <= n <= last):
        if numbers and n - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(n)
    return numbers


# A row's cells are written here, not by the template: the template's ten cells a row cost
# ~400 calls (variable look-ups, filters, autoescaping), 25 rows more than the rest of the
# page (issue 15). Every value from the database goes through e.
EMPTY = "—"
STATUS_LABELS = dict(Intake.Status.choices)
RESUBMITTED = (
    ' <span class="badge text-bg-info resubmitted">'
    '<i class="bi bi-arrow-repeat" aria-hidden="true"></i> Resubmitted</span>'
)
_PK = 2147483647  # stands for a row's pk in its URL: reversed once a page, not once a row


@functools.lru_cache(maxsize=1024)
def _day(day) -> str:
    # "M j, Y" as the template's date filter wrote it (English: the clinic has no other
    # language); a page shows a few days, and a format is ~60 calls.
    return e(format_date(day, "M j, Y"))


def person(first_name: str, last_name: str, email: str) -> str:
    """A user as str(user) names them (User.__str__): full name, else email."""
    return f"{first_name} {last_name}".strip() or email


def _rows(values, *, clinical: bool) -> list[str]:
    """Each intake's <tr> from its ROW_FIELDS values (named), with the clinical cells
    (triage, flags, bands) only when `clinical` (the values then carry open_stop_count)."""
    before, _pk, after = reverse("staff:intake", args=[_PK]).partition(str(_PK))
    before, after = e(before), e(after)
    rows = []
    for row in values:
        status = e(STATUS_LABELS.get(row.status, row.status))
        # Not clinical: coordinators may see that the patient sent more information.
        if row.resubmitted_at and row.status in AWAITING_REVIEW:
            status += RESUBMITTED
        submitted = row.submitted_at
        submitted = _day(timezone.localtime(submitted).date()) if submitted else EMPTY
        patient = person(row.patient__first_name, row.patient__last_name, row.patient__email)
        assigned = EMPTY
        if row.assigned_to_id is not None:
            assigned = e(
                person(
                    row.assigned_to__first_name,
                    row.assigned_to__last_name,
                    row.assigned_to__email,
                )
            )
        triage = f"<td>{triage_badge(row.triage)}</td>" if clinical else ""
        tail = ""
        if clinical:
            tail = (
                f"<td>{e(row.open_stop_count)}</td>\n"
                f"      <td>{e(row.mme_band or EMPTY)}</td>\n"
                f"      <td>{e(row.phq9_band or EMPTY)}</td>"
            )
        rows.append(
            f"\n    <tr>\n      {triage}\n"
            f'      <td><a href="{before}{row.pk:d}{after}">{e(patient)}</a></td>\n'
            f"      <td>{e(row.patient__email)}</td>\n"
            f"      <td>{e(human_phone(row.phone))}</td>\n"
            f"      <td>{status}</td>\n"
            f"      <td>{submitted}</td>\n"
            f"      <td>{assigned}</td>\n"
            f"      {tail}\n"
            "    </tr>\n    "
        )
    return rows


# Open stop flags of the row's intake: a subquery, for clinicians only (coordinators never
# see the column). A grouped COUNT over the page's pks instead makes as many calls and one
# query more. Built once: annotate() resolves a copy of it for each query.
OPEN_STOP_COUNT = Coalesce(
    Subquery(
        IntakeFlag.objects.filter(intake=OuterRef("pk"), severity="stop", cleared_at__isnull=True)
        .order_by()
        .values("intake")
        .annotate(n=Count("pk"))
        .values("n")
    ),
    Value(0),
)


class _CountedPaginator(Paginator):
    """A paginator told how many rows there are (the queue's status counts), so it does not
    COUNT them again."""

    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__["count"] = count  # Paginator.count is a cached_property


@dataclass(frozen=True)
class OpenPage:
    """A page of a search or filtered queue, whose rows are not counted: counting every
    match of a common surname at 100,000 intakes took 170 ms, ten times the page itself
    (issue 15). One row past the page says whether there is a next one."""

    number: int
    object_list: list
    more: bool

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.more


def _open_page(keys, rows_of, number: int, per_page: int) -> tuple[OpenPage, int]:
    """The page asked for (page 1 when it is past the end) and the last page known of.

    `keys` is the sorted queryset, `rows_of(ids)` the page's rows for the ids it picks. The
    ids are found first (a subquery), then the rows by id: finding them needs only the sort
    keys and what is searched, which PostgreSQL reads off one index for the queue's order
    (intake_queue_search_idx), instead of each intake it passes and its patient. One
    statement with the joins and the sort together was planned badly for a common word at
    10,000 intakes (every patient read twice, hashed: 2.9 ms against 0.9)."""
    start = (number - 1) * per_page
    try:
        # The ids' statement compiled as it stands, not as a subquery of the rows' (which
        # clones and relabels it, ~2,000 calls): its own FROM names the table, so its
        # columns (and any subquery's outer references) are its own rows.
        ids = keys.values("pk")[start : start + per_page + 1].query.sql_with_params()
    except EmptyResultSet:  # a filter nothing can match
        rows = []
    else:
        rows = list(rows_of(RawSQL(*ids)))  # noqa: S611 - the ORM's own statement
    if not rows and number > 1:
        return _open_page(keys, rows_of, 1, per_page)
    page = OpenPage(number, rows[:per_page], len(rows) > per_page)
    return page, number + 1 if page.more else number


def queue_table(user, queryset, params, *, count: int | None = None) -> QueueTable:
    """Sort and page the queue for this user (coordinators get no clinical columns).

    `count` is how many rows the queryset holds when it is known (a status tab: from the
    status counts), and the pages are numbered to the last. Without it (a search, a
    filter) nothing is counted: the page links go to the next page, not to the end."""
    clinical = user.has_perm("accounts.view_clinical_answers")
    columns = tuple(c for c in COLUMNS if clinical or not c.clinical)
    sort, order = _ordering(
        columns, params.get("sort", ""), "triage" if clinical else "submitted_at"
    )
    per_page = min(max(_int(params.get("per_page"), PER_PAGE_DEFAULT), PER_PAGE_MIN), PER_PAGE_MAX)

    def rows_of(queryset):
        if clinical:
            queryset = queryset.annotate(open_stop_count=OPEN_STOP_COUNT)
            return queryset.values_list(*ROW_FIELDS, "open_stop_count", named=True)
        return queryset.values_list(*ROW_FIELDS, named=True)

    number = _int(params.get("page"), 1)
    if not 1 <= number <= PAGE_MAX:
        number = 1
    if count is None:  # searched or filtered: pages without a count
        keys = queryset.alias(open_stop_count=OPEN_STOP_COUNT) if clinical else queryset
        intakes = queryset.model._default_manager
        page, last = _open_page(
            keys.order_by(*order),
            lambda ids: rows_of(intakes.filter(pk__in=ids)).order_by(*order),
            number,
            per_page,
        )
    else:
        paginator = _CountedPaginator(rows_of(queryset).order_by(*order), per_page, count=count)
        # An odd or past-the-end page shows page 1 rather than an error.
        page = paginator.page(number if 1 <= number <= paginator.num_pages else 1)
        last = paginator.num_pages
    links = _Links(params)
    headers = tuple(
        Header(
            label=c.label,
            href=links.url(sort=c.key if sort != c.key else f"-{c.key}", page=1),
            sorted={c.key: "ascending", f"-{c.key}": "descending"}.get(sort, ""),
        )
        for c in columns
    )
    pages = tuple(
        PageLink("…", "") if n is None else PageLink(str(n), links.url(page=n), n == page.number)
        for n in _page_numbers(page.number, last)
    )
    return QueueTable(
        columns=columns,
        headers=headers,
        page=page,
        rows=_rows(page.object_list, clinical=clinical),
        patient_ids=frozenset(row.patient_id for row in page.object_list),
        pages=pages if last > 1 else (),
        previous=links.url(page=page.number - 1) if page.has_previous() else "",
        next=links.url(page=page.number + 1) if page.has_next() else "",
        clinical=clinical,
    )
