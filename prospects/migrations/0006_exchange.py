"""Prospect interactions become exchanges with a structure (#15): the model and its table are renamed
(every row kept), and the exchange gains its structure, contact, subject, owner, done date and sharing.
The structure is filled from each row's prospect by 0007, then required by 0008."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0007_typographic_apostrophes_in_labels"),
        ("prospects", "0005_typographic_apostrophes_in_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="interaction", name="prospects_i_prospec_eb44e8_idx"),
        migrations.RenameModel(old_name="Interaction", new_name="Exchange"),
        migrations.AlterField(
            model_name="exchange",
            name="kind",
            field=models.CharField(
                choices=[
                    ("call", "Appel"),
                    ("email", "E-mail"),
                    ("meeting", "Rendez-vous"),
                    ("visit", "Visite"),
                    ("event", "Événement"),
                    ("message", "Message"),
                ],
                max_length=10,
                verbose_name="type",
            ),
        ),
        migrations.AlterField(
            model_name="exchange",
            name="event",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="exchanges",
                to="prospects.event",
                verbose_name="événement",
            ),
        ),
        migrations.AlterField(
            model_name="exchange",
            name="prospect",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="exchanges",
                to="prospects.prospect",
                verbose_name="prospect",
            ),
        ),
        migrations.AddField(
            model_name="exchange",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="exchanges",
                to="programme.organisation",
                verbose_name="structure",
            ),
        ),
        migrations.AddField(
            model_name="exchange",
            name="contact",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="exchanges",
                to="programme.person",
                verbose_name="contact",
            ),
        ),
        migrations.AddField(
            model_name="exchange",
            name="subject",
            field=models.CharField(blank=True, max_length=255, verbose_name="objet"),
        ),
        migrations.AddField(
            model_name="exchange",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="owned_exchanges",
                to=settings.AUTH_USER_MODEL,
                verbose_name="responsable de la prochaine action",
            ),
        ),
        migrations.AddField(
            model_name="exchange",
            name="next_action_done_on",
            field=models.DateField(blank=True, null=True, verbose_name="prochaine action faite le"),
        ),
        migrations.AddField(
            model_name="exchange",
            name="shared",
            field=models.BooleanField(
                default=False,
                help_text="Les comptes partenaires de la structure voient cet échange dans leur portail.",
                verbose_name="visible par la structure",
            ),
        ),
    ]
