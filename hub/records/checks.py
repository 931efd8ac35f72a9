"""System checks of the governed read path, run at start-up (``manage.py check`` and every server start).

A filter that reads an item it does not declare would let a caller compare
against that item without its grant (a licence ``valid_on`` filter declared
on ``valid_to`` once also read ``valid_from``). Each served governed
viewset's filters are compiled against its model and the columns their
WHERE clauses read are compared with their declarations.
"""

from django.core.checks import Error, Tags, register
from django.urls import URLPattern, URLResolver, get_resolver

from .filters import items_read, undeclared_reads


def _served_viewsets(patterns=None):
    """Every viewset class the URLconf serves, once."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found.extend(_served_viewsets(pattern.url_patterns))
        elif isinstance(pattern, URLPattern):
            cls = getattr(pattern.callback, "cls", None)
            if cls is not None and cls not in found:
                found.append(cls)
    return found


def governed_viewsets():
    from .views import GovernedViewSet  # the views import the backends this module checks

    return [cls for cls in _served_viewsets() if issubclass(cls, GovernedViewSet)]


@register(Tags.security)
def filters_declare_what_they_read(app_configs, **kwargs):
    errors = []
    for viewset in governed_viewsets():
        filterset_class = viewset.filterset_class
        if filterset_class is None:
            continue
        model = viewset.queryset.model
        fields = {field.name for field in model._meta.get_fields()}
        for name in filterset_class.base_filters:
            unknown = sorted(set(items_read(filterset_class, name)) - fields)
            if unknown:
                errors.append(
                    Error(
                        f"{filterset_class.__name__}.{name} declares reads of {unknown}, "
                        f"which are not fields of {model.__name__}.",
                        id="records.E002",
                    )
                )
        for name, undeclared in undeclared_reads(filterset_class, viewset.queryset.all()).items():
            errors.append(
                Error(
                    f"Filter {filterset_class.__name__}.{name} reads {undeclared} without declaring them.",
                    hint="List every item the filter reads in the filterset's `reads`, so the governed "
                    "filter backend asks for a grant on each.",
                    obj=filterset_class,
                    id="records.E001",
                )
            )
    return errors
