"""Public functions other libraries use to ask about persons (by citizen ID number)."""


def person_exists(id_number) -> bool:
    """Whether a person with this citizen ID number is in the population library."""
    from .models import Person

    return Person.objects.filter(id_number=Person.normalize_key(id_number)).exists()


def person_name(id_number) -> str | None:
    """The person's registered name, or None when the person is not in the library."""
    from .models import Person

    return (
        Person.objects.filter(id_number=Person.normalize_key(id_number))
        .values_list("name", flat=True)
        .first()
    )
