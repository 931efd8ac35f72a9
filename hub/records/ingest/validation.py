"""Row validation built once per dataset from the model's own fields.

Each column is checked the way ``Model.full_clean`` would check it — the
field's ``to_python``, blank/null, choices and its validators — and then the
row through ``Model.cross_field_errors``. Nothing is restated here: change a
validator on the model and ingestion follows.

Loads are large and repetitive (a few hundred division codes, a few dozen
code-table values, some thousands of birth dates), so each column remembers
the outcome for the values it has seen; a column whose values turn out to be
mostly distinct (ID numbers, names) stops remembering after a while.
"""

from django.core import exceptions
from django.core.validators import EMPTY_VALUES
from django.utils.translation import gettext_lazy as _

from hub.records.codes import validate_ascii

MEMO_LIMIT = 20_000


class ColumnValidator:
    """Turns one raw value into the field's Python value, or raises ValidationError."""

    __slots__ = ("field", "name", "memo", "checks", "choices", "empty", "is_json")

    def __init__(self, field):
        self.field = field
        self.name = field.name
        self.memo = {}
        self.choices = {str(value) for value, _label in field.flatchoices} if field.choices else None
        self.empty = "" if field.empty_strings_allowed and not field.null else None
        self.checks = list(field.validators)
        self.is_json = field.get_internal_type() == "JSONField"
        if self.is_json:
            self.memo = None  # objects are not hashable, and rarely repeat

    def __call__(self, raw):
        if isinstance(raw, str):
            raw = raw.strip()
        if self.is_json:
            return self._clean_json(raw)
        memo = self.memo
        if memo is not None:
            try:
                hit = memo[raw]
            except (KeyError, TypeError):
                pass
            else:
                if isinstance(hit, exceptions.ValidationError):
                    raise hit
                return hit
        try:
            value = self._clean(raw)
        except exceptions.ValidationError as error:
            self._remember(raw, error)
            raise
        self._remember(raw, value)
        return value

    def _remember(self, raw, outcome):
        memo = self.memo
        if memo is None:
            return
        if len(memo) >= MEMO_LIMIT:
            self.memo = None  # mostly distinct values: remembering only costs memory
            return
        try:
            memo[raw] = outcome
        except TypeError:
            pass  # unhashable raw value (a JSON list): never remembered

    def _clean_json(self, raw):
        """A JSON item: an object or array as such, or its JSON text (CSV cells, staged text)."""
        import json

        if isinstance(raw, str):
            if raw == "":
                raw = None
            else:
                try:
                    raw = json.loads(raw)
                except ValueError:
                    raise exceptions.ValidationError(_("Not valid JSON text."), code="invalid_json") from None
        if raw is None:
            if not self.field.null:
                if not self.field.blank:
                    raise exceptions.ValidationError(self.field.error_messages["blank"], code="blank")
                return self.field.get_default()
            return None
        errors = []
        for check in self.checks:
            try:
                check(raw)
            except exceptions.ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise exceptions.ValidationError(errors)
        return raw

    def _clean(self, raw):
        field = self.field
        if raw in EMPTY_VALUES:
            if not field.blank:
                raise exceptions.ValidationError(field.error_messages["blank"], code="blank")
            return self.empty
        if isinstance(raw, (dict, list, bool)):
            raise exceptions.ValidationError(
                _("Expected a single value, got %(type)s."),
                code="invalid",
                params={"type": type(raw).__name__},
            )
        value = field.to_python(raw)
        if self.choices is not None and str(value) not in self.choices:
            raise exceptions.ValidationError(
                field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        errors = []
        for check in self.checks:
            try:
                check(value)
            except exceptions.ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise exceptions.ValidationError(errors)
        return value


def _non_ascii_message(key, name):
    try:
        validate_ascii(key, name)
    except exceptions.ValidationError as error:
        return _messages(error)[0]
    return ""  # pragma: no cover - the caller checked isascii()


def _messages(error):
    return [str(message) for message in error.messages]


_MISS = object()


class RowValidator:
    """Validates rows of one dataset carrying ``columns`` (field names, natural key first).

    The row loop is the hot path of a load: a remembered outcome is looked up
    inline, and only values not seen before go through the column's checks.
    """

    def __init__(self, model, columns, cross_field=True):
        from hub.records.models import BaseRecord

        self.model = model
        self.columns = tuple(columns)
        self.key_field = columns[0]
        self.validators = [ColumnValidator(model._meta.get_field(name)) for name in columns]
        self.normalize_key = model.normalize_key
        # cross_field_errors is a classmethod; skip the call when a library does not override it
        base = getattr(model.cross_field_errors, "__func__", None)
        # without ``cross_field`` the caller judges the row over the stored record (see .rules)
        self.has_cross_field = cross_field and base is not BaseRecord.cross_field_errors.__func__

    def __call__(self, raw_values):
        """``raw_values`` in column order → ``(values tuple, None)`` or ``(None, {field: [messages]})``."""
        values = []
        append = values.append
        errors = None
        key = raw_values[0]
        if key.__class__ is str or (key not in EMPTY_VALUES and not isinstance(key, (dict, list))):
            raw_values = (self.normalize_key(key), *raw_values[1:])
            key = raw_values[0]
        for check, raw in zip(self.validators, raw_values, strict=True):
            memo = check.memo
            if memo is not None and raw.__class__ is str:
                hit = memo.get(raw, _MISS)
                if hit is not _MISS and hit.__class__ is not exceptions.ValidationError:
                    append(hit)
                    continue
            try:
                append(check(raw))
            except exceptions.ValidationError as error:
                errors = errors or {}
                errors[check.name] = _messages(error)
                append(None)
        if key.__class__ is str and not key.isascii() and not (errors and self.key_field in errors):
            # every natural key is a code: a non-ASCII spelling would be a second record
            errors = errors or {}
            errors[self.key_field] = [_non_ascii_message(key, self.key_field)]
        if self.has_cross_field and errors is None:
            cross = self.model.cross_field_errors(dict(zip(self.columns, values, strict=True)))
            if cross:
                errors = {name: [str(m) for m in messages] for name, messages in cross.items()}
        if errors:
            return None, errors
        return tuple(values), None
