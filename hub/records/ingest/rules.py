"""A record's rules on the row it will become: the stored record overlaid with the write.

Column checks (:class:`.validation.RowValidator`) judge each value as sent.
The rules that span several items — cross-field checks, the fields derived
from others (``prepare_row``), the library's state transitions — judge the
*merged* row: the stored values of the record, overlaid with the incoming
ones. A partial row (the key and one item) is thus held to every rule its
item takes part in, whatever the other items it does not carry.

The framework only calls the hooks a library declares on its model
(``BaseRecord.cross_field_errors``, ``derived_fields``, ``prepare_row``,
``transition_errors``); it knows no library's rules itself.
"""

from django.core import exceptions
from django.utils.translation import gettext as _

from .validation import RowValidator

CHUNK = 1_000


def _texts(messages):
    return [str(m) for m in messages or ()]


def _messages(error):
    if hasattr(error, "error_dict"):
        return {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


class RecordRules:
    """Validates a batch's rows, ``CHUNK`` at a time, with the stored records they change.

    ``columns`` are the batch's field names, key first, the derived fields
    (``model.derived_fields``) last; the caller sends those as None and gets
    them back computed. Called with ``(number, raw values)`` pairs, yields
    ``(number, key as sent, values, None)`` or ``(number, key as sent, None, {field: [messages]})``.
    """

    def __init__(self, model, columns, derived=(), reason=""):
        self.model = model
        self.columns = tuple(columns)
        self.derived = tuple(derived)
        self.reason = reason
        self.key = self.columns[0]
        self.validate = RowValidator(model, self.columns, cross_field=False)
        self.merges = bool(self.derived) or any(
            model.has_write_hook(hook) for hook in ("cross_field_errors", "transition_errors")
        )
        self.item_names = [f.attname for f in model.item_fields()]

    def __call__(self, rows):
        if not self.merges:
            for number, raw in rows:
                values, errors = self.validate(raw)
                yield number, raw[0], values, errors
            return
        chunk = []
        for number, raw in rows:
            values, errors = self.validate(raw)
            chunk.append((number, raw[0], values, errors))
            if len(chunk) >= CHUNK:
                yield from self._judge(chunk)
                chunk = []
        if chunk:
            yield from self._judge(chunk)

    def defaults(self):
        return {f.attname: f.get_default() for f in self.model.item_fields()}

    def _stored(self, keys):
        """``{key: {field: value}}`` of the stored records among ``keys``."""
        if not keys:
            return {}
        query = self.model._base_manager.filter(**{f"{self.key}__in": keys}).values(*self.item_names)
        return {row[self.key]: row for row in query}

    def _judge(self, chunk):
        stored = self._stored([values[0] for _n, _k, values, errors in chunk if errors is None])
        for number, sent_key, values, errors in chunk:
            if errors is not None:
                yield number, sent_key, None, errors
                continue
            row = dict(zip(self.columns, values, strict=True))
            values, errors = self.judge(stored.get(values[0]), row)
            yield number, sent_key, values, errors

    def judge(self, before, row):
        """``(values in column order, None)`` or ``(None, errors)`` for one row over its stored record."""
        model = self.model
        incoming = {name: value for name, value in row.items() if name not in self.derived}
        # a new record starts from the defaults its absent items get (as the loaders create it)
        merged = {**(before if before is not None else self.defaults()), **incoming}
        errors = {}
        if self.derived:
            try:
                merged = model.prepare_row(merged)
            except exceptions.ValidationError as error:
                errors.update(_messages(error))
            except (ValueError, TypeError, KeyError, IndexError, AttributeError):
                # a value the column checks let through but the derivation cannot read
                errors[self.derived[0]] = [_("Cannot be derived from the values of this row.")]
        if not errors:
            cross = model.cross_field_errors(merged)
            if cross and before is not None:
                # a defect the stored record already has in an item this write does not carry is
                # the quality scan's to report (to its source): it does not refuse the update
                already = model.cross_field_errors(dict(before))
                cross = {
                    name: messages
                    for name, messages in cross.items()
                    if name in incoming or _texts(already.get(name)) != _texts(messages)
                }
            errors = {name: [str(m) for m in messages] for name, messages in cross.items()}
        if not errors:
            transitions = model.transition_errors(before, merged, self.reason)
            errors = {name: [str(m) for m in messages] for name, messages in transitions.items()}
        if errors:
            return None, errors
        return tuple(merged.get(name) if name in self.derived else row[name] for name in self.columns), None
