import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("programme", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="SubmissionToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
            ],
        ),
    ]
