"""Public functions other libraries use to ask about persons."""

from .models import Person


def person_exists(id_number) -> bool:
    """Whether a person with this citizen ID number is in the population library."""
    return Person.objects.filter(id_number=Person.normalize_key(id_number)).exists()


def person_name(id_number) -> str | None:
    """The registered name of the person, or None when absent."""
    return (
        Person.objects.filter(id_number=Person.normalize_key(id_number))
        .values_list("name", flat=True)
        .first()
    )
