from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("programme", "0002_submissiontoken")]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="distinct_confirmed",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="autre structure du même nom confirmée"
            ),
        ),
    ]
