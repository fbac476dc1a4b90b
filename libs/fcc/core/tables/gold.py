"""Gold: outputs of graph, screening, typologies, scoring and alerts (the contracts between
domains). Feature tables are declared in gold_features.py."""

from pyspark.sql import types as T

from fcc.core.tables._spec import USD, TableSpec, col, schema

S, L, I, D, B = T.StringType(), T.LongType(), T.IntegerType(), T.DoubleType(), T.BooleanType()
TS, DT = T.TimestampType(), T.DateType()

_ID_EVIDENCE = T.StructType([T.StructField("id_type", S), T.StructField("id_value", S)])

ENTITY_CLUSTERS = TableSpec(
    "gold",
    "entity_clusters",
    schema(
        col("as_of", DT, "business date", False),
        col("customer_id", S, "customer", False),
        col("cluster_id", L, "connected-component id (smallest member vertex id; stable)", False),
        col("cluster_size", I, "customers in the cluster"),
        col(
            "evidence",
            T.ArrayType(_ID_EVIDENCE),
            "shared identifiers / transfers that tie the customer in",
        ),
        col("distinct_names", I, "distinct full names among the members"),
        col("distinct_dobs", I, "distinct dates of birth among the members"),
        col("distinct_nationalities", I, "distinct nationalities among the members"),
        col("onboarded_close", I, "most members onboarded within the window of each other"),
        col("internal_flow_usd", USD, "internal transfers between members (lookback), USD"),
        col("members_with_exposure", I, "members with a gold.exposure row on the same as-of"),
    ),
    "Entity-resolution clusters: customers linked through shared identifiers and transfers.",
    partition_by=("as_of",),
    keys=("as_of", "customer_id"),
    owner="graph",
)

EXPOSURE = TableSpec(
    "gold",
    "exposure",
    schema(
        col("as_of", DT, "business date", False),
        col("customer_id", S, "customer", False),
        col(
            "category", S, "sanctioned | mixer | darknet | ransomware | scam | gambling ...", False
        ),
        col("direction", S, "in (funds came from) | out (funds went to)", False),
        col("min_hops", I, "1 = direct counterparty, 2+ = indirect"),
        col("exposure_usd", USD, "amount-weighted exposure with hop decay, USD"),
        col("traced_usd", USD, "customer funds traced to the category without hop decay, USD"),
        col("direct", B, "min_hops == 1"),
        col(
            "example_path", T.ArrayType(S), "one shortest path customer address -> labelled address"
        ),
        col("labelled_addresses", T.ArrayType(S), "labelled addresses reached (bounded list)"),
    ),
    "Direct and indirect exposure of customers to labelled addresses.",
    partition_by=("as_of",),
    keys=("as_of", "customer_id", "category", "direction"),
    owner="graph",
)

SCREENING_HITS = TableSpec(
    "gold",
    "screening_hits",
    schema(
        col("as_of", DT, "business date", False),
        col("hit_id", S, "deterministic id of (customer, entry, match type, subject)", False),
        col("customer_id", S, "customer", False),
        col("match_type", S, "name | address", False),
        col(
            "subject",
            S,
            "customer name or address screened (no PII in logs; stored here for review)",
        ),
        col("entry_id", S, "watchlist entry", False),
        col("list_name", S, "list"),
        col("list_version", S, "list version screened against"),
        col("entity_type", S, "person | entity | vessel | aircraft"),
        col("matched_list_name", S, "the list name/alias or address that matched"),
        col("name_score", D, "name similarity 0..1"),
        col("dob_score", D, "date-of-birth evidence -1..1 (negative = contradicts)"),
        col("country_score", D, "nationality/residence evidence -1..1"),
        col("score", D, "final score 0..1"),
        col("threshold", D, "threshold in force"),
        col("components", S, "JSON of every component score"),
        col(
            "status",
            S,
            "open | suppressed_fp | closed_delisted | error (name not screenable; reason in components)",
        ),
        col("customer_hash", S, "customer record hash screened"),
        col("entry_hash", S, "list entry hash screened"),
    ),
    "Watchlist hits on customers (names) and on their addresses (exact).",
    partition_by=("as_of",),
    keys=("as_of", "hit_id"),
    owner="screening",
)

