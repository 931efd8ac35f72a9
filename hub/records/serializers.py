"""The governed serializer: only the fields a scope allows, masked as it says."""

from rest_framework import serializers

from .masking import mask


class GovernedSerializer(serializers.ModelSerializer):
    """A model serializer cut down, per call, to the granted fields.

    The context carries ``fields`` (the allowed item fields, in order),
    ``masks`` (``{field: rule}``) and optionally ``provenance`` (a callable
    turning ``(instance, field, value)`` into the provenance object).
    """

    def get_fields(self):
        fields = super().get_fields()
        allowed = self.context.get("fields")
        if allowed is None:
            return fields
        return {name: fields[name] for name in allowed if name in fields}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name, rule in self.context.get("masks", {}).items():
            if name in data:
                data[name] = mask(rule, data[name])
        provenance = self.context.get("provenance")
        if provenance:
            data = {name: provenance(instance, name, value) for name, value in data.items()}
        return data


def serializer_for(model):
    """The governed serializer class of a base record model, fields from its item fields."""
    names = [f.name for f in model.item_fields()]
    # Output only, and any item may be absent (not granted): nothing is "required" in the schema.
    meta = type(
        "Meta",
        (),
        {"model": model, "fields": names, "extra_kwargs": {name: {"required": False} for name in names}},
    )
    return type(f"{model.__name__}Serializer", (GovernedSerializer,), {"Meta": meta})
