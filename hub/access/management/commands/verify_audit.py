from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from hub.access import audit, checkpoints
from hub.access.models import AuditEntry


class Command(BaseCommand):
    help = (
        "Walk the audit log's hash chains (one per lane), check every lane against the latest signed "
        "checkpoint, and report each lane that disagrees and its first row that does."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--after-archive",
            action="store_true",
            help="Older rows were archived and dropped: start each lane at its first kept row "
            "and print the hash it follows, to match against the archive.",
        )
        parser.add_argument(
            "--checkpoint-dir",
            help="Read the checkpoints from this directory (default HUB_AUDIT_CHECKPOINT_DIR), "
            "e.g. a copy fetched from the receiver.",
        )
        parser.add_argument(
            "--require-checkpoint",
            action="store_true",
            help="Fail when there is no valid checkpoint of this database (for monitoring).",
        )

    def handle(self, *args, **options):
        into = Path(options["checkpoint_dir"] or settings.HUB_AUDIT_CHECKPOINT_DIR)
        try:
            keys = checkpoints.trusted_keys()
        except checkpoints.CheckpointError as exc:
            raise CommandError(str(exc)) from None
        anchor, refused = checkpoints.latest(into, keys)
        problems = [
            _("Checkpoint %(file)s is not valid: %(why)s.") % {"file": path, "why": why}
            for path, why in refused
        ]
        anchors = {} if options["after_archive"] else None
        total = AuditEntry.objects.count()
        with tqdm(total=total, unit="rows", disable=options["verbosity"] < 1, file=self.stderr) as bar:
            lanes = audit.walk(
                progress=lambda n: bar.update(1), anchors=anchors, watch=checkpoints.watch_of(anchor)
            )
        checked = 0
        for lane, found in sorted(lanes.items()):
            checked += found.intact
            if found.broken is not None:
                problems.append(
                    _(
                        "Audit chain broken in lane %(lane)s at entry %(id)s (%(at)s): %(why)s. "
                        "%(intact)s entries of the lane before it are intact."
                    )
                    % {
                        "lane": lane,
                        "id": found.broken.pk,
                        "at": f"{found.broken.at:%Y-%m-%d %H:%M:%S}",
                        "why": _(found.why),
                        "intact": found.intact,
                    }
                )
        if anchor is not None:
            problems += [
                d.message
                for d in checkpoints.compare(anchor, lanes, counted=anchors is None, into=into, keys=keys)
            ]
        if problems:
            raise CommandError("\n".join(problems))
        for lane, hash_ in sorted((anchors or {}).items()):
            self.stdout.write(_("lane %(lane)s follows %(hash)s") % {"lane": lane, "hash": hash_})
        if anchor is None:
            message = _(
                "No valid checkpoint of this database in %(dir)s: a deleted newest row or a truncated "
                "lane cannot be detected. Run manage.py audit_checkpoint."
            ) % {"dir": into}
            if options["require_checkpoint"]:
                raise CommandError(message)
            self.stderr.write(self.style.WARNING(message))
        else:
            age = (timezone.now() - anchor.at).total_seconds()
            if age > 2 * settings.HUB_AUDIT_CHECKPOINT_INTERVAL:
                self.stderr.write(
                    self.style.WARNING(
                        _("The latest checkpoint is %(minutes)d minutes old: is audit_checkpoint running?")
                        % {"minutes": age // 60}
                    )
                )
            self.stdout.write(
                _("Every lane agrees with the checkpoint of %(time)s (%(file)s).")
                % {"time": f"{anchor.at:%Y-%m-%d %H:%M:%S} UTC", "file": anchor.path}
            )
        self.stdout.write(
            self.style.SUCCESS(_("Audit chain intact: %(checked)s entries verified.") % {"checked": checked})
        )
