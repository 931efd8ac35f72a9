"""The admin base for base records: a steward edits only their department's items."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .sources import SourceRuleViolation


def steward_department_code(user):
    steward = getattr(user, "steward", None)
    return steward.department.code if steward else None


class SourceGuardedForm(forms.ModelForm):
    """Refuses a POST that carries values for items the steward is not the source of.

    Django drops read-only fields from the form, which would ignore a forged
    value silently; this names it and refuses the whole save instead.
    """

    guarded_fields: tuple = ()

    def clean(self):
        cleaned = super().clean()
        for name in self.guarded_fields:
            if name not in self.data:
                continue
            field = self.instance._meta.get_field(name)
            current = field.value_from_object(self.instance) if self.instance.pk else None
            try:
                posted = field.formfield().clean(self.data.get(name)) if field.formfield() else None
            except forms.ValidationError:
                posted = self.data.get(name)
            if posted != current and not (posted in (None, "") and current in (None, "")):
                raise forms.ValidationError(
                    _("Your department is not the source of %(field)s; it cannot be changed here.")
                    % {"field": field.verbose_name}
                )
        self._check_transitions(cleaned)
        return cleaned

    def _check_transitions(self, cleaned):
        """The library's state rules on the form (the service checks them again on save)."""
        model = type(self.instance)
        if self.instance._state.adding or not model.has_write_hook("transition_errors"):
            return
        loaded = getattr(self.instance, "_loaded_values", {})
        fields = model.item_fields()
        stored = {f.name: loaded.get(f.attname) for f in fields}
        row = {**stored, **{name: value for name, value in cleaned.items() if name in stored}}
        errors = model.transition_errors(stored, row, admin_reason(self.data))
        if errors:
            raise forms.ValidationError([str(m) for messages in errors.values() for m in messages])


def admin_reason(data):
    """The reason a steward gave for an edit, or the admin's own."""
    return (data.get("_change_reason", "") if data is not None else "") or _("Corrected in the admin")


class BaseRecordAdmin(SimpleHistoryAdmin):
    """Stewards see every item, and can edit the ones their department is the source of."""

    form = SourceGuardedForm
    history_list_display = ["source_department", "acting_system", "batch"]

    def _dataset(self):
        return self.model.catalogue_spec()

    def editable_fields(self, request, obj=None):
        department = steward_department_code(request.user)
        if department is None:
            return set()
        dataset = self._dataset()
        partition = obj.partition_value() if obj else None
        editable = set()
        for item in dataset.items:
            if item.is_key and obj is not None:
                continue
            if dataset.partition_field and obj is None:
                # A new record in a partition: the partition's source decides on save.
                if department in dataset.partitions.values():
                    editable.add(item.field)
            elif dataset.source_of(item.field, partition) == department:
                editable.add(item.field)
        return editable

    def get_readonly_fields(self, request, obj=None):
        editable = self.editable_fields(request, obj)
        return [f.name for f in self.model.item_fields() if f.name not in editable] + [
            "created_at",
            "updated_at",
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        readonly = set(self.get_readonly_fields(request, obj))
        form.guarded_fields = tuple(f.name for f in self.model.item_fields() if f.name in readonly)
        return form

    def has_add_permission(self, request):
        if not super().has_add_permission(request):
            return False
        department = steward_department_code(request.user)
        dataset = self._dataset()
        if dataset.partition_field:
            return department in dataset.partitions.values()
        return department == dataset.key_item.source

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or bool(self.editable_fields(request, obj))
        )

    def has_delete_permission(self, request, obj=None):
        return False  # base records are retired by their source, never deleted from the admin

    def save_model(self, request, obj, form, change):
        """The steward's edit goes through the one write service, as the steward's department."""
        department = steward_department_code(request.user)
        if department is None:
            raise PermissionDenied(_("Only a department's stewards write base records."))
        model = type(obj)
        dataset = self._dataset()
        derived = set(model.derived_fields([f.name for f in model.item_fields()]))
        key = dataset.natural_key
        values = {key: getattr(obj, model._meta.get_field(key).attname)}
        for name in obj.changed_fields():
            if name in dataset.by_field and name not in derived and name != key:
                values[name] = getattr(obj, model._meta.get_field(name).attname)
        try:
            saved = services.write_one(
                model,
                values,
                department=department,
                user=request.user,
                reason=admin_reason(getattr(form, "data", None)),
                channel="admin",
            )
        except SourceRuleViolation as exc:
            raise PermissionDenied(exc.message) from exc
        except ValidationError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from exc
        # the admin goes on with ``obj`` (its messages, the redirect): make it the stored record
        for field in model._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db
        obj._loaded_values = dict(saved._loaded_values)


from . import ingest_admin  # noqa: E402, F401  (registers the ingest batches and the import page)
