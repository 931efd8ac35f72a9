"""Reference data, catalogue, demo people and systems, and synthetic records."""

import importlib

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from hub.access.choices import Mode
from hub.access.models import ApiKey, ConsumerSystem, Grant
from hub.catalogue.models import DataItem, Department, Steward

DEMO_PASSWORD = "demo-2026"
# (item field, mode, masked) granted to the demo 一网通办 system on population.person
DEMO_GRANTS = [
    ("id_number", Mode.SEARCH, False),
    ("name", Mode.SEARCH, False),
    ("gender", Mode.SEARCH, False),
    ("birth_date", Mode.LOOKUP, False),
    ("household_division", Mode.SEARCH, False),
    ("household_address", Mode.LOOKUP, True),
    ("marital_status", Mode.VERIFY, False),
]
# Library apps seed in this order; each may offer demo.seed(command, persons=N).
LIBRARY_APPS = ["population", "geodata", "credit", "licences"]


class Command(BaseCommand):
    help = "Load the catalogue and seed demo departments, users, systems, grants and N persons."

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=1000)
        parser.add_argument("--quiet-keys", action="store_true", help="do not print API keys")

    def handle(self, persons, quiet_keys, **options):
        call_command("load_catalogue", stdout=self.stdout)
        call_command("load_quality_rules", stdout=self.stdout)
        with transaction.atomic():
            self.seed_people()
            keys = self.seed_systems()
        for label in LIBRARY_APPS:
            module = _demo_module(label)
            if module is not None and hasattr(module, "seed"):
                module.seed(self, persons=persons)
        call_command("quality_scan", stdout=self.stdout)
        call_command("load_plans", stdout=self.stdout)
        call_command("refresh_progress", stdout=self.stdout)
        if not quiet_keys:
            for name, raw in keys.items():
                self.stdout.write(f"API key for {name}: {raw}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready. Admin login: admin / {DEMO_PASSWORD}; stewards: steward-<department> / "
                f"{DEMO_PASSWORD} (e.g. steward-gat, steward-mzt); joint meeting: meeting / {DEMO_PASSWORD} "
                "at /dashboard/."
            )
        )

    def seed_people(self):
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        stewards, _ = Group.objects.get_or_create(name="Stewards")
        perms = Permission.objects.filter(
            content_type__app_label__in=LIBRARY_APPS, codename__regex=r"^(view|change|add)_"
        ) | Permission.objects.filter(
            content_type__app_label__in=["access", "quality"],
            codename__in=[
                "view_accessrequestitem",
                "change_accessrequestitem",
                "view_qualityissue",
                "change_qualityissue",
                "view_qualityrule",
                "view_scan",
            ],
        )
        stewards.permissions.set(perms)
        admin = user_model.objects.filter(username="admin").first()
        if admin is None:
            user_model.objects.create_superuser("admin", "admin@example.invalid", DEMO_PASSWORD)
        for department in Department.objects.filter(level="province"):
            username = f"steward-{department.code}"
            user = user_model.objects.filter(username=username).first()
            if user is None:
                user = user_model.objects.create_user(
                    username, f"{username}@example.invalid", DEMO_PASSWORD, is_staff=True
                )
            user.groups.add(stewards)
            Steward.objects.get_or_create(user=user, defaults={"department": department})
        # A joint-meeting member: reads the dashboard, is not staff, sees no records.
        from hub.progress.signals import ensure_joint_meeting_group

        member = user_model.objects.filter(username="meeting").first()
        if member is None:
            member = user_model.objects.create_user("meeting", "meeting@example.invalid", DEMO_PASSWORD)
        member.groups.add(ensure_joint_meeting_group())

    def seed_systems(self):
        keys = {}
        consumer, created = ConsumerSystem.objects.get_or_create(
            name="一网通办平台",
            defaults={"department": Department.objects.get(code="dsj"), "contact": "demo"},
        )
        for field, mode, masked in DEMO_GRANTS:
            item = DataItem.objects.get(code=f"population.person.{field}")
            Grant.objects.get_or_create(
                system=consumer, item=item, defaults={"mode": mode, "masked": masked, "purpose": "demo"}
            )
        keys[consumer.name] = ApiKey.issue(consumer, name="demo")[1]
        provider, _ = ConsumerSystem.objects.get_or_create(
            name="省公安厅人口信息系统",
            defaults={
                "department": Department.objects.get(code="gat"),
                "is_provider": True,
                "is_consumer": False,
            },
        )
        keys[provider.name] = ApiKey.issue(provider, name="demo")[1]
        return keys


def _demo_module(label):
    if not apps.is_installed(label):
        return None
    try:
        return importlib.import_module(f"{label}.demo")
    except ModuleNotFoundError as exc:
        if exc.name == f"{label}.demo":
            return None
        raise
