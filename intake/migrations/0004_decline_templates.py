from django.db import migrations

TEMPLATES = [
    (
        "Not a suitable treatment at this time",
        "Thank you for taking the time to complete your intake. After a careful review, our "
        "clinicians do not think ketamine infusions are the right treatment for you at this "
        "time. This is not a judgement about your pain, which we know is real. Please keep "
        "working with your own doctor, who can contact us if anything changes.",
    ),
    (
        "Needs care elsewhere first",
        "Thank you for completing your intake. Our clinicians think some of your health needs "
        "should be looked after by another service before ketamine could be considered. Your "
        "own doctor is the best person to talk to next, and you are welcome to contact us again "
        "later.",
    ),
    (
        "Unable to provide safe transport",
        "Thank you for completing your intake. For your safety, every infusion needs someone to "
        "drive you home, and we were not able to arrange this with you. If that changes, please "
        "contact us and we will gladly look at your request again.",
    ),
]


def create(apps, schema_editor):
    DeclineTemplate = apps.get_model("intake", "DeclineTemplate")
    if DeclineTemplate.objects.exists():
        return
    for position, (title, message) in enumerate(TEMPLATES):
        DeclineTemplate.objects.create(title=title, patient_message=message, position=position)


class Migration(migrations.Migration):
    dependencies = [("intake", "0003_declinetemplate_intake_assigned_to_and_more")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
