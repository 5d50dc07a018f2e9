"""Contact people's name, position, phone and e-mail move to encrypted fields (each contact gets its own
data key; rows written in clear before are sealed here); new campaigns start unpublished; meeting
attachments (agenda papers, minutes as files), stored sealed."""

import django.db.models.deletion
import django.utils.timezone
import korpu.core.fields
from django.conf import settings
from django.db import migrations, models

FIELDS = ("name", "title", "phone", "email")
TABLE = "engagement_contactperson"


def seal_existing_contacts(apps, schema_editor):
    """Seal the contact people written in clear before this migration, each under a new data key."""
    from korpu.core import crypto
    from korpu.core.models import DataKey

    connection = schema_editor.connection
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(quote(f) for f in FIELDS)} FROM {quote(TABLE)}")
        rows = cursor.fetchall()
    for row_id, *values in rows:
        key = DataKey.create()
        sealed = [crypto.seal(value, key_uuid=key.pk, context=f"engagement.ContactPerson.{field}", data_key=key)
                  if value else "" for field, value in zip(FIELDS, values, strict=True)]
        assignments = ", ".join(f"{quote(f)} = %s" for f in FIELDS)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {quote(TABLE)} SET {assignments}, {quote('data_key_id')} = %s WHERE id = %s",
                           [*sealed, key.pk.hex if connection.vendor == "sqlite" else key.pk, row_id])


def open_contacts(apps, schema_editor):
    """Going back: write the contact people in clear again."""
    from korpu.core import crypto

    connection = schema_editor.connection
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(quote(f) for f in FIELDS)} FROM {quote(TABLE)}")
        rows = cursor.fetchall()
    for row_id, *values in rows:
        plain = [crypto.open_sealed(value, context=f"engagement.ContactPerson.{field}") if value else ""
                 for field, value in zip(FIELDS, values, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {quote(TABLE)} SET {', '.join(f'{quote(f)} = %s' for f in FIELDS)} WHERE id = %s",
                           [*plain, row_id])


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_alter_auditevent_actor'),
        ('engagement', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='contactperson',
            options={'ordering': ['id']},
        ),
        migrations.AddField(
            model_name='contactperson',
            name='data_key',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.datakey'),
        ),
        migrations.AlterField(
            model_name='campaign',
            name='is_public',
            field=models.BooleanField(default=False, verbose_name='public'),
        ),
        migrations.AlterField(
            model_name='contactperson',
            name='email',
            field=korpu.core.fields.EncryptedTextField(blank=True, default='', verbose_name='e-mail'),
        ),
        migrations.AlterField(
            model_name='contactperson',
            name='name',
            field=korpu.core.fields.EncryptedTextField(blank=True, default='', verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='contactperson',
            name='phone',
            field=korpu.core.fields.EncryptedTextField(blank=True, default='', verbose_name='phone'),
        ),
        migrations.AlterField(
            model_name='contactperson',
            name='title',
            field=korpu.core.fields.EncryptedTextField(blank=True, default='', verbose_name='position'),
        ),
        migrations.RunPython(seal_existing_contacts, open_contacts),
        migrations.AlterField(
            model_name='contactperson',
            name='data_key',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.datakey'),
        ),
        migrations.CreateModel(
            name='MeetingAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('agenda', 'Agenda papers'), ('minutes', 'Minutes'), ('other', 'Other document')], default='other', max_length=10, verbose_name='kind')),
                ('title', models.CharField(blank=True, max_length=300, verbose_name='title')),
                ('filename', models.CharField(max_length=130, verbose_name='file name')),
                ('content_type', models.CharField(max_length=100)),
                ('size', models.PositiveIntegerField()),
                ('storage_name', models.CharField(max_length=100, unique=True)),
                ('is_public', models.BooleanField(default=False, verbose_name='public')),
                ('uploaded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('data_key', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.datakey')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='engagement.meeting')),
                ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['kind', 'uploaded_at', 'id'],
            },
        ),
    ]
