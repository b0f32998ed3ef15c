import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0007_typographic_apostrophes_in_labels"),
        ("prospects", "0007_exchange_organisation"),
    ]

    operations = [
        migrations.AlterField(
            model_name="exchange",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="exchanges",
                to="programme.organisation",
                verbose_name="structure",
            ),
        ),
        migrations.AddIndex(
            model_name="exchange",
            index=models.Index(fields=["prospect", "-date"], name="prospects_e_prospec_b78c28_idx"),
        ),
        migrations.AddIndex(
            model_name="exchange",
            index=models.Index(fields=["organisation", "-date"], name="prospects_e_organis_4b8232_idx"),
        ),
        migrations.AddIndex(
            model_name="exchange",
            index=models.Index(
                condition=models.Q(("next_action_done_on__isnull", True), ("next_action_date__isnull", False)),
                fields=["owner", "next_action_date"],
                name="exchange_open_next_action",
            ),
        ),
    ]
