"""List the grants in force that the catalogue's self-service limits would not issue today.

    python manage.py grants_beyond_limits            # list them, change nothing
    python manage.py grants_beyond_limits --revoke   # after review: revoke (or cap) them

A grant beyond the mode or masking limits is revoked; one that only runs past
its item's longest duration has its expiry cut to it. Both keep history.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from hub.access import services
from hub.access.choices import Mode


class Command(BaseCommand):
    help = "List grants beyond the catalogue's self-service limits; with --revoke, revoke or cap them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--revoke",
            action="store_true",
            help="Revoke the listed grants (cap the expiry of those that only run too long).",
        )
        parser.add_argument("--by", default="grants_beyond_limits", help="Who reviewed the list (history).")

    def handle(self, *args, revoke=False, by="", **options):
        found = services.grants_beyond_limits()
        for grant, reasons in found:
            masking = _("masked") if grant.masked else _("unmasked")
            self.stdout.write(
                _("Grant #%(id)d: %(system)s · %(item)s (%(dataset)s) · %(mode)s, %(masking)s")
                % {
                    "id": grant.pk,
                    "system": grant.system.name,
                    "item": grant.item.name,
                    "dataset": grant.item.dataset.name,
                    "mode": Mode(grant.mode).label,
                    "masking": masking,
                }
            )
            for reason in reasons:
                self.stdout.write(f"    - {reason}")
            if revoke:
                outcome = services.bring_within_limits(grant, reasons, by=by)
                self.stdout.write("    → " + (_("revoked") if outcome == "revoked" else _("expiry capped")))
        summary = _("%(n)d grant(s) beyond the self-service limits.") % {"n": len(found)}
        if found and not revoke:
            summary += " " + _("Review them, then run again with --revoke.")
        self.stdout.write(self.style.WARNING(summary) if found else self.style.SUCCESS(summary))
