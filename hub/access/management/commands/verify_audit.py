from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from hub.access import audit
from hub.access.models import AuditEntry


class Command(BaseCommand):
    help = "Walk the audit log's hash chain and report the first broken link."

    def handle(self, *args, **options):
        total = AuditEntry.objects.count()
        with tqdm(total=total, unit="rows", disable=options["verbosity"] < 1, file=self.stderr) as bar:
            checked, broken, why = audit.verify(progress=lambda n: bar.update(1))
        if broken is not None:
            raise CommandError(
                f"Audit chain broken at entry {broken.pk} ({broken.at:%Y-%m-%d %H:%M:%S}): {why}. "
                f"{checked} entries before it are intact."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} entries verified."))
