from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from hub.access import audit
from hub.access.models import AuditEntry


class Command(BaseCommand):
    help = "Walk the audit log's hash chains (one per lane) and report the first broken link."

    def add_arguments(self, parser):
        parser.add_argument(
            "--after-archive",
            action="store_true",
            help="Older rows were archived and dropped: start each lane at its first kept row "
            "and print the hash it follows, to match against the archive.",
        )

    def handle(self, *args, **options):
        total = AuditEntry.objects.count()
        anchors = {} if options["after_archive"] else None
        with tqdm(total=total, unit="rows", disable=options["verbosity"] < 1, file=self.stderr) as bar:
            checked, broken, why = audit.verify(progress=lambda n: bar.update(1), anchors=anchors)
        if broken is not None:
            raise CommandError(
                f"Audit chain broken at entry {broken.pk} ({broken.at:%Y-%m-%d %H:%M:%S}): {why}. "
                f"{checked} entries before it are intact."
            )
        for lane, anchor in sorted((anchors or {}).items()):
            self.stdout.write(f"lane {lane} follows {anchor}")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} entries verified."))
