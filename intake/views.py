from django.shortcuts import render

from clinic.accounts.access import require


@require("use_patient_portal")
def portal(request):
    return render(request, "intake/portal.html")
