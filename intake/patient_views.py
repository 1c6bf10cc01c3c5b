"""The staff patient page: contact details (editable by the front desk), appointments,
messages sent, intakes and documents, each part shown as the reader's role allows.

Front-desk parts (contact, appointments, messages, intake status, document kinds) are for
every staff role; clinical parts (triage, opening clinical documents) for clinicians.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from clinic.accounts import contact
from clinic.accounts.access import require
from clinic.accounts.forms import ContactDetailsForm
from clinic.accounts.models import User
from clinic.accounts.roles import Role
from clinic.audit import reads
from clinic.documents import services as documents
from clinic.notifications import kinds
from clinic.notifications.models import Message
from consultations import chart_data
from consultations.models import ACTIVE_STATUSES, Appointment

from .models import Intake
from .tables import triage_badge

# Helper appt-actions' buttons (move, cancel, no-show, undo) once they exist; plain links
# until then.
ACTIONS_TEMPLATE = "consultations/staff/_appointment_actions.html"


def _actions_template() -> str | None:
    try:
        get_template(ACTIONS_TEMPLATE)
    except TemplateDoesNotExist:
        return None
    return ACTIONS_TEMPLATE


def _patient(pk) -> User:
    return get_object_or_404(User.objects.with_role(Role.PATIENT), pk=pk)


def may_edit_contact(user) -> bool:
    return user.has_perm("accounts.view_contact_details") and user.has_perm(
        "accounts.manage_bookings"
    )


def _context(request, patient, form):
    clinical = request.user.has_perm("accounts.view_clinical_answers")
    now = timezone.now()
    appointments = list(
        Appointment.objects.filter(patient=patient)
        .select_related(
            "provider", "appointment_type", "location", "patient", "outcome", "infusion_record"
        )
        .order_by("-start", "-pk")[:50]
    )
    intakes = list(Intake.objects.filter(patient=patient).select_related("assigned_to"))
    sent = Message.objects.filter(recipient=patient).order_by("-created_at", "-pk")[:30]
    back = reverse("staff:patient", args=[patient.pk])
    return {
        "patient": patient,
        "clinical": clinical,
        "form": form,
        "can_edit": may_edit_contact(request.user),
        "upcoming": [a for a in reversed(appointments) if a.end >= now],
        "past": [a for a in appointments if a.end < now],
        "active_statuses": ACTIVE_STATUSES,
        "actions_template": _actions_template(),
        "intakes": [(i, triage_badge(i.triage) if clinical else None) for i in intakes],
        "sent": [(m, kinds.label(m.kind)) for m in sent],
        "documents_panel": documents.panel(user=request.user, patient=patient, back=back),
        # Scores are clinical: coordinators and clinic admins never get the chart.
        "chart": chart_data.patient_chart(patient) if clinical else None,
    }


@require("view_staff_dashboard")
def patient_page(request, pk):
    patient = _patient(pk)
    form = ContactDetailsForm(initial=contact.contact_values(patient))
    reads.viewed(request, patient)
    return render(request, "staff/patient.html", _context(request, patient, form))


@require("manage_bookings")
def edit_contact(request, pk):
    patient = _patient(pk)
    if not may_edit_contact(request.user) or request.method != "POST":
        return redirect("staff:patient", pk=patient.pk)
    form = ContactDetailsForm(request.POST)
    if form.is_valid():
        try:
            changes = contact.update_contact_details(
                patient=patient, actor=request.user, **form.cleaned_data
            )
        except contact.ContactChangeRefused as refused:
            for field, message in refused.errors.items():
                form.add_error(field, message)
        else:
            messages.success(request, _saved_message(changes))
            return redirect("staff:patient", pk=patient.pk)
    reads.viewed(request, patient)
    context = _context(request, patient, form)
    return render(request, "staff/patient.html", context, status=400)


def _saved_message(changes: dict) -> str:
    if not changes:
        return "Nothing changed."
    if "email" in changes:
        return (
            "Contact details saved. A confirmation link went to the new address; failed "
            "messages can now be sent again from the message log."
        )
    return "Contact details saved."
