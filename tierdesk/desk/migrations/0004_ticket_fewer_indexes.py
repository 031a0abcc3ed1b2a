"""Drop the single-column indexes of Ticket.client, .assignee and .plan_version (see the
model). The indexes are dropped by name: Django's AlterField would copy the whole ticket
table on SQLite to drop an index."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = {
    "desk_ticket_assignee_id_2ceb07a1": "assignee_id",
    "desk_ticket_client_id_0efde62f": "client_id",
    "desk_ticket_plan_version_id_82b32b6b": "plan_version_id",
}


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0004_client_business_hours'),
        ('desk', '0003_outsourcing'),
        ('plans', '0002_travel_billing_approval_threshold'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='ticket',
                    name='assignee',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_tickets', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='ticket',
                    name='client',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='tickets', to='clients.client'),
                ),
                migrations.AlterField(
                    model_name='ticket',
                    name='plan_version',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='plans.planversion'),
                ),
            ],
            database_operations=[migrations.RunSQL(
                [f'DROP INDEX IF EXISTS "{name}"' for name in INDEXES],
                reverse_sql=[f'CREATE INDEX IF NOT EXISTS "{name}" ON "desk_ticket" ("{column}")'
                             for name, column in INDEXES.items()],
            )],
        ),
    ]
