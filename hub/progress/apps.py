"""Build progress for the joint meeting."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "hub.progress"
    label = "progress"
    verbose_name = _("Build progress")

    def ready(self):
        from . import signals

        post_migrate.connect(signals.ensure_joint_meeting_group, sender=self)
        post_migrate.connect(signals.install_call_counter, sender=self)
