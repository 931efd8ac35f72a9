from django.core.management.base import BaseCommand

from hub.catalogue import loader


class Command(BaseCommand):
    help = "Load the Jiangsu departments, libraries and the datasets' item declarations."

    def handle(self, *args, **options):
        counts = loader.load()
        self.stdout.write(
            self.style.SUCCESS(
                "Catalogue loaded: {departments} departments, {libraries} libraries, "
                "{datasets} datasets, {items} items.".format(**counts)
            )
        )
