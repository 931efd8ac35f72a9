from django.db import migrations

from hub.records.operations import DropPatternIndexes


class Migration(migrations.Migration):
    dependencies = [
        ("licences", "0003_history_ids_bigint"),
    ]

    operations = [
        DropPatternIndexes("historicallicence", ["batch"]),
    ]
