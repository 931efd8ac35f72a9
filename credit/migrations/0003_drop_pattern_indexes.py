from django.db import migrations

from hub.records.operations import DropPatternIndexes


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0002_history_ids_bigint"),
    ]

    operations = [
        DropPatternIndexes("historicalcreditrecord", ["batch"]),
        DropPatternIndexes("historicalcreditsummary", ["batch"]),
        DropPatternIndexes("historicallegalentity", ["batch"]),
    ]
