"""Public functions other libraries use to ask about legal entities."""

from .validators import normalize_uscc


def _entities():
    from .models import LegalEntity

    return LegalEntity.objects


def entity_exists(uscc) -> bool:
    """Whether a legal entity with this unified social credit code is in the library."""
    return _entities().filter(uscc=normalize_uscc(uscc)).exists()


def entity_name(uscc) -> str | None:
    """The registered name of the entity, or None when it is not in the library."""
    return _entities().filter(uscc=normalize_uscc(uscc)).values_list("name", flat=True).first()