RULE_HITS = TableSpec(
    "gold",
    "rule_hits",
    schema(
        col("as_of", DT, "business date", False),
        col("hit_id", S, "deterministic: sha of (as_of, customer, rule id, version)", False),
        col("customer_id", S, "customer", False),
        col("producer", S, "step that wrote the hit: typologies | graph", False),
        col("rule_id", S, "rule or detector id", False),
        col("rule_version", S, "rule version", False),
        col("typology", S, "typology tag", False),
        col("severity", S, "low | medium | high | critical", False),
        col("score", D, "0..100 strength of the hit"),
        col("evidence", S, "JSON: values, thresholds crossed, window, ordered path"),
        col("txn_ids", T.ArrayType(S), "transactions forming the pattern (bounded)"),
    ),
    "Typology rule and detector hits with evidence. Each producing step replaces only its own\n"
    "rows of an as-of date (replace_where(as_of=D, producer=...)).",
    partition_by=("as_of",),
    keys=("as_of", "hit_id"),
    owner="typologies",
)

_FACTOR = T.StructType(
    [
        T.StructField("factor", S),
        T.StructField("group", S),
        T.StructField("value", S),
        T.StructField("points", D),
    ]
)

RISK_SCORES = TableSpec(
    "gold",
    "risk_scores",
    schema(
        col("as_of", DT, "business date", False),
        col("customer_id", S, "customer", False),
        col("score", D, "0..100"),
        col("tier", S, "low | medium | high | very_high"),
        col("factors", T.ArrayType(_FACTOR), "each factor's value and points"),
        col("previous_tier", S, "tier of the previous scored date"),
        col("tier_changed", B, "tier differs from previous_tier"),
    ),
    "Explainable customer risk scores.",
    partition_by=("as_of",),
    keys=("as_of", "customer_id"),
    owner="scoring",
)

_HIT = T.StructType(
    [
        T.StructField("hit_id", S),
        T.StructField("source", S),
        T.StructField("rule_id", S),
        T.StructField("rule_version", S),
        T.StructField("typology", S),
        T.StructField("severity", S),
        T.StructField("evidence", S),
    ]
)

ALERTS = TableSpec(
    "gold",
    "alerts",
    schema(
        col("alert_id", S, "deterministic: sha of (customer, case type, opening as_of)", False),
        col("customer_id", S, "customer", False),
        col("case_type", S, "transaction_monitoring | sanctions | exposure | entity_ring", False),
        col("priority", S, "P1 | P2 | P3 | P4"),
        col("priority_score", D, "0..100"),
        col("severity", S, "highest severity among hits"),
        col("typologies", T.ArrayType(S), "typologies involved"),
        col("hits", T.ArrayType(_HIT), "every contributing hit with its evidence"),
        col("hit_fingerprint", S, "hash of the set of (rule id, version) hits, for suppression"),
        col("risk_score", D, "customer risk score at last update"),
        col("opened_as_of", DT, "business date the alert opened"),
        col("last_seen_as_of", DT, "latest business date with a contributing hit"),
        col("run_id", S, "run that last wrote the alert"),
        col("status", S, "open | closed"),
        col("disposition", S, "when closed: true_positive | false_positive | sar_filed ..."),
        col("closed_at", TS, "UTC"),
        col("updated_at", TS, "UTC"),
    ),
    "One alert per customer and case type, merged nightly.",
    keys=("alert_id",),
    owner="alerts",
)

ALL = [ENTITY_CLUSTERS, EXPOSURE, SCREENING_HITS, RULE_HITS, RISK_SCORES, ALERTS]
