from django.db import migrations

CONSENT_V1 = """Ketamine infusions. Ketamine is a medicine used in anaesthesia. In low doses, given slowly into a vein (usually over 40 to 60 minutes) while you are monitored, it is used for some kinds of long-lasting pain. It is not a cure, it does not help everyone, and the clinic cannot promise how much, or for how long, it will help.

Side effects. Common effects during or soon after an infusion include feeling detached, dreamlike or having hallucinations; a rise in blood pressure or heart rate; nausea or vomiting; dizziness or blurred vision; and short-lived problems with thinking or memory. Staff monitor you throughout. Bladder problems are rare and linked to long-term misuse.

No driving. You must not drive, cycle, operate machinery or make important decisions for 24 hours after each infusion. An adult must take you home.

Honest answers. Your answers to this questionnaire are used to decide whether ketamine may be safe and suitable for you. Please answer as fully and honestly as you can, and tell us if anything changes.

Privacy. Your answers are confidential health information. Only the clinic's staff who need them can see them, they are stored securely, and they are shared only as the law allows or with your permission. Reminders we send by email or text contain only your name, a time and a link, never clinical details.

Submitting this questionnaire asks the clinic to review whether you may be a candidate. It is not consent to treatment: that is discussed and signed at your consultation."""


def create(apps, schema_editor):
    ConsentText = apps.get_model("intake", "ConsentText")
    if not ConsentText.objects.exists():
        ConsentText.objects.create(version=1, body=CONSENT_V1)


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
