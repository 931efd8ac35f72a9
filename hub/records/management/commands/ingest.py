"""``manage.py ingest DATASET FILE --department CODE``: the ingest endpoint's semantics for large files."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from hub.records.ingest import IngestInputError, InvalidRows, detect_format, ingest
from hub.records.sources import SourceRuleViolation

SHOWN_REJECTIONS = 20


class Command(BaseCommand):
    help = "Load a JSON, NDJSON, CSV or XLSX file of one dataset's rows as a source department."

    def add_arguments(self, parser):
        parser.add_argument("dataset", help="dataset code, e.g. population.person")
        parser.add_argument("file", help="path of the file; '-' reads standard input")
        parser.add_argument("--department", required=True, help="code of the department writing")
        parser.add_argument("--format", choices=["json", "ndjson", "csv", "xlsx"], help="default: by suffix")
        parser.add_argument("--encoding", help="utf-8 or gb18030 (default: detected)")
        parser.add_argument("--system", help="name of the acting provider system, recorded in history")
        parser.add_argument(
            "--all-or-nothing", action="store_true", help="refuse the batch if any row is invalid"
        )
        parser.add_argument("--idempotency-key", help="a replay with the same key and system writes nothing")
        parser.add_argument("--reason", default="", help="change reason recorded in history")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, dataset, file, department, **options):
        from hub.access.models import ConsumerSystem
        from hub.catalogue.models import Department

        if not Department.objects.filter(code=department).exists():
            raise CommandError(_("Unknown department %(department)s.") % {"department": department})
        system = None
        if options["system"]:
            system = ConsumerSystem.objects.filter(name=options["system"]).first()
            if system is None:
                raise CommandError(_("Unknown system %(system)s.") % {"system": options["system"]})
            if system.department.code != department:
                raise CommandError(
                    _("System %(system)s belongs to %(owner)s, not %(department)s.")
                    % {"system": system, "owner": system.department.code, "department": department}
                )
        fmt = options["format"] or detect_format(filename=file)
        if fmt is None:
            raise CommandError(_("Cannot tell the file's format from its name; pass --format."))
        path = Path(file)
        if file != "-" and not path.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        size = path.stat().st_size if file != "-" else None
        quiet = options["no_progress"]
        reading = tqdm(total=size, unit="B", unit_scale=True, desc="read", disable=quiet)
        bars = {}

        def phase(name):
            def update(rows):
                if name not in bars:
                    reading.close()
                    for bar in bars.values():
                        bar.close()
                    bars[name] = tqdm(unit=" rows", unit_scale=True, desc=name, disable=quiet)
                bars[name].update(rows)

            return update

        stream = self.stdin_binary() if file == "-" else open(path, "rb")  # noqa: SIM115
        try:
            outcome = ingest(
                dataset,
                stream,
                fmt=fmt,
                encoding=options["encoding"],
                department=department,
                system=system,
                channel="command",
                idempotency_key=options["idempotency_key"],
                all_or_nothing=options["all_or_nothing"],
                reason=options["reason"] or "manage.py ingest",
                on_read=reading.update,
                on_validate=phase("validate (rows that differ from the stored records)"),
                on_merge=phase("merge"),
            )
        except InvalidRows as error:
            self._close(reading, *bars.values())
            self._print_rejected(error.rejected, error.rejected_count)
            raise CommandError(error.detail) from None
        except IngestInputError as error:
            self._close(reading, *bars.values())
            raise CommandError(error.detail) from None
        except SourceRuleViolation as error:
            self._close(reading, *bars.values())
            raise CommandError(error.message) from None
        finally:
            stream.close()
        self._close(reading, *bars.values())
        report = outcome.report
        if outcome.replayed:
            self.stdout.write(self.style.WARNING(_("Replay of an earlier batch: nothing written.")))
        self._print_rejected(report["rejected"], report.get("rejected_count", len(report["rejected"])))
        summary = {
            k: report[k] for k in ("batch", "rows", "created", "updated", "unchanged", "rejected_count")
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Batch %(batch)s: %(created)s created, %(updated)s updated, "
                    "%(unchanged)s unchanged, %(rejected_count)s rejected."
                )
                % summary
            )
        )

    def _close(self, *bars):
        for bar in bars:
            if bar is not None:
                bar.close()

    def _print_rejected(self, rejected, count):
        for entry in rejected[:SHOWN_REJECTIONS]:
            self.stdout.write(json.dumps(entry, ensure_ascii=False))
        if count > SHOWN_REJECTIONS:
            self.stdout.write(
                _("… %(count)s more rejected rows (see the batch report).")
                % {"count": count - SHOWN_REJECTIONS}
            )

    def stdin_binary(self):
        import sys

        return sys.stdin.buffer
