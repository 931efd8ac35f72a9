"""The one-source rule (一数一源), in one place for every write path."""

from django.utils.translation import gettext as _


class SourceRuleViolation(PermissionError):
    """A write touched items whose source is another department; nothing is written."""

    def __init__(self, dataset, department, violations):
        self.dataset = dataset
        self.department = department
        # [{"item": code, "source": department code or None}]
        self.violations = violations
        super().__init__(self.message)

    @property
    def message(self):
        parts = ", ".join(
            f"{v['item']} (source: {v['source'] or _('none declared')})" for v in self.violations
        )
        return _("Department %(dept)s is not the source of: %(items)s") % {
            "dept": self.department,
            "items": parts,
        }


def check_write(dataset, department, fields, *, partition_value=None, creating=False):
    """Refuse a write by ``department`` of ``fields`` unless it is their one source.

    ``dataset`` is a :class:`~hub.catalogue.spec.DatasetSpec`. The natural key
    names the record and is not a change, except on creation, where only the
    source of the key item may create records (so a record cannot be
    conjured by a department that merely supplies one of its items).
    Raises :class:`SourceRuleViolation` naming every offending item.
    """
    violations = []
    by_field = dataset.by_field
    for name in fields:
        item = by_field.get(name)
        if item is None:
            continue  # not a catalogue item (timestamps, stamps)
        if item.is_key and not creating:
            continue
        source = dataset.source_of(name, partition_value)
        if source != department:
            violations.append({"item": item.code, "source": source})
    if creating and not dataset.partition_field:
        key = dataset.key_item
        if key.source != department and not any(v["item"] == key.code for v in violations):
            violations.append({"item": key.code, "source": key.source})
    if violations:
        raise SourceRuleViolation(dataset.code, department, violations)
