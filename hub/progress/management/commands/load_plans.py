from django.core.management.base import BaseCommand

from hub.progress import plans


class Command(BaseCommand):
    help = "Load the shipped plan batches of the base-library data list (needs the catalogue loaded)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(plans.REFERENCE))

    def handle(self, file, **options):
        counts = plans.load(file)
        self.stdout.write(f"Plans: {counts['batches']} batch(es), {counts['entries']} entries.")
