from django.core.management.base import BaseCommand

from hub.quality.loader import load_quality_rules


class Command(BaseCommand):
    help = "Load the default quality rules every library ships in its quality.py."

    def handle(self, *args, **options):
        counts = load_quality_rules()
        self.stdout.write(
            self.style.SUCCESS(
                "Quality rules: {created} created, {updated} updated, {skipped} skipped.".format(**counts)
            )
        )
