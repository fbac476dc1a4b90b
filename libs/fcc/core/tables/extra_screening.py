"""Tables owned by screening: analyst decisions (false-positive memory), screening state, and
the list names as analysed for matching."""

from pyspark.sql import types as T

from fcc.core.tables._spec import TableSpec, col, schema

S, L, DT, TS = T.StringType(), T.LongType(), T.DateType(), T.TimestampType()

SCREENING_DECISIONS = TableSpec(
    "gold",
    "screening_decisions",
    schema(
        col("customer_id", S, "customer", False),
        col("entry_id", S, "watchlist entry", False),
        col("match_type", S, "name | address", False),
        col("decision", S, "false_positive | true_positive", False),
        col(
            "customer_hash",
            S,
            "customer hash of the hit decided on (name: record_hash; address: address key hash)",
        ),
        col("entry_hash", S, "entry hash of the hit decided on"),
        col("analyst", S, "who decided"),
        col("reason", S, "free-text rationale"),
        col("decided_at", TS, "UTC"),
    ),
    "Analyst decisions on screening hits; a false positive suppresses the same hit while "
    "neither the customer's nor the entry's hash changes. Latest decision per key wins.",
    keys=("customer_id", "entry_id", "match_type"),
    owner="screening",
)

SCREENING_STATE = TableSpec(
    "gold",
    "screening_state",
    schema(
        col("as_of", DT, "business date", False),
        col("customer_id", S, "customer", False),
        col("customer_hash", S, "record_hash the customer's current name hits were computed from"),
        col("screened_as_of", DT, "business date the customer's names were last screened"),
    ),
    "Per as-of date, the customer record hash each customer was last name-screened with "
    "(drives delta re-screening of new and changed customers).",
    partition_by=("as_of",),
    keys=("as_of", "customer_id"),
    owner="screening",
)

SCREENING_RUNS = TableSpec(
    "gold",
    "screening_runs",
    schema(
        col("as_of", DT, "business date", False),
        col("run_id", S, "run that screened"),
        col(
            "mode", S, "full (list version changed or first run) | delta (new / changed customers)"
        ),
        col("list_versions", T.ArrayType(S), "sorted list_name:list_version screened against"),
        col("customers_screened", L, "customers whose names were screened"),
        col("candidate_pairs", L, "name pairs scored after blocking"),
        col("hits_open", L, "open hits written"),
    ),
    "One row per screened business date: mode and list versions (the last list versions "
    "decide whether the next night screens everyone).",
    keys=("as_of",),
    owner="screening",
)

_READING = T.StructType(
    [
        T.StructField("tokens", T.ArrayType(S)),
        T.StructField("symbols", T.ArrayType(S)),
    ]
)

WATCHLIST_NAME_ANALYSIS = TableSpec(
    "silver",
    "watchlist_name_analysis",
    schema(
        col(
            "analysis", S, "fingerprint of the analysis code, its libraries and key settings", False
        ),
        col("list_subject", S, "list name as listed", False),
        col("entity_type", S, "person | entity | vessel | aircraft"),
        col("readings", T.ArrayType(_READING), "each reading's tokens and name-part symbols"),
        col("keys", T.ArrayType(S), "blocking keys of all readings"),
        col("analysed_at", TS, "UTC"),
    ),
    "Each distinct list name as screening analysed it (readings, symbols, blocking keys), so a "
    "night analyses only the names new since the last; a change of the analysis code, its "
    "libraries or the key settings starts a new fingerprint.",
    keys=("analysis", "list_subject", "entity_type"),
    owner="screening",
)

ALL = [SCREENING_DECISIONS, SCREENING_STATE, SCREENING_RUNS, WATCHLIST_NAME_ANALYSIS]
