from django.db import migrations

from hub.records.operations import DropPatternIndexes


class Migration(migrations.Migration):
    dependencies = [
        ("geodata", "0002_history_ids_bigint"),
    ]

    operations = [
        DropPatternIndexes("historicaladdress", ["batch"]),
        DropPatternIndexes("historicaldivision", ["batch"]),
        DropPatternIndexes("historicalparcel", ["batch"]),
        DropPatternIndexes("historicalplacename", ["batch"]),
        DropPatternIndexes("historicalresourceunit", ["batch"]),
    ]
