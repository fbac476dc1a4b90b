"""Declarative threshold rules (conf/typologies/*.yaml) over gold.features.

A rule file holds `rules:`, a list of rules:

    - id: large_inflow_7d          # unique across files, lower_snake_case
      version: 1                   # bump whenever expression, params or segments change
      typology: profile_mismatch   # tag written to gold.rule_hits
      description: ...
      segments: [retail]           # customer segments the rule applies to; [] = every segment
      expression: in_usd_7d >= :min_usd AND in_count_7d >= :min_count
      params: {min_usd: 50000, min_count: 5}
      severity: medium             # low | medium | high | critical
      score: 40                    # 0..100
      evidence: [in_usd_7d, in_count_7d]
      red_flag: ...                # optional: the FATF red-flag indicator addressed

The expression is a plain boolean column expression: gold.features columns, `:param`
placeholders, literals, comparison / arithmetic / boolean operators, BETWEEN, IN, IS [NOT] NULL,
CASE WHEN, and the functions in ALLOWED_FUNCTIONS. Anything else (subqueries, other
functions, reflection, comments, statement separators) is rejected at load. Every error names
the file, the rule and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from fcc.core.tables import table

ALLOWED_FUNCTIONS = frozenset(
    {
        "abs",
        "ceil",
        "coalesce",
        "exp",
        "floor",
        "greatest",
        "if",
        "ifnull",
        "isnotnull",
        "isnull",
        "least",
        "ln",
        "log10",
        "nullif",
        "nvl",
        "power",
        "round",
        "sqrt",
        "try_divide",
        "try_multiply",
        "try_add",
        "try_subtract",
        "array_contains",
        "size",
    }
)
KEYWORDS = frozenset(
    {
        "and",
        "or",
        "not",
        "is",
        "null",
        "true",
        "false",
        "between",
        "in",
        "case",
        "when",
        "then",
        "else",
        "end",
        "like",
        "distinct",
        "from",
    }
)
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>'(?:[^'\\]|\\.|'')*')
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[lLdD]?)
  | (?P<param>:[A-Za-z_][A-Za-z0-9_]*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<quoted>`[^`]+`)
  | (?P<op><=>|<=|>=|<>|!=|==|=|<|>|\+|-|\*|/|%|\(|\)|,)
    """,
    re.VERBOSE,
)


class RuleValidationError(ValueError):
    """A rule file is invalid; the message names the file, rule and field of every problem."""


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: str
    typology: str = Field(min_length=1)
    description: str = Field(min_length=1)
    segments: list[str] = Field(default_factory=list)
    expression: str = Field(min_length=1)
    params: dict[str, float | int | str | bool | list[float | int | str]] = Field(
        default_factory=dict
    )
    severity: Literal["low", "medium", "high", "critical"]
    score: float = Field(ge=0, le=100)
    evidence: list[str] = Field(default_factory=list)
    enabled: bool = True
    red_flag: str | None = None


@dataclass(frozen=True)
class Rule:
    """A validated rule with its expression compiled to plain Spark SQL."""

    file: str
    id: str
    version: str
    typology: str
    description: str
    segments: tuple[str, ...]
    expression: str
    sql: str
    params: dict[str, Any]
    severity: str
    score: float
    evidence: tuple[str, ...]
    red_flag: str | None


def feature_columns() -> list[str]:
    """The gold.features columns as declared in the table registry right now."""
    return table("gold.features").schema.fieldNames()


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "(" + ", ".join(_literal(v) for v in value) + ")"
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def compile_expression(
    expression: str, params: dict[str, Any], columns: Iterable[str], where: str
) -> tuple[str, list[str]]:
    """Check an expression token by token and substitute its parameters.

    Returns (sql, errors); `where` prefixes every error message.
    """
    cols = {c.lower() for c in columns}
    errors: list[str] = []
    out: list[str] = []
    used: set[str] = set()
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(expression):
        m = _TOKEN.match(expression, pos)
        if not m:
            errors.append(f"{where}: expression: unexpected character {expression[pos]!r} at {pos}")
            return "", errors
        if m.lastgroup != "ws":
            tokens.append((m.lastgroup, m.group()))
        pos = m.end()
    for i, (kind, text) in enumerate(tokens):
        follows_call = i + 1 < len(tokens) and tokens[i + 1][1] == "("
        if kind == "param":
            name = text[1:]
            if name not in params:
                errors.append(
                    f"{where}: expression: unknown parameter {name!r} (declared: {sorted(params)})"
                )
                continue
            used.add(name)
            out.append(_literal(params[name]))
        elif kind in ("ident", "quoted"):
            name = text.strip("`")
            low = name.lower()
            if kind == "ident" and low in KEYWORDS:
                if low == "from" and not (i >= 2 and tokens[i - 1][1].lower() == "distinct"):
                    errors.append(
                        f"{where}: expression: FROM is only allowed in IS [NOT] DISTINCT FROM"
                    )
                out.append(text)
            elif follows_call:
                if low not in ALLOWED_FUNCTIONS:
                    errors.append(
                        f"{where}: expression: function {name!r} is not allowed "
                        f"(allowed: {', '.join(sorted(ALLOWED_FUNCTIONS))})"
                    )
                out.append(low)
            elif low in cols:
                out.append(f"`{name}`")
            else:
                errors.append(f"{where}: expression: unknown feature column {name!r}")
        else:
            out.append(text)
    unused = sorted(set(params) - used)
    if unused:
        errors.append(f"{where}: params: declared but not used in the expression: {unused}")
    return " ".join(out), errors


