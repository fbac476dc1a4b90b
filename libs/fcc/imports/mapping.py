"""Mapping files: how the columns of an external file become the fields of a bronze table.

A mapping is YAML validated by the pydantic models below before any data is read; every
error names the mapping file and the offending key.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import Field, ValidationError, model_validator
from pyspark.sql import types as T

from fcc.core.settings._base import Strict
from fcc.core.tables import TableSpec, bronze, truth

KINDS = (
    "customers",
    "fiat",
    "onchain",
    "internal",
    "trades",
    "identifiers",
    "address_labels",
    "fx_rates",
    "labels",
)
TRANSFER_KINDS = ("fiat", "internal", "labels")
ID_TYPES = ("device", "ip", "email", "phone", "bank_account", "withdrawal_address", "kyc_document")
TYPES = ("string", "decimal", "integer", "double", "boolean", "date", "timestamp")
EPOCH_FORMATS = ("epoch_seconds", "epoch_millis")
LANDING = ("batch_id", "landed_at")

TARGETS: dict[str, TableSpec] = {
    "customers": bronze.CUSTOMERS,
    "fiat": bronze.FIAT_LEDGER,
    "onchain": bronze.ONCHAIN_TRANSFERS,
    "internal": bronze.INTERNAL_TRANSFERS,
    "trades": bronze.TRADES,
    "identifiers": bronze.IDENTIFIERS,
    "address_labels": bronze.ADDRESS_INTEL,
    "fx_rates": bronze.FX_RATES,
    "labels": truth.CUSTOMER_LABELS,
}

# Fields whose meaning is a point in time, an amount or a date, whatever the bronze type is.
_TIMESTAMPS = {
    "booked_at",
    "block_time",
    "created_at",
    "executed_at",
    "onboarded_at",
    "updated_at",
    "first_seen",
}
_DECIMALS = {"amount", "base_amount", "quote_amount", "expected_monthly_volume", "usd_per_unit"}
_DATES = {"dob", "rate_date"}
# The event time of each kind: by default a row lands in bronze at that instant.
EVENT_FIELD = {
    "customers": "updated_at",
    "fiat": "booked_at",
    "onchain": "block_time",
    "internal": "created_at",
    "trades": "executed_at",
    "identifiers": "first_seen",
    "address_labels": "updated_at",
    "fx_rates": "rate_date",
}

# The two-sided transfer record of a transaction file (sender and receiver on one row).
TRANSFER_FIELDS: dict[str, tuple[str, bool]] = {
    "transfer_id": ("string", True),
    "timestamp": ("timestamp", True),
    "from_account": ("string", True),
    "to_account": ("string", True),
    "from_customer": ("string", False),
    "to_customer": ("string", False),
    "from_institution": ("string", False),
    "to_institution": ("string", False),
    "from_name": ("string", False),
    "to_name": ("string", False),
    "amount": ("decimal", True),
    "currency": ("string", True),
    "amount_received": ("decimal", False),
    "currency_received": ("string", False),
    "method": ("string", False),
    "reference": ("string", False),
    "counterparty_bank_country": ("string", False),
}


class MappingError(ValueError):
    """A mapping file is invalid or does not fit the file it is applied to (bad input)."""


def _check_zone(tz: str | None) -> str | None:
    """A region id (Europe/Berlin, UTC) or a fixed offset (+02:00)."""
    if tz is None or re.fullmatch(r"[+-][0-9]{2}:[0-9]{2}", tz):
        return tz
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a key too long for a path
        raise ValueError(f"unknown time zone {tz!r}") from None
    return tz


def target_fields(kind: str) -> dict[str, tuple[str, bool]]:
    """Target field -> (semantic type, required) of a kind's table, landing columns excluded."""
    spec = TARGETS[kind]
    out = {}
    for f in spec.schema.fields:
        if f.name in LANDING:
            continue
        if f.name in _TIMESTAMPS:
            kind_type = "timestamp"
        elif f.name in _DECIMALS:
            kind_type = "decimal"
        elif f.name in _DATES:
            kind_type = "date"
        elif isinstance(f.dataType, T.BooleanType):
            kind_type = "boolean"
        elif isinstance(f.dataType, T.DoubleType):
            kind_type = "double"
        elif isinstance(f.dataType, T.ArrayType):
            kind_type = "list"
        else:
            kind_type = "string"
        out[f.name] = (kind_type, not f.nullable)
    return out


