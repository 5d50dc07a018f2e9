import django.db.models.deletion
from django.db import migrations, models

import korpu.core.fields


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Secret",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("name", korpu.core.fields.EncryptedTextField(blank=True, default="")),
                ("born", korpu.core.fields.EncryptedDateField(blank=True, default="", null=True)),
                ("name_index", korpu.core.fields.BlindIndexField(blank=True, db_index=True, default="",
                                                                 editable=False, max_length=40)),
                ("data_key", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                               to="core.datakey")),
            ],
        ),
    ]
