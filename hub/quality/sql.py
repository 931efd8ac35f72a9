"""Rules as SQL predicates, evaluated by the database over whole sets of rows.

Each rule kind compiles to two boolean SQL expressions over the record table
(aliased ``t``): *applies* (the row is checked by this rule) and *fails*
(the row violates it). Every ``fails`` expression is safe on its own, e.g. a
checksum guards its ``CAST``s with a ``CASE`` on the format, because neither
PostgreSQL nor SQLite promises to evaluate ``AND`` left to right.

The SQL is written once for both databases; where they differ (regular
expressions, character positions, JSON, date formatting) it branches on
``connection.vendor``. The ID number (GB 11643, ISO 7064 MOD 11-2) and unified
social credit code (GB 32100, MOD 31) checksums are plain ``substr``/``CAST``
arithmetic, tested against python-stdnum.
"""

import datetime
import functools
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from importlib import import_module

from django.apps import apps
from django.db import connection as default_connection
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.catalogue import spec as catalogue
from hub.catalogue.choices import CYCLE_DAYS

RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RIC_CHECK_CHARS = "10X98765432"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# The same character classes as regular expressions (PostgreSQL) and GLOB classes (SQLite).
USCC_CLASS = "0-9A-HJ-NP-RTUWXY"
CHECKSUM_SCHEMES = ("cn_ric", "cn_uscc")


class RuleError(ValueError):
    """A rule cannot be compiled: bad parameters, unknown field, missing target."""


@dataclass
class Check:
    """A compiled rule: SQL for 'checked' and 'fails', each with its parameters."""

    rule: object
    applies: str
    applies_params: list = dataclass_field(default_factory=list)
    fails: str = "FALSE"
    fails_params: list = dataclass_field(default_factory=list)
    field: str = ""  # the blamed item's model field, for examples
    # Statements to run before the passes (e.g. materialise duplicate groups once) and the temp
    # tables they create, dropped after the scan.
    setup: list = dataclass_field(default_factory=list)
    temp_tables: list = dataclass_field(default_factory=list)


def qn(name):
    return default_connection.ops.quote_name(name)


