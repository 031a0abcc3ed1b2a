# Written by hand: the invoice run links ~300,000 sessions a month to their invoice lines,
# and makes each of those UPDATEs a HOT (heap-only) update on PostgreSQL: no database
# constraint on invoiced_line (its deferred check cost ~1.4 s at COMMIT), an index
# condition that does not name invoiced_line, and free room on every page (fillfactor) for
# the new row version next to the old one.

import django.db.models.deletion
from django.db import migrations, models

#: Percent of each heap page filled by inserts; the rest stays free for the link's new
#: row version. A month has ~15 % overage/billable sessions; 20 % leaves headroom.
FILLFACTOR = 80


def _fillfactor(apps, schema_editor):
    # PostgreSQL only: SQLite has no such storage parameter (nor HOT updates).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE billing_worksession SET (fillfactor = {FILLFACTOR})")


def _reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE billing_worksession RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0004_worksession_work_order'),
    ]

    operations = [
        migrations.AlterField(
            model_name='worksession',
            name='invoiced_line',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sessions', to='billing.invoiceline'),
        ),
        migrations.RemoveIndex(
            model_name='worksession',
            name='billing_ws_unbilled',
        ),
        migrations.AddIndex(
            model_name='worksession',
            index=models.Index(condition=models.Q(('classification__in', ['overage', 'billable'])), fields=['agreement', 'period_start'], name='billing_ws_chargeable'),
        ),
        migrations.RunPython(_fillfactor, _reset_fillfactor, elidable=False),
    ]
