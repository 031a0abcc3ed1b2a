"""Drop the single-column indexes of AuditEvent.object_type and .object_id: lookups use
both, through the (object_type, object_id) index. Dropped by name (with PostgreSQL's
`_like` twins for text): Django's AlterField would copy the whole table on SQLite."""

from django.db import migrations, models

INDEXES = {
    "core_auditevent_object_id_096dfe0c": "object_id",
    "core_auditevent_object_type_e0bee35e": "object_type",
}


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='auditevent',
                    name='object_id',
                    field=models.CharField(max_length=40),
                ),
                migrations.AlterField(
                    model_name='auditevent',
                    name='object_type',
                    field=models.CharField(max_length=60),
                ),
            ],
            database_operations=[migrations.RunSQL(
                [f'DROP INDEX IF EXISTS "{name}{suffix}"' for name in INDEXES
                 for suffix in ("", "_like")],
                reverse_sql=[f'CREATE INDEX IF NOT EXISTS "{name}" ON "core_auditevent" '
                             f'("{column}")' for name, column in INDEXES.items()],
            )],
        ),
    ]