_STEP_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}


class StepClock(Strict):
    """Integer simulation steps -> instants: step n happens at start + n x length."""

    start: str  # ISO 8601 instant of step 0, e.g. 2017-01-01T00:00:00Z
    length: str = "1 day"  # one step: "<n> second|minute|hour|day|week[s]"

    @model_validator(mode="after")
    def _valid(self) -> StepClock:
        from datetime import datetime

        try:
            parsed = datetime.fromisoformat(self.start.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"start: expected an ISO 8601 instant, got {self.start!r}") from None
        if parsed.tzinfo is None:
            raise ValueError(f"start: give the offset of {self.start!r} (e.g. Z or +00:00)")
        self.length_seconds  # noqa: B018 - raises on a bad length
        return self

    @property
    def start_epoch_seconds(self) -> int:
        from datetime import datetime

        return int(datetime.fromisoformat(self.start.replace("Z", "+00:00")).timestamp())

    @property
    def length_seconds(self) -> int:
        m = re.fullmatch(r"\s*([0-9]+)\s*(second|minute|hour|day|week)s?\s*", self.length)
        if not m or int(m.group(1)) == 0:
            raise ValueError(
                f"length: expected '<n> second|minute|hour|day|week', got {self.length!r}"
            )
        return int(m.group(1)) * _STEP_UNITS[m.group(2)]


class FieldMap(Strict):
    """One target field: from a source column, a Spark SQL expression or a constant."""

    column: str | None = None  # source column name as in the header (or `source.columns`)
    expr: str | None = None  # Spark SQL expression over source columns (backquote odd names)
    const: str | int | float | bool | None = None  # constant value (`const: null` = always null)
    type: (
        Literal["string", "decimal", "integer", "double", "boolean", "date", "timestamp"] | None
    ) = None
    format: str | None = None  # Spark datetime pattern, or epoch_seconds | epoch_millis
    steps: StepClock | None = None  # integer simulation step -> timestamp (start + n x length)
    time_zone: str | None = None  # zone of timestamps without offset (default: mapping time_zone)
    values: dict[str, str | None] | None = None  # value map, matched trimmed and case-insensitive
    unmapped: Literal["keep", "null", "reject"] = "reject"  # a value missing from `values`
    default: str | None = None  # used when the source value is null or blank
    required: bool | None = None  # null/blank -> quarantine MISSING_FIELD (default: table key)
    thousands: str | None = None  # grouping character removed before a decimal is parsed
    case: Literal["upper", "lower"] | None = None  # case of the output string
    hash: bool = False  # output the SHA-256 hex of the value (bank accounts, documents)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        """`field: Column Name` is short for `field: {column: Column Name}`."""
        if isinstance(data, str):
            return {"column": data}
        if isinstance(data, dict) and "unmapped" in data and data["unmapped"] is None:
            return {**data, "unmapped": "null"}  # YAML `unmapped: null`
        return data

    @model_validator(mode="after")
    def _one_source(self) -> FieldMap:
        given = [k for k in ("column", "expr", "const") if k in self.model_fields_set]
        if len(given) != 1:
            raise ValueError("give exactly one of column, expr, const")
        if self.unmapped != "reject" and self.values is None:
            raise ValueError("unmapped needs a values map")
        _check_zone(self.time_zone)
        if self.steps is not None and self.format is not None:
            raise ValueError("give either steps or format, not both")
        if self.steps is not None and self.type not in (None, "timestamp"):
            raise ValueError("steps makes a timestamp; type must be timestamp")
        return self

    @property
    def has_const(self) -> bool:
        return "const" in self.model_fields_set


