"""Seed the standard categories of measures (``korpu.plan.categories.STANDARD``): the four Ps and the
SDG targets 5.2, 8.7 and 16.2. Imports refer to categories by code, so they must exist on every
installation, not only in the demo. Existing rows with the same codes are kept; reversing leaves the
rows, because measures may use them."""

from django.db import migrations

from korpu.plan.categories import ensure_standard


def seed(apps, schema_editor):
    ensure_standard(apps.get_model("plan", "Category"))


class Migration(migrations.Migration):
    dependencies = [
        ("plan", "0003_plan_pages_and_explicit_publication"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
