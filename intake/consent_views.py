"""The patient re-signs the clinic's consent after a new version is published, before their
next booking (consultations' booking pages send them here and are sent back)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from clinic.accounts.access import require
from clinic.core.redirects import safe_next

from . import services
from .models import ConsentText


class ResignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    agree = forms.BooleanField(
        label="I have read this consent information and I agree to it.",
        error_messages={"required": "Tick the box to say you agree."},
    )
    signed_name = forms.CharField(
        max_length=200,
        label="Type your full name to sign",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Type your full name to sign."},
    )


@require("use_patient_portal")
def resign(request):
    back = safe_next(request, reverse("consultations:book"))
    current = services.needs_consent_resign(request.user)
    if current is None:
        return redirect(back)
    form = ResignForm(request.POST or None, initial={"version": current.version})
    if request.method == "POST" and form.is_valid():
        posted = ConsentText.objects.filter(version=form.cleaned_data["version"]).first()
        try:
            services.resign_consent(
                patient=request.user,
                consent_text=posted or current,
                signed_name=form.cleaned_data["signed_name"],
                ip=request.META.get("REMOTE_ADDR"),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except services.ConsentNotSigned as error:
            messages.error(request, str(error) + " Please read it again below.")
            form = ResignForm(initial={"version": current.version})
        else:
            messages.success(request, "Thank you — your consent is signed. You can book now.")
            return redirect(back)
    return render(
        request,
        "intake/consent_resign.html",
        {"consent": current, "form": form, "next": back},
    )
