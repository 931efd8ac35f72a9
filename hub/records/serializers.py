"""The governed serializer: only the fields a scope allows, masked as it says."""

from functools import lru_cache

from rest_framework import serializers

from .masking import mask


class GovernedSerializer(serializers.ModelSerializer):
    """A model serializer cut down, per call, to the granted fields.

    The context carries ``fields`` (the allowed item fields, in order),
    ``masks`` (``{field: rule}``) and optionally ``provenance`` (a callable
    turning ``(instance, field, value)`` into the provenance object).

    Building a ModelSerializer's fields introspects the model on every
    instance; on the lookup hot path the bound fields are built once per
    (serializer class, allowed fields) and reused, as DRF fields hold no
    per-call state.
    """

    def get_fields(self):
        fields = super().get_fields()
        allowed = self.context.get("fields")
        if allowed is None:
            return fields
        return {name: fields[name] for name in allowed if name in fields}

    def to_representation(self, instance):
        allowed = self.context.get("fields")
        if allowed is None:
            data = super().to_representation(instance)
        else:
            data = {}
            for name, field in _bound_fields(type(self), tuple(allowed)):
                value = field.get_attribute(instance)
                data[name] = None if value is None else field.to_representation(value)
        for name, rule in self.context.get("masks", {}).items():
            if name in data:
                data[name] = mask(rule, data[name])
        provenance = self.context.get("provenance")
        if provenance:
            data = {name: provenance(instance, name, value) for name, value in data.items()}
        return data


@lru_cache(maxsize=512)
def _bound_fields(serializer_class, allowed):
    template = serializer_class(context={"fields": list(allowed)})
    return [(name, field) for name, field in template.fields.items() if not field.write_only]


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
