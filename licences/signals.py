"""Sign licences written by paths that bypass ``Licence.save()`` (bulk ingestion)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hub.records.events import records_written

from . import signing
from .models import DATASET, Licence, LicenceType, clear_type_cache


def sign_unsigned(queryset):
    """Re-sign the licences in ``queryset`` whose signature does not hold; returns how many."""
    stale = []
    for licence in queryset.only("id", "signature", "signing_key_id", *signing.SIGNED_FIELDS):
        if not licence.signature_holds():
            licence.signature, licence.signing_key_id = signing.sign(licence.content())
            stale.append(licence)
    # The signature is the hub's attestation, not content: no history row of its own.
    Licence.objects.bulk_update(stale, ["signature", "signing_key_id"], batch_size=1000)
    return len(stale)


@receiver([post_save, post_delete], sender=LicenceType)
def types_changed(**kwargs):
    clear_type_cache()


@receiver(records_written)
def sign_ingested(sender, dataset=None, keys=None, **kwargs):
    if dataset != DATASET:
        return
    queryset = Licence.objects.all() if keys is None else Licence.objects.filter(identifier__in=keys)
    sign_unsigned(queryset)