class SourceOptions(Strict):
    """How the file is read."""

    # patterns: AMLworld's laundering-patterns text (BEGIN/END LAUNDERING ATTEMPT blocks of CSV
    # rows without header, named by `columns`); each row gets `attempt` (1, 2, ... in file
    # order) and `pattern` (the block's family, e.g. FAN-OUT, CYCLE) as two more columns.
    format: Literal["csv", "parquet", "json", "patterns"] = "csv"  # --format overrides
    delimiter: str = ","
    header: bool = True  # csv: first line holds column names
    columns: list[str] | None = None  # csv: names to use in file order (duplicate headers)
    encoding: str = "UTF-8"
    # csv quoting, RFC 4180 by default (as Python's csv module and Excel write it): fields in
    # `quote`, a quote inside a quoted field written twice (escape = quote). A file that
    # escapes quotes with a backslash instead says escape: "\\".
    quote: str = '"'
    escape: str = '"'
    # csv: quoted fields may hold line breaks (RFC 4180); off by default since such a file is
    # read by one task instead of being split
    multiline: bool = False

    @model_validator(mode="after")
    def _one_characters(self) -> SourceOptions:
        for key in ("delimiter", "quote", "escape"):
            if len(getattr(self, key)) != 1:
                raise ValueError(f"source.{key} must be one character, got {getattr(self, key)!r}")
        if self.quote == self.delimiter:
            raise ValueError("source.quote and source.delimiter must differ")
        return self


class DeriveCustomers(Strict):
    """Accounts-only data: one bronze customer per customer id seen in the transactions."""

    segment: str | None = "retail"  # segment of every derived customer
    residence_country: str | None = None  # ISO alpha-2 when the whole file is one country
    bank_account_identifiers: bool = True  # also write identifiers (bank_account, hashed id)
    hash_accounts: bool = True  # identifiers and counterparty accounts carry SHA-256 of the id


class IdentifierMap(Strict):
    """An identifier emitted per source row of a customer file."""

    id_type: Literal[
        "device", "ip", "email", "phone", "bank_account", "withdrawal_address", "kyc_document"
    ]
    value: FieldMap
    customer_id: FieldMap | None = None  # default: the row's mapped customer_id
    first_seen: FieldMap | None = None


class Labels(Strict):
    """Transaction-level labels of a transfers file (kind labels)."""

    suspicious: str  # boolean Spark SQL expression over source columns
    typology: FieldMap = Field(default_factory=lambda: FieldMap(const="laundering"))
    instance_id: FieldMap | None = None  # rows sharing it form one instance; null: one per row
    # false: customer labels only (the instances come from another file, e.g. AMLworld's
    # patterns file, where each laundering attempt keeps its family)
    instances: bool = True


class Fx(Strict):
    """USD rates for the currencies a transfers file uses (bronze.fx_rates)."""

    static_rates: str  # YAML of approximate USD per unit, path relative to the mapping file
    base_currency: str = "USD"


class Transfers(Strict):
    """A transaction file whose rows carry both sides of a payment."""

    fields: dict[str, FieldMap]
    # Boolean expression over the transfer fields: true -> bronze.internal_transfers,
    # false -> two bronze.fiat_ledger rows (DEBIT for the sender, CREDIT for the receiver).
    internal_when: str = "from_institution <=> to_institution"
    hash_accounts: bool = True  # counterparty_account of fiat rows = SHA-256 of the account id

    @model_validator(mode="after")
    def _known_fields(self) -> Transfers:
        unknown = sorted(set(self.fields) - set(TRANSFER_FIELDS))
        if unknown:
            raise ValueError(
                f"fields: unknown transfer field(s) {unknown}; known: {sorted(TRANSFER_FIELDS)}"
            )
        missing = [k for k, (_, req) in TRANSFER_FIELDS.items() if req and k not in self.fields]
        if missing:
            raise ValueError(f"fields: transfer field(s) {missing} must be mapped")
        return self


