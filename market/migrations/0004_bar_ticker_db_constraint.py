"""Restore the database FK of ``DailyBar.ticker`` (0003 removed it for bulk-load speed).

Bulk first loads now drop and re-add it inside their transaction instead (market.ingest.writers).
Bars whose ticker row is gone (possible while there was no constraint: a raw-SQL delete) are deleted
first, with their revisions — what Django's ``on_delete=CASCADE`` would have done — otherwise adding
the constraint would fail on them.
"""

import django.db.models.deletion
from django.db import migrations, models

ORPHANS = (
    "SELECT b.id FROM market_dailybar b "
    "WHERE NOT EXISTS (SELECT 1 FROM market_ticker t WHERE t.id = b.ticker_id)"
)


def delete_orphan_bars(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM market_barrevision WHERE bar_id IN ({ORPHANS})")
        cursor.execute(f"DELETE FROM market_dailybar WHERE id IN ({ORPHANS})")
        if cursor.rowcount and schema_editor.connection.vendor == "postgresql":
            # The deletes queued deferred checks of BarRevision's FK on the bars table; PostgreSQL
            # refuses to ALTER a table with pending trigger events, so run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0003_bar_ticker_without_db_constraint"),
    ]

    operations = [
        migrations.RunPython(delete_orphan_bars, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="dailybar",
            name="ticker",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="bars",
                to="market.ticker",
            ),
        ),
    ]
