from django.shortcuts import render

from clinic.accounts.access import require


@require("view_staff_dashboard")
def dashboard(request):
    return render(request, "staff/dashboard.html")