class Mapping(Strict):
    """A whole mapping file."""

    kinds: list[Literal[KINDS]]  # type: ignore[valid-type]
    description: str = ""
    source: SourceOptions = Field(default_factory=SourceOptions)
    time_zone: str = "UTC"  # zone of timestamps written without an offset
    landed_at: str = "event"  # event | now | an ISO 8601 instant
    fields: dict[str, FieldMap] = Field(default_factory=dict)
    transfers: Transfers | None = None
    derive_customers: DeriveCustomers | None = None
    identifiers: list[IdentifierMap] = Field(default_factory=list)
    labels: Labels | None = None
    fx: Fx | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Mapping:
        _check_zone(self.time_zone)
        if not self.kinds:
            raise ValueError("kinds: list at least one kind")
        if self.transfers is not None:
            odd = [k for k in self.kinds if k not in TRANSFER_KINDS]
            if odd:
                raise ValueError(f"kinds {odd} cannot use a transfers block ({TRANSFER_KINDS})")
            if self.fields:
                raise ValueError("fields: a transfers mapping maps `transfers.fields` only")
            if "labels" in self.kinds and self.labels is None:
                raise ValueError("labels: kind labels with transfers needs a labels block")
            return self
        if len(self.kinds) != 1:
            raise ValueError("kinds: a mapping without transfers serves exactly one kind")
        kind = self.kinds[0]
        allowed = target_fields(kind)
        unknown = sorted(set(self.fields) - set(allowed))
        if unknown:
            raise ValueError(
                f"fields: unknown target field(s) {unknown} for kind {kind}; known: {sorted(allowed)}"
            )
        missing = [k for k, (_, req) in allowed.items() if req and k not in self.fields]
        if missing:
            raise ValueError(f"fields: required target field(s) {missing} are not mapped")
        if self.labels is not None or self.fx is not None:
            raise ValueError("labels / fx blocks need a transfers block")
        if self.identifiers and kind != "customers":
            raise ValueError("identifiers: only customer files emit identifiers")
        if self.derive_customers is not None and kind not in (
            "fiat",
            "onchain",
            "internal",
            "trades",
        ):
            raise ValueError("derive_customers: only transaction kinds derive customers")
        return self


def _describe(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"] if not str(x).startswith("function-"))
        msg = e["msg"].removeprefix("Value error, ")
        parts.append(f"{loc or '(top level)'}: {msg}")
    return "; ".join(parts)


def load_mapping(path: str | Path, kind: str | None = None) -> Mapping:
    """Parse and validate a mapping file; with `kind`, the mapping must serve that kind."""
    path = Path(path)
    if not path.is_file():
        raise MappingError(f"mapping {path}: no such file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise MappingError(f"mapping {path}: not UTF-8 text: {exc}") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"mapping {path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise MappingError(f"mapping {path}: expected a mapping of keys, got {type(data).__name__}")
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        raise MappingError(f"mapping {path}: {_describe(exc)}") from None
    if kind is not None and kind not in mapping.kinds:
        raise MappingError(f"mapping {path}: serves kinds {mapping.kinds}, not {kind!r}")
    if mapping.landed_at not in ("event", "now"):
        from datetime import datetime

        try:
            datetime.fromisoformat(mapping.landed_at.replace("Z", "+00:00"))
        except ValueError:
            raise MappingError(
                f"mapping {path}: landed_at: expected event, now or an ISO 8601 instant"
            ) from None
    return mapping


def static_rates(mapping_path: str | Path, fx: Fx) -> dict[str, str]:
    """currency -> approximate USD per unit (decimal string) from the mapping's rate file."""
    path = (Path(mapping_path).parent / fx.static_rates).resolve()
    if not path.is_file():
        raise MappingError(f"mapping {mapping_path}: fx.static_rates: no such file {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MappingError(f"fx rates {path}: not a valid UTF-8 YAML file: {exc}") from None
    rates = data.get("usd_per_unit") if isinstance(data, dict) else None
    if not isinstance(rates, dict):
        raise MappingError(f"fx rates {path}: expected a `usd_per_unit:` mapping")
    out = {}
    for cur, value in rates.items():
        try:
            if isinstance(value, bool) or not math.isfinite(float(value)) or float(value) <= 0:
                raise ValueError
        except (TypeError, ValueError, OverflowError):
            raise MappingError(
                f"fx rates {path}: usd_per_unit.{cur}: expected a positive number"
            ) from None
        out[str(cur).upper()] = str(value)
    return out
