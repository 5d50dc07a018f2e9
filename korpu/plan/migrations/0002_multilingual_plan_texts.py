from django.db import migrations


class Migration(migrations.Migration):
    """The adopting act becomes multilingual: the existing text is the Azerbaijani one."""

    dependencies = [
        ("plan", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="plan", old_name="adopting_act", new_name="adopting_act_az"),
    ]
