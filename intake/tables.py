"""The staff queue as a sortable, paginated table (django-tables2)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from clinic.core.formats import human_phone

from .models import AWAITING_REVIEW
from .screening import Triage

BADGE = {"red": "text-bg-danger", "amber": "text-bg-warning", "green": "text-bg-success"}


def triage_badge(triage: str) -> str:
    if not triage:
        return format_html('<span class="text-body-secondary">Not screened</span>')
    level = Triage(triage)
    # Colour is never the only signal: an icon and words say the same thing.
    return format_html(
        '<span class="badge triage-badge {}"><i class="bi {}" aria-hidden="true"></i> {}</span>',
        BADGE[level.colour],
        level.icon,
        level.label,
    )


def _sort(*fields: str) -> tuple[str, ...]:
    # pk last: many rows share a sort value, and without a unique tie-breaker the database
    # may order them differently per page, skipping or repeating rows across pages.
    return (*fields, "pk")


class IntakeTable(tables.Table):
    triage = tables.Column(
        verbose_name="Triage", order_by=_sort("triage_rank", "submitted_at"), empty_values=()
    )
    patient = tables.Column(
        verbose_name="Patient", order_by=_sort("patient__last_name", "patient__first_name")
    )
    email = tables.Column(
        accessor="patient__email", verbose_name="Email", order_by=_sort("patient__email")
    )
    phone = tables.Column(verbose_name="Phone", order_by=_sort("phone"))
    status = tables.Column(verbose_name="Status", order_by=_sort("status"))
    submitted_at = tables.DateTimeColumn(
        verbose_name="Submitted", format="M j, Y", order_by=_sort("submitted_at")
    )
    assigned_to = tables.Column(
        verbose_name="Clinician",
        default="—",
        order_by=_sort("assigned_to__last_name", "assigned_to__first_name"),
    )
    open_stop_count = tables.Column(
        verbose_name="Open stop flags", default=0, order_by=_sort("open_stop_count")
    )
    mme_band = tables.Column(verbose_name="MME/day band", default="—", order_by=_sort("mme_band"))
    phq9_band = tables.Column(verbose_name="PHQ-9", default="—", order_by=_sort("phq9_band"))

    def render_phone(self, value):
        return human_phone(value)

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        template_name = "django_tables2/bootstrap5-responsive.html"
        order_by = ("triage",)
        per_page = 25
        empty_text = "No intakes match these filters."

    def render_triage(self, record):
        # The stored code: the column's value is the choice's label (Intake.triage has choices).
        return triage_badge(record.triage)

    def render_patient(self, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("staff:intake", args=[record.pk]), record.patient
        )

    def render_status(self, record):
        if record.resubmitted_at and record.status in AWAITING_REVIEW:
            # Not clinical: coordinators may see that the patient sent more information.
            return format_html(
                '{} <span class="badge text-bg-info resubmitted">'
                '<i class="bi bi-arrow-repeat" aria-hidden="true"></i> Resubmitted</span>',
                record.get_status_display(),
            )
        return record.get_status_display()


CLINICAL_COLUMNS = ("triage", "open_stop_count", "mme_band", "phq9_band")


def table_for(user, queryset, **kwargs) -> IntakeTable:
    clinical = user.has_perm("accounts.view_clinical_answers")
    exclude = () if clinical else CLINICAL_COLUMNS
    order = "triage" if clinical else "submitted_at"
    return IntakeTable(queryset, exclude=exclude, order_by=order, **kwargs)
