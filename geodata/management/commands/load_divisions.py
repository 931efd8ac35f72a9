"""Load the GB/T 2260 reference divisions and their (synthetic) boundaries."""

from django.core.management.base import BaseCommand

from geodata.demo import load_divisions


class Command(BaseCommand):
    help = (
        "Write geodata/reference/divisions.json as civil affairs (codes, names, lineage) and the "
        "synthetic demo boundaries as natural resources. Idempotent."
    )

    def handle(self, **options):
        load_divisions(self.stdout)
