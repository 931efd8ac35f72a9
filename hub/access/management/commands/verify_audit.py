from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
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
                _(
                    "Audit chain broken at entry %(id)s (%(at)s): %(why)s. "
                    "%(checked)s entries before it are intact."
                )
                % {"id": broken.pk, "at": f"{broken.at:%Y-%m-%d %H:%M:%S}", "why": _(why), "checked": checked}
            )
        for lane, anchor in sorted((anchors or {}).items()):
            self.stdout.write(_("lane %(lane)s follows %(hash)s") % {"lane": lane, "hash": anchor})
        self.stdout.write(
            self.style.SUCCESS(_("Audit chain intact: %(checked)s entries verified.") % {"checked": checked})
        )
