from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hub.catalogue import spec as catalogue
from hub.quality.choices import ScanTrigger
from hub.quality.models import QualityRule
from hub.quality.scans import ScanError, scan


class Command(BaseCommand):
    help = "Run the quality rules of one dataset (or of every dataset that has rules), set-based."

    def add_arguments(self, parser):
        parser.add_argument("dataset", nargs="?", help="dataset code, e.g. population.person")
        parser.add_argument("--schedule", action="store_true", help="record the scan as scheduled")

    def handle(self, dataset=None, schedule=False, **options):
        if dataset:
            try:
                catalogue.get(dataset)
            except catalogue.UnknownDataset:
                raise CommandError(_("Unknown dataset %(dataset)s.") % {"dataset": dataset}) from None
            codes = [dataset]
        else:
            codes = sorted(
                set(QualityRule.objects.filter(active=True).values_list("dataset__code", flat=True))
            )
        if not codes:
            self.stdout.write(_("No quality rules to run; load them with manage.py load_quality_rules."))
            return

        def progress(step, detail, elapsed):
            self.stdout.write(f"  [{elapsed:7.2f}s] {step:7s} {detail}")
            self.stdout.flush()

        trigger = ScanTrigger.SCHEDULE if schedule else ScanTrigger.MANUAL
        for code in codes:
            self.stdout.write(_("Scanning %(dataset)s …") % {"dataset": code})
            try:
                result = scan(code, trigger=trigger, progress=progress)
            except ScanError as exc:
                raise CommandError(str(exc)) from exc
            failing = sum(r.failed for r in result.results.all())
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "%(dataset)s: %(rows)s rows, %(failures)s failures, %(opened)s issues opened, "
                        "%(resolved)s resolved."
                    )
                    % {
                        "dataset": code,
                        "rows": result.rows,
                        "failures": failing,
                        "opened": result.opened,
                        "resolved": result.resolved,
                    }
                )
            )
