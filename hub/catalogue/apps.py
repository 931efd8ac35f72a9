from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "hub.catalogue"
    label = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self):
        from . import signals  # noqa: F401
