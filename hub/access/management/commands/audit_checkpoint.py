import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections, connection
from django.utils.translation import gettext as _

from hub.access import checkpoints


class Command(BaseCommand):
    help = (
        "Sign each audit lane's head (lane, id, hash, rows) with the audit signing key and write the "
        "checkpoint outside the database (HUB_AUDIT_CHECKPOINT_DIR, and HUB_AUDIT_CHECKPOINT_URL if set). "
        "With --every, keep doing so at that interval until stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            nargs="?",
            const=-1,
            metavar="SECONDS",
            help="Run until stopped, one checkpoint every SECONDS "
            "(without a value: HUB_AUDIT_CHECKPOINT_INTERVAL).",
        )
        parser.add_argument(
            "--times", type=int, default=0, help="With --every: stop after this many checkpoints."
        )
        parser.add_argument(
            "--new-series",
            action="store_true",
            help="Start over from the log as it is, after an investigated restore or archive "
            "(the log no longer matches the previous checkpoint).",
        )

    def handle(self, *args, **options):
        every = options["every"]
        self.new_series = options["new_series"]
        if every is None:
            self.checkpoint()
            return
        interval = settings.HUB_AUDIT_CHECKPOINT_INTERVAL if every < 0 else every
        if interval <= 0:
            raise CommandError(_("The interval must be a positive number of seconds."))
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGTERM, signal.SIGINT):
                signal.signal(number, lambda *_args: stop.set())
        made = failed = 0
        while not stop.is_set():
            if not connection.in_atomic_block:  # (a test's transaction is not a stale connection)
                close_old_connections()  # a long-running process: drop a connection that went away
            try:
                self.checkpoint()
            except CommandError as exc:
                # Keep going: the next interval may succeed (a receiver back up, a database back);
                # a tampered log keeps failing, loudly, every interval.
                failed += 1
                self.stderr.write(str(exc))
            made += 1
            if options["times"] and made >= options["times"]:
                break
            stop.wait(interval)
        if failed:
            raise CommandError(
                _("%(failed)s of %(made)s checkpoints failed.") % {"failed": failed, "made": made}
            )

    def checkpoint(self):
        try:
            checkpoint = checkpoints.create(new_series=self.new_series)
            self.new_series = False  # only the first of a series starts over
        except checkpoints.CheckpointError as exc:
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:
            raise CommandError(_("The audit log cannot be read: %(error)s") % {"error": exc}) from None
        lanes = checkpoint.body["lanes"]
        self.stdout.write(
            _("Checkpoint %(file)s: %(lanes)s lanes, %(rows)s rows, signed by key %(key)s.")
            % {
                "file": checkpoint.path,
                "lanes": len(lanes),
                "rows": sum(lane["rows"] for lane in lanes),
                "key": checkpoint.body["key_id"],
            }
        )
