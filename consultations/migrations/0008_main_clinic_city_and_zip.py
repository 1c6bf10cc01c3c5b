"""The default clinic address gains its city and ZIP (emails, `.ics` and pages print it)."""

from django.db import migrations

OLD = "100 Main Street, Suite 200"
NEW = "100 Main Street, Suite 200, Springfield, MA 01103"


def forwards(apps, schema_editor):
    apps.get_model("consultations", "Location").objects.filter(address=OLD).update(address=NEW)


def backwards(apps, schema_editor):
    apps.get_model("consultations", "Location").objects.filter(address=NEW).update(address=OLD)


class Migration(migrations.Migration):
    dependencies = [("consultations", "0007_booking_rules")]
    operations = [migrations.RunPython(forwards, backwards)]