def _field_of(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "rule"


def load_rules(
    rule_sets: dict[str, Any],
    segments: Iterable[str],
    columns: Iterable[str] | None = None,
) -> list[Rule]:
    """Validate every rule file (file name -> parsed YAML) and compile its enabled rules.

    columns defaults to the gold.features registry schema; raises RuleValidationError listing
    every problem found.
    """
    columns = list(columns) if columns is not None else feature_columns()
    known_segments = set(segments)
    errors: list[str] = []
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for file, content in sorted(rule_sets.items()):
        if not isinstance(content, dict) or set(content) - {"rules"}:
            extra = sorted(set(content) - {"rules"}) if isinstance(content, dict) else content
            errors.append(f"{file}: expected a mapping with only the key 'rules', got {extra!r}")
            continue
        items = content.get("rules") or []
        if not isinstance(items, list):
            errors.append(f"{file}: rules: expected a list")
            continue
        for n, raw in enumerate(items):
            rid = raw.get("id", f"#{n + 1}") if isinstance(raw, dict) else f"#{n + 1}"
            where = f"{file}: rule {rid}"
            if isinstance(raw, dict) and isinstance(raw.get("version"), int | float):
                raw = {**raw, "version": str(raw["version"])}
            try:
                r = _Rule.model_validate(raw)
            except ValidationError as exc:
                for err in exc.errors():
                    kind = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
                    errors.append(f"{where}: {_field_of(err['loc'])}: {kind}")
                continue
            if r.id in seen:
                errors.append(f"{where}: id: duplicate of the rule in {seen[r.id]}")
            seen[r.id] = file
            bad_segments = sorted(set(r.segments) - known_segments)
            if bad_segments:
                errors.append(
                    f"{where}: segments: unknown segment(s) {bad_segments} (known: {sorted(known_segments)})"
                )
            bad_evidence = [c for c in r.evidence if c not in columns]
            if bad_evidence:
                errors.append(f"{where}: evidence: unknown feature column(s) {bad_evidence}")
            sql, expr_errors = compile_expression(r.expression, r.params, columns, where)
            errors.extend(expr_errors)
            if r.enabled and not expr_errors:
                rules.append(
                    Rule(
                        file=file,
                        id=r.id,
                        version=r.version,
                        typology=r.typology,
                        description=r.description,
                        segments=tuple(r.segments),
                        expression=r.expression,
                        sql=sql,
                        params=dict(r.params),
                        severity=r.severity,
                        score=r.score,
                        evidence=tuple(r.evidence),
                        red_flag=r.red_flag,
                    )
                )
    if errors:
        raise RuleValidationError("invalid typology rules:\n  " + "\n  ".join(errors))
    return rules


def check_types(rules: list[Rule], features: DataFrame) -> None:
    """Every rule expression must analyse to a boolean over the features schema."""
    errors = []
    for r in rules:
        try:
            dtype = features.limit(0).select(F.expr(r.sql).alias("x")).schema["x"].dataType
        except Exception as exc:  # analysis errors carry Spark's own explanation
            errors.append(f"{r.file}: rule {r.id}: expression: {str(exc).splitlines()[0]}")
            continue
        if not isinstance(dtype, T.BooleanType):
            errors.append(
                f"{r.file}: rule {r.id}: expression: must be boolean, is {dtype.simpleString()}"
            )
    if errors:
        raise RuleValidationError("invalid typology rules:\n  " + "\n  ".join(errors))


def apply_rules(features: DataFrame, rules: list[Rule]) -> DataFrame | None:
    """Hits of every rule over one as-of date's features (None when there are no rules)."""
    hits = None
    for r in rules:
        cond = F.expr(r.sql)
        if r.segments:
            cond = cond & F.col("segment").isin(*r.segments)
        params = [
            (F.array(*[F.lit(v) for v in val]) if isinstance(val, list) else F.lit(val)).alias(k)
            for k, val in sorted(r.params.items())
        ]
        evidence = F.struct(
            F.struct(*[F.col(c) for c in r.evidence]).alias("values")
            if r.evidence
            else F.lit(None).alias("values"),
            (F.struct(*params) if params else F.lit(None)).alias("params"),
            F.lit(r.expression).alias("expression"),
            F.col("segment"),
            F.lit(r.file).alias("rule_file"),
        )
        one = features.where(F.coalesce(cond, F.lit(False))).select(
            F.col("customer_id"),
            F.lit(r.id).alias("rule_id"),
            F.lit(r.version).alias("rule_version"),
            F.lit(r.typology).alias("typology"),
            F.lit(r.severity).alias("severity"),
            F.lit(float(r.score)).alias("score"),
            F.to_json(evidence).alias("evidence"),
            F.array().cast("array<string>").alias("txn_ids"),
        )
        hits = one if hits is None else hits.unionByName(one)
    return hits
