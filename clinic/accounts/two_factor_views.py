"""The second step of logging in: enrol an authenticator app, or enter its code."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url

from clinic.core.redirects import safe_next

from . import two_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


def _next(request) -> str:
    return safe_next(request, resolve_url(settings.LOGIN_REDIRECT_URL))


@login_required
def second_factor(request):
    """Every login of someone with an authenticator: a code from it or a recovery code."""
    if request.user.is_verified():
        return redirect(_next(request))
    if not two_factor.has_app(request.user):
        return redirect("accounts:second_factor_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify(request=request, code=form.cleaned_data["code"]):
            return redirect(_next(request))
        form.add_error("code", "That code is not right, or it was already used. Try the next one.")
    context = {"form": form, "next": _next(request)}
    return render(request, "two_factor/verify.html", context, status=400 if form.errors else 200)


@login_required
def second_factor_setup(request):
    """First login of staff (or a patient turning it on): scan, confirm, keep the codes."""
    if two_factor.has_app(request.user) and not request.user.is_verified():
        return redirect("accounts:second_factor")
    device = two_factor.pending_app(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_app(
            request=request, device=device, code=form.cleaned_data["code"]
        )
        if codes is not None:
            messages.success(request, "Two-step login is on for your account.")
            # Shown in this response only; they are never displayed again.
            context = {"codes": codes, "next": _next(request)}
            return render(request, "two_factor/recovery_codes.html", context)
        form.add_error(
            "code", "That code is not right. Check the time on your phone and try again."
        )
    context = {
        "form": form,
        "secret": two_factor.secret_of(device),
        "qr": two_factor.qr_svg(device),
        "next": _next(request),
        "replacing": two_factor.has_app(request.user),
    }
    return render(request, "two_factor/setup.html", context, status=400 if form.errors else 200)
