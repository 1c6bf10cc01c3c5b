from django.urls import path

from . import two_factor_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("two-step/", two_factor_views.second_factor, name="second_factor"),
    path("two-step/setup/", two_factor_views.second_factor_setup, name="second_factor_setup"),
    path("signup/", views.signup, name="signup"),
    path("signup/check-your-email/", views.signup_done, name="signup_done"),
    path("verify/<uidb64>/<token>/", views.verify_email, name="verify_email"),
    path("verify/resend/", views.resend_verification, name="resend_verification"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("clinic-admin/", views.admin_home, name="admin_home"),
    path("clinic-admin/staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("clinic-admin/staff/<int:pk>/active/", views.staff_set_active, name="staff_set_active"),
    path("clinic-admin/staff/<int:pk>/role/", views.staff_set_role, name="staff_set_role"),
    path(
        "clinic-admin/staff/<int:pk>/two-step/reset/",
        views.staff_reset_second_factor,
        name="staff_reset_second_factor",
    ),
    path(
        "clinic-admin/staff/<int:pk>/password-link/",
        views.staff_send_password_link,
        name="staff_send_password_link",
    ),
]
