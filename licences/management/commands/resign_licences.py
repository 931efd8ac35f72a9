from django.core.management.base import BaseCommand

from licences.models import Licence
from licences.signals import sign_unsigned


class Command(BaseCommand):
    help = "Re-sign every licence whose signature does not hold under the current key (after a key change)."

    def handle(self, *args, **options):
        count = sign_unsigned(Licence.objects.all())
        self.stdout.write(self.style.SUCCESS(f"Re-signed {count} licence(s)."))
