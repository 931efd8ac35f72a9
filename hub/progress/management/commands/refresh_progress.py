from django.core.management.base import BaseCommand

from hub.progress import aggregates, metrics


class Command(BaseCommand):
    help = "Recompute every progress aggregate from the base tables and the audit log (may scan them)."

    def handle(self, **options):
        datasets = aggregates.recount_all()
        usage = aggregates.recompute_usage()
        snapshots = metrics.write_snapshots()
        self.stdout.write(
            f"Progress: {len(datasets)} dataset(s) recounted, {usage} usage row(s), {snapshots} snapshot(s)."
        )
