from django.db import migrations


def lz4_checklists(apps, schema_editor):
    # Checklists are the bulk of a work order (~1 KB); lz4 compresses them at a fraction of
    # pglz's cost when generation writes ~440,000 at once. PostgreSQL 14+ built with lz4
    # only; anywhere else the default stays.
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
                       "AND 'lz4' = ANY(enumvals)")
        if cursor.fetchone():
            cursor.execute("ALTER TABLE maintenance_workorder "
                           "ALTER COLUMN checklist SET COMPRESSION lz4")


class Migration(migrations.Migration):
    dependencies = [("maintenance", "0001_initial")]
    operations = [migrations.RunPython(lz4_checklists, migrations.RunPython.noop)]
