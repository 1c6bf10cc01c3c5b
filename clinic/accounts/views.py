from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_POST

from . import services
from .access import require
from .forms import (
    EmailLoginForm,
    OutboxPasswordResetForm,
    PatientSignupForm,
    StaffAccountForm,
)
from .models import User
from .tokens import email_verification_token

login_view = auth_views.LoginView.as_view(
    authentication_form=EmailLoginForm, redirect_authenticated_user=True
)
logout_view = auth_views.LogoutView.as_view()


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = PatientSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.register_patient(
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            f"Welcome, {user.first_name}. We sent a link to {user.email}: open it to confirm "
            "your email address. You can start your intake now.",
        )
        return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})


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
    messages.success(request, "Thank you: your email address is confirmed.")
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
        user = services.create_staff_account(**form.cleaned_data)
        messages.success(
            request, f"Account created for {user}. We emailed them a link to set a password."
        )
        return redirect("accounts:admin_home")
    staff = User.objects.staff_members().prefetch_related("groups")
    return render(request, "accounts/admin_home.html", {"form": form, "staff": staff})


@require("manage_staff")
@require_POST
def staff_set_active(request, pk):
    user = get_object_or_404(User.objects.staff_members(), pk=pk)
    if user == request.user:
        messages.error(request, "You cannot deactivate your own account.")
    else:
        active = request.POST.get("active") == "1"
        services.set_active(user=user, active=active)
        messages.success(request, f"{user} is now {'active' if active else 'deactivated'}.")
    return redirect("accounts:admin_home")


password_reset = auth_views.PasswordResetView.as_view(
    form_class=OutboxPasswordResetForm,
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view()
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    success_url=reverse_lazy("accounts:password_reset_complete")
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view()
