from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hub.access.models import ApiKey, ConsumerSystem
from hub.catalogue.models import Department


class Command(BaseCommand):
    help = "Register a consumer (and optionally provider) system and print its API key once."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--department", required=True, help="code of the owning department")
        parser.add_argument("--provider", action="store_true", help="the system also pushes data")
        parser.add_argument("--no-consumer", action="store_true", help="provider only")

    def handle(self, name, department, provider, no_consumer, **options):
        dept = Department.objects.filter(code=department).first()
        if dept is None:
            raise CommandError(_("Unknown department code '%(department)s'.") % {"department": department})
        if ConsumerSystem.objects.filter(name=name).exists():
            raise CommandError(_("A system named '%(name)s' already exists.") % {"name": name})
        system = ConsumerSystem.objects.create(
            name=name, department=dept, is_provider=provider, is_consumer=not no_consumer
        )
        _key, raw = ApiKey.issue(system, name="create_system")
        self.stdout.write(
            self.style.SUCCESS(
                _("System '%(name)s' registered for %(department)s.")
                % {"name": name, "department": dept.code}
            )
        )
        self.stdout.write(_("API key (shown once, store it now):"))
        self.stdout.write(raw)
