"""What a caller may see of a dataset, derived from its active grants.

One query per request loads the calling system's active grants; every
governed path (lookup, search, filters, ordering, verify, history, as-of,
provenance, dossier) asks the resulting :class:`Scope` and nothing else.
"""

from django.utils.translation import gettext as _

from hub.catalogue import spec as catalogue
from hub.catalogue.choices import SharingType

from . import roles
from .models import Grant


class Scope:
    """The items of one dataset a caller holds, each with its best mode and masking."""

    def __init__(self, dataset, grants, *, purpose_missing=False):
        # grants: {field: [(mode, masked), ...]}
        self.dataset = dataset
        self._grants = grants
        self.purpose_missing = purpose_missing
        self._best = {field: max(mode for mode, _m in held) for field, held in grants.items() if held}
        self._fields = {}

    def mode_of(self, field):
        return self._best.get(field, 0)

    def fields(self, mode):
        """Item fields granted at ``mode`` or above, in catalogue order."""
        if mode not in self._fields:
            best = self._best
            self._fields[mode] = [
                item.field for item in self.dataset.items if best.get(item.field, 0) >= mode
            ]
        return list(self._fields[mode])

    def has(self, mode):
        return bool(self.fields(mode))

    def masked(self, field, mode):
        """Masked unless some grant at ``mode`` or above is in the clear."""
        return not any(m >= mode and not masked for m, masked in self._grants.get(field, ()))

    def usable(self, field, mode):
        """Whether ``field`` may be *used* at ``mode`` — compared, filtered, ordered, searched.

        Only a grant at ``mode`` or above in the clear allows it: a masked grant
        is for display only, since every comparison against a masked value
        reveals part of what the mask hides.
        """
        return self.mode_of(field) >= mode and not self.masked(field, mode)

    def masks(self, mode):
        """``{field: masking rule}`` for the fields shown masked at ``mode``."""
        by_field = self.dataset.by_field
        return {field: by_field[field].masking for field in self.fields(mode) if self.masked(field, mode)}

    def missing_detail(self, mode):
        if self.purpose_missing:
            return _("Your grants on dataset %(dataset)s require an X-Purpose header naming the matter.") % {
                "dataset": self.dataset.code
            }
        return None


def _system_grants(request):
    """``{item code: [(mode, masked, require_purpose)]}``, loaded once per request.

    Normally loaded with the API key (see ``authentication.load_key``), else one
    single-table query on an indexed column; item codes and sharing types
    come from the cached catalogue, so a grant on an item the catalogue now
    marks not shared is ignored.
    """
    cached = getattr(request, "_hub_grants", None)
    if cached is None:
        cached = {}
        rows = getattr(request.user.key, "active_grants", None)
        if rows is None:
            rows = (
                Grant.objects.active()
                .filter(system_id=request.user.system.pk)
                .values_list("item_id", "mode", "masked", "require_purpose_header")
            )
        for item_id, mode, masked, require_purpose in rows:
            item = catalogue.item_by_id(item_id)
            if item is None or item.sharing_type == SharingType.NOT_SHARED:
                continue
            cached.setdefault(item.code, []).append((mode, masked, require_purpose))
        request._hub_grants = cached
    return cached


def resolve(request, dataset):
    """The caller's :class:`Scope` on ``dataset`` (a catalogue ``DatasetSpec``)."""
    user = request.user
    if getattr(user, "system", None) is None:
        return Scope(dataset, roles.person_grants(user, dataset))
    has_purpose = bool(request.META.get("HTTP_X_PURPOSE", "").strip())
    grants = {}
    purpose_missing = False
    all_grants = _system_grants(request)
    for item in dataset.items:
        for mode, masked, require_purpose in all_grants.get(item.code, ()):
            if require_purpose and not has_purpose:
                purpose_missing = True
                continue
            grants.setdefault(item.field, []).append((mode, masked))
    return Scope(dataset, grants, purpose_missing=purpose_missing)
