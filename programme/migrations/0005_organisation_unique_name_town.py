from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("programme", "0004_organisation_confirm_existing_namesakes")]

    operations = [
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("distinct_confirmed", False), models.Q(("normalised_name", ""), _negated=True)),
                fields=("normalised_name", "normalised_town"),
                name="unique_organisation_name_town",
            ),
        ),
    ]