def _callable(path):
    module, _dot, name = path.rpartition(".")
    try:
        return getattr(import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise RuleError(_("%(path)s cannot be imported.") % {"path": path}) from exc


class Dialect:
    """The few SQL spellings PostgreSQL and SQLite disagree on."""

    def __init__(self, connection=None):
        self.connection = connection or default_connection
        self.vendor = self.connection.vendor

    def regex(self, expr):
        """``expr`` matches a regular expression (PostgreSQL ``~``; Django's REGEXP on SQLite)."""
        return f"({expr} ~ %s)" if self.vendor == "postgresql" else f"({expr} REGEXP %s)"

    def char_code(self, char_expr):
        """The code point of one character (``ascii`` on PostgreSQL, ``unicode`` on SQLite)."""
        return f"{'ascii' if self.vendor == 'postgresql' else 'unicode'}({char_expr})"

    def char_index(self, alphabet, char_expr):
        fn = "strpos" if self.vendor == "postgresql" else "instr"
        return f"({fn}('{alphabet}', {char_expr}) - 1)"


class Compiler(Dialect):
    """Turns the rules of one dataset into :class:`Check` objects for one connection.

    ``scoped`` says the scan covers a few keys only: uniqueness then probes
    each row's partners by index instead of grouping the whole table.
    """

    def __init__(self, dataset_spec, connection=None, *, scoped=False, now=None):
        self.dataset = dataset_spec
        super().__init__(connection)
        self.model = dataset_spec.model
        self.scoped = scoped
        self.now = now or timezone.now()
        self.table = self.model._meta.db_table

    # -- helpers ------------------------------------------------------------

    def field(self, name):
        try:
            f = self.model._meta.get_field(name)
        except Exception as exc:
            raise RuleError(
                _("%(dataset)s has no field %(field)r.") % {"dataset": self.dataset.code, "field": name}
            ) from exc
        if not getattr(f, "concrete", False) or f.many_to_many:
            raise RuleError(
                _("%(field)r is not a column of %(dataset)s.") % {"field": name, "dataset": self.dataset.code}
            )
        return f

    def col(self, name, alias="t"):
        return f"{alias}.{qn(self.field(name).column)}"

    def is_text(self, name):
        return isinstance(self.field(name), (models.CharField, models.TextField))

    def present(self, name, alias="t"):
        """The value is there: not NULL, and not blank for text."""
        c = self.col(name, alias)
        return f"({c} IS NOT NULL AND {c} <> '')" if self.is_text(name) else f"{c} IS NOT NULL"

    def db_value(self, name, value):
        f = self.field(name)
        if value == "today":
            value = timezone.localdate(self.now)
        try:
            return f.get_db_prep_value(f.to_python(value), self.connection, prepared=False)
        except Exception as exc:
            raise RuleError(
                _("%(value)r is not a valid value for %(field)s.") % {"value": value, "field": name}
            ) from exc

    def db_datetime(self, value):
        return self.connection.ops.adapt_datetimefield_value(value)

    def when(self, params, alias="t"):
        """SQL and params restricting a rule to rows where every ``when`` field equals its value."""
        conditions = params.get("when") or {}
        if not isinstance(conditions, dict):
            raise RuleError(_("'when' must map fields to values."))
        sql, args = [], []
        for name, value in conditions.items():
            sql.append(f"{self.col(name, alias)} = %s")
            args.append(self.db_value(name, value))
        return sql, args

    # -- compiling ------------------------------------------------------------

    def compile(self, rule) -> Check:
        params = rule.params or {}
        if not isinstance(params, dict):
            raise RuleError(_("Parameters must be a JSON object."))
        item_field = rule.item.field if rule.item_id else self.dataset.natural_key
        build = getattr(self, f"kind_{rule.kind}", None)
        if build is None:
            raise RuleError(_("Unknown rule kind %(kind)r.") % {"kind": rule.kind})
        self._setup, self._temp_tables = [], []
        applies, applies_params, fails, fails_params = build(rule, item_field, params)
        when_sql, when_params = self.when(params)
        applies_parts = [a for a in [applies, *when_sql] if a]
        return Check(
            rule=rule,
            applies=" AND ".join(f"({a})" for a in applies_parts) if applies_parts else "TRUE",
            applies_params=[*applies_params, *when_params],
            fails=fails,
            fails_params=list(fails_params),
            field=item_field,
            setup=self._setup,
            temp_tables=self._temp_tables,
        )

    def kind_required(self, rule, name, params):
        c = self.col(name)
        fails = f"({c} IS NULL OR {c} = '')" if self.is_text(name) else f"({c} IS NULL)"
        return "", [], fails, []

    def kind_format(self, rule, name, params):
        import re

        c = self.col(name)
        parts, args = [], []
        if params.get("min_length") is not None:
            parts.append(f"length({c}) < %s")
            args.append(int(params["min_length"]))
        if params.get("max_length") is not None:
            parts.append(f"length({c}) > %s")
            args.append(int(params["max_length"]))
        if params.get("regex"):
            try:
                re.compile(params["regex"])
            except re.error as exc:
                raise RuleError(_("Invalid regular expression: %(error)s.") % {"error": exc}) from exc
            parts.append(f"NOT {self.regex(c)}")
            args.append(params["regex"])
        if not parts:
            raise RuleError(_("A format rule needs regex, min_length or max_length."))
        return self.present(name), [], "(" + " OR ".join(parts) + ")", args

    def kind_checksum(self, rule, name, params):
        scheme = params.get("scheme")
        if scheme == "cn_ric":
            return self.present(name), [], ric_fails(self, self.col(name)), []
        if scheme == "cn_uscc":
            return self.present(name), [], uscc_fails(self, self.col(name)), []
        raise RuleError(
            _("Checksum scheme must be one of %(schemes)s.") % {"schemes": ", ".join(CHECKSUM_SCHEMES)}
        )

    def codes(self, name, params):
        if "choices" in params:
            values = params["choices"]
            if not isinstance(values, list):
                raise RuleError(_("'choices' must be a list of codes."))
        elif "values_from" in params:
            values = list(_callable(params["values_from"])())
        else:
            values = [str(key) for key, _label in self.field(name).flatchoices]
        if not values:
            raise RuleError(
                _("No code table for %(field)s: give 'choices' or 'values_from'.") % {"field": name}
            )
        return values

    def not_in_list(self, name, values):
        # Inlined as literals, not parameters: a code table can hold thousands of codes (SQLite
        # limits parameters), and PostgreSQL hashes a long constant IN list.
        literals = ", ".join(sql_literal(v) for v in values)
        return f"NOT ({self.col(name)} IN ({literals}))", []

    def kind_codetable(self, rule, name, params):
        fails, args = self.not_in_list(name, self.codes(name, params))
        return self.present(name), [], fails, args

    def kind_range(self, rule, name, params):
        c = self.col(name)
        parts, args = [], []
        if params.get("min") is not None:
            parts.append(f"{c} < %s")
            args.append(self.db_value(name, params["min"]))
        if params.get("max") is not None:
            parts.append(f"{c} > %s")
            args.append(self.db_value(name, params["max"]))
        if not parts:
            raise RuleError(_("A range rule needs min or max."))
        return self.present(name), [], "(" + " OR ".join(parts) + ")", args

    def kind_id_consistency(self, rule, name, params):
        id_col = self.col(params.get("id_field") or "id_number")
        part = params.get("part")
        c = self.col(name)
        # Plain string comparisons, no CAST, so no format guard is needed; an ID number that is
        # not 18 characters is left to its own checksum rule.
        id_present = f"length({id_col}) = 18"
        if part == "birth_date":
            if self.vendor == "postgresql":
                as_digits = f"to_char({c}, 'YYYYMMDD')"
            else:
                as_digits = f"replace({c}, '-', '')"
            return f"{c} IS NOT NULL AND {id_present}", [], f"({as_digits} <> substr({id_col}, 7, 8))", []
        if part == "gender":
            implied = f"CASE WHEN substr({id_col}, 17, 1) IN ('1', '3', '5', '7', '9') THEN '1' ELSE '2' END"
            return f"{c} IN ('1', '2') AND {id_present}", [], f"({c} <> {implied})", []
        raise RuleError(_("'part' must be birth_date or gender."))

    def kind_order(self, rule, name, params):
        other = params.get("after")
        if not other:
            raise RuleError(_("An order rule needs 'after': the field this one must not precede."))
        op = "<=" if params.get("strict") else "<"
        c, o = self.col(name), self.col(other)
        return f"{c} IS NOT NULL AND {o} IS NOT NULL", [], f"({c} {op} {o})", []

    def kind_reference(self, rule, name, params):
        """The value exists in another library: its table (``dataset``, ``field``), or the public
        code list a library offers (``values_from``, e.g. ``geodata.divisions.all_codes``)."""
        if params.get("values_from"):
            fails, args = self.not_in_list(name, list(_callable(params["values_from"])()))
            return self.present(name), [], fails, args
        target_code = params.get("dataset")
        try:
            target_spec = catalogue.get(target_code)
            target_model = apps.get_model(target_spec.model_label)
        except (catalogue.UnknownDataset, LookupError, ValueError):
            raise RuleError(
                _("Reference target %(dataset)r is not in the catalogue.") % {"dataset": target_code}
            ) from None
        try:
            column = target_model._meta.get_field(params.get("field") or target_spec.natural_key).column
        except Exception as exc:
            raise RuleError(
                _("%(dataset)s has no field %(field)r.")
                % {"dataset": target_code, "field": params.get("field")}
            ) from exc
        table, column = qn(target_model._meta.db_table), qn(column)
        target = f"SELECT r.{column} FROM {table} r WHERE r.{column} IS NOT NULL"
        when_sql, when_params = [], []
        for other, value in (params.get("target_when") or {}).items():
            try:
                other_column = target_model._meta.get_field(other).column
            except Exception as exc:
                raise RuleError(
                    _("%(dataset)s has no field %(field)r.") % {"dataset": target_code, "field": other}
                ) from exc
            when_sql.append(f" AND r.{qn(other_column)} = %s")
            when_params.append(value)
        return self.present(name), [], f"NOT ({self.col(name)} IN ({target}{''.join(when_sql)}))", when_params

    def kind_uniqueness(self, rule, name, params):
        names = params.get("fields") or [name]
        if not isinstance(names, list):
            raise RuleError(_("'fields' must be a list of fields."))
        present = " AND ".join(self.present(n) for n in names)
        when_sql, when_params = self.when(params, alias="u")
        if self.scoped:
            pk = self.model._meta.pk.column
            same = " AND ".join(f"{self.col(n, 'u')} = {self.col(n)}" for n in names)
            extra = "".join(f" AND {w}" for w in when_sql)
            fails = (
                f"EXISTS (SELECT 1 FROM {qn(self.table)} u WHERE {same} AND u.{qn(pk)} <> t.{qn(pk)}{extra})"
            )
            return present, [], fails, when_params
        # The duplicate groups are materialised once, before the passes: a small table the
        # row predicate probes by hash, instead of a subquery the planner may rerun per worker.
        cols = ", ".join(qn(self.field(n).column) for n in names)
        inner_present = " AND ".join(self.present(n, alias="u") for n in names)
        extra = "".join(f" AND {w}" for w in when_sql)
        groups = f"quality_scan_dup_{rule.pk or 0}"
        self._setup.append(
            (
                f"CREATE TEMP TABLE {qn(groups)} AS SELECT {cols} FROM {qn(self.table)} u "
                f"WHERE {inner_present}{extra} GROUP BY {cols} HAVING COUNT(*) > 1",
                when_params,
            )
        )
        self._temp_tables.append(groups)
        row = ", ".join(self.col(n) for n in names)
        target = f"({row})" if len(names) > 1 else row
        return present, [], f"{target} IN (SELECT {cols} FROM {qn(groups)})", []

    def kind_freshness(self, rule, name, params):
        days = params.get("days")
        if days is None:
            cycle = rule.item.update_cycle if rule.item_id else self.dataset.update_cycle
            days = CYCLE_DAYS.get(cycle)
        if not days:
            raise RuleError(_("The item changes only on events: give 'days' for a freshness rule."))
        threshold = self.now - datetime.timedelta(days=int(days))
        stamps = self.col("source_stamps")
        source_sql, source_params = self.source_code_sql(name)
        if self.vendor == "postgresql":
            stamp = f"({stamps} ->> {source_sql})"
        else:
            stamp = f"json_extract({stamps}, '$.' || {source_sql})"
        fails = f"(CASE WHEN {stamp} IS NULL THEN {self.col('updated_at')} < %s ELSE {stamp} < %s END)"
        # Stamps are ISO strings in UTC, so comparing them as text compares the times.
        return (
            self.present(name),
            [],
            fails,
            [
                *source_params,
                self.db_datetime(threshold),
                *source_params,
                threshold.astimezone(datetime.UTC).isoformat(),
            ],
        )

    def source_code_sql(self, name):
        """SQL for the code of the department that is the source of ``name`` in each row."""
        if not self.dataset.partition_field:
            return "%s", [self.dataset.source_of(name)]
        whens, args = [], []
        for value, code in sorted(self.dataset.partitions.items()):
            whens.append("WHEN %s THEN %s")
            args += [value, code]
        if not whens:
            return "NULL", []
        return f"(CASE {self.col(self.dataset.partition_field)} {' '.join(whens)} END)", args


def sql_literal(value):
    """A code as an SQL string literal (quotes doubled; ``%`` doubled for the driver's formatting)."""
    text = str(value)
    if "\x00" in text:
        raise RuleError(_("A code cannot contain a NUL character."))
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def ric_fails(dialect, c):
    """GB 11643: not 17 digits and a check character, or the check character is wrong.

    The format test is shaped for speed: PostgreSQL's regex engine is several times slower on
    a counted repetition (``[0-9]{17}``) than on ``+`` with the length checked apart.
    """
    if dialect.vendor == "postgresql":
        well_formed = f"(length({c}) = 18 AND {c} ~ '^[0-9]+X?$')"
        total = _ric_weighted_groups(c)
    else:
        well_formed = f"({c} GLOB '{'[0-9]' * 17}[0-9X]')"
        # Character codes minus 48 are the digits; 48 × (sum of the weights) is subtracted once.
        offset = 48 * sum(RIC_WEIGHTS)
        total = (
            " + ".join(
                f"{dialect.char_code(f'substr({c}, {i + 1}, 1)')} * {w}" for i, w in enumerate(RIC_WEIGHTS)
            )
            + f" - {offset}"
        )
    check = f"substr('{RIC_CHECK_CHARS}', (({total}) %% 11) + 1, 1)"
    return f"(CASE WHEN {well_formed} THEN {check} <> substr({c}, 18, 1) ELSE TRUE END)"


RIC_GROUPS = ((0, 3), (3, 6), (6, 9), (9, 12), (12, 15), (15, 17))


def _ric_weighted_groups(c):
    """The weighted digit sum (PostgreSQL), three digits at a time.

    Each group of digits is read as one integer and its weighted sum looked up
    in a constant array (index = the group's value): six casts and lookups
    instead of seventeen one-character substrings, about twice as fast.
    """
    return " + ".join(
        f"({table})[substr({c}, {start + 1}, {end - start})::integer + 1]"
        for (start, end), table in zip(RIC_GROUPS, _ric_group_tables(), strict=True)
    )


@functools.cache
def _ric_group_tables():
    """Per group of RIC_GROUPS, the weighted sums of its digits as a constant ``integer[]``."""
    tables = []
    for start, end in RIC_GROUPS:
        weights = RIC_WEIGHTS[start:end]
        width = end - start
        sums = [
            sum(int(digit) * w for digit, w in zip(str(value).zfill(width), weights, strict=True))
            for value in range(10**width)
        ]
        tables.append("'{" + ",".join(map(str, sums)) + "}'::integer[]")
    return tables


def uscc_fails(dialect, c):
    """GB 32100: not 8 digits and 10 code characters, or the check character is wrong."""
    if dialect.vendor == "postgresql":
        well_formed = (
            f"(length({c}) = 18 AND substr({c}, 1, 8) ~ '^[0-9]+$' AND substr({c}, 9) ~ '^[{USCC_CLASS}]+$')"
        )
    else:
        well_formed = f"({c} GLOB '{'[0-9]' * 8}{f'[{USCC_CLASS}]' * 10}')"
    total = " + ".join(
        f"{dialect.char_index(USCC_ALPHABET, f'substr({c}, {i + 1}, 1)')} * {w}"
        for i, w in enumerate(USCC_WEIGHTS)
    )
    check = f"substr('{USCC_ALPHABET}', ((31 - ({total}) %% 31) %% 31) + 1, 1)"
    return f"(CASE WHEN {well_formed} THEN {check} <> substr({c}, 18, 1) ELSE TRUE END)"


def check_rule(rule):
    """Compile ``rule`` once to surface bad parameters (admin form validation)."""
    try:
        dataset = catalogue.get(rule.dataset.code)
    except catalogue.UnknownDataset as exc:
        raise RuleError(_("Unknown dataset %(dataset)s.") % {"dataset": rule.dataset.code}) from exc
    return Compiler(dataset).compile(rule)
