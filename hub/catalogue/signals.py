"""Drop the in-process catalogue cache whenever the catalogue changes."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import spec
from .models import DataItem, Dataset, Department, PartitionSource


@receiver([post_save, post_delete], sender=Dataset)
@receiver([post_save, post_delete], sender=DataItem)
@receiver([post_save, post_delete], sender=PartitionSource)
@receiver([post_save, post_delete], sender=Department)
def catalogue_changed(**kwargs):
    spec.clear()
