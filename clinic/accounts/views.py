import time

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_POST

from . import access, services, two_factor
from .access import require
from .forms import (
    EmailLoginForm,
    OutboxPasswordResetForm,
    PatientSignupForm,
    ReasonForm,
    StaffAccountForm,
    StaffRoleForm,
)
from .middleware import LOGIN_TIME_SESSION_KEY
from .models import User
from .tokens import email_verification_token

_password_login = auth_views.LoginView.as_view(
    authentication_form=EmailLoginForm, redirect_authenticated_user=True
)
_logout = auth_views.LogoutView.as_view()


def login_view(request):
    """Password first (axes counts failures); the second factor is asked for next."""
    if request.method == "POST" and access.too_many_failures_from(request):
        return render(request, "accounts/locked_out.html", status=429)
    response = _password_login(request)
    if request.method == "POST" and request.user.is_authenticated:
        request.session[LOGIN_TIME_SESSION_KEY] = int(time.time())
        if two_factor.has_app(request.user):
            request.session[two_factor.OPTED_IN_SESSION_KEY] = True
    return response


def logout_view(request):
    response = _logout(request)
    if request.method == "POST":
        # Typing the intake kept on this device (localStorage) goes with the session.
        response["Clear-Site-Data"] = '"storage"'
    return response


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = PatientSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # A new address and one that already has an account end on the same page; the
        # owner of an existing account is told by email instead.
        services.register_patient(
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            time_zone=data["time_zone"],
        )
        request.session["signup_email"] = data["email"]
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


def signup_done(request):
    email = request.session.get("signup_email", "")
    return render(request, "accounts/signup_done.html", {"email": email})


def verify_email(request, uidb64, token):
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is not None and user.email_verified:
        messages.info(request, "Your email address is already confirmed.")
        return redirect("home")
    if user is None or not email_verification_token.check_token(user, token):
        return render(request, "accounts/verify_failed.html", status=400)
    services.verify_email(user=user)
    messages.success(
        request, "Thank you: your email address is confirmed. Log in to start your intake."
    )
    return redirect("home")


@require("use_patient_portal")
@require_POST
def resend_verification(request):
    if not request.user.email_verified:
        services.send_verification_email(user=request.user)
        messages.success(request, f"We sent a new link to {request.user.email}.")
    return redirect("home")


@require("manage_staff")
def admin_home(request):
    form = StaffAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.create_staff_account(
            **form.cleaned_data, actor=request.user, request=request
        )
        messages.success(
            request, f"Account created for {user}. We emailed them a link to set a password."
        )
        return redirect("accounts:admin_home")
    staff = User.objects.staff_members().prefetch_related("groups")
    return render(request, "accounts/admin_home.html", {"form": form, "staff": staff})


@require("manage_staff")
@require_POST
def staff_set_active(request, pk):
    user = _staff_member(pk)
    if user == request.user:
        messages.error(request, "You cannot deactivate your own account.")
    else:
        active = request.POST.get("active") == "1"
        services.set_active(user=user, active=active)
        messages.success(request, f"{user} is now {'active' if active else 'deactivated'}.")
    return redirect("accounts:admin_home")


def _staff_member(pk):
    return get_object_or_404(User.objects.staff_members(), pk=pk)


@require("manage_staff")
def staff_detail(request, pk):
    member = _staff_member(pk)
    role_form = StaffRoleForm(initial={"role": member.role})
    return render(
        request,
        "accounts/staff_detail.html",
        {"member": member, "role_form": role_form, "reason_form": ReasonForm(prefix="reset")},
    )


@require("manage_staff")
@require_POST
def staff_set_role(request, pk):
    member = _staff_member(pk)
    form = StaffRoleForm(request.POST)
    if not form.is_valid():
        context = {"member": member, "role_form": form, "reason_form": ReasonForm(prefix="reset")}
        return render(request, "accounts/staff_detail.html", context, status=400)
    try:
        services.change_staff_role(
            actor=request.user, user=member, request=request, **form.cleaned_data
        )
    except services.StaffChangeRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"{member} is now {member.role.label.lower()}.")
    return redirect("accounts:staff_detail", pk=member.pk)


@require("manage_staff")
@require_POST
def staff_reset_second_factor(request, pk):
    member = _staff_member(pk)
    form = ReasonForm(request.POST, prefix="reset")
    if not form.is_valid():
        messages.error(request, "Say why the second step is reset (for example: lost phone).")
    elif member == request.user:
        messages.error(request, "Ask another clinic admin to reset your own second step.")
    else:
        services.reset_second_factor(
            actor=request.user, user=member, reason=form.cleaned_data["reason"], request=request
        )
        messages.success(request, f"{member} will set up a new authenticator at their next login.")
    return redirect("accounts:staff_detail", pk=member.pk)


@require("manage_staff")
@require_POST
def staff_send_password_link(request, pk):
    member = _staff_member(pk)
    services.send_set_password_link(user=member)
    messages.success(request, f"We emailed {member} a link to choose a new password.")
    return redirect("accounts:staff_detail", pk=member.pk)


password_reset = auth_views.PasswordResetView.as_view(
    form_class=OutboxPasswordResetForm,
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view()
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    success_url=reverse_lazy("accounts:password_reset_complete")
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view()
