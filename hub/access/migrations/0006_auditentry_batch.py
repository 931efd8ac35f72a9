"""Audit rows name the ingest batch of an ingest call.

A nullable column with no default: PostgreSQL adds it without rewriting or
updating a row, so the append-only and linking triggers stay as they are,
and a row without a batch hashes exactly as before (``audit.content_digest``
hashes ``batch`` only when it is set).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("access", "0005_audit_free_lane")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="batch",
            field=models.UUIDField(blank=True, db_index=True, null=True, verbose_name="ingest batch"),
        ),
    ]
