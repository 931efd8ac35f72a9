from django.db import migrations

from hub.records.operations import DropPatternIndexes


class Migration(migrations.Migration):
    dependencies = [
        ("population", "0002_history_ids_bigint"),
    ]

    operations = [
        DropPatternIndexes("person", ["id_number"]),
        DropPatternIndexes("historicalperson", ["id_number", "batch"]),
    ]
