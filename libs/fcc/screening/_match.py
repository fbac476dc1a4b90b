"""Name screening in Spark: subjects and list names -> analysed names -> blocked candidate
pairs -> rapidfuzz components (pandas UDFs) -> secondary evidence -> best pair per entry."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from fcc.core.settings.screening import ScreeningSettings
from fcc.screening._names import KeyParams, analyse_name, single_token_keys
from fcc.screening._score import ScoreParams, score_names

_ANALYSED = T.StructType(
    [
        T.StructField("tokens", T.ArrayType(T.StringType())),
        T.StructField("symbols", T.ArrayType(T.StringType())),
        T.StructField("keys", T.ArrayType(T.StringType())),
    ]
)
_SCORES = T.StructType(
    [
        T.StructField(n, T.DoubleType())
        for n in ("aligned", "token_sort", "token_set", "concat", "name_score")
    ]
)


def key_params(cfg: ScreeningSettings) -> KeyParams:
    b = cfg.blocking
    return KeyParams(b.prefix_length, b.min_token_length, b.symbol_keys)


def score_params(cfg: ScreeningSettings) -> ScoreParams:
    n = cfg.name
    return ScoreParams(
        n.token_min,
        n.unmatched_subject_weight,
        n.unmatched_list_weight,
        n.phonetic_similarity,
        n.phonetic_min_length,
        n.max_edit_fraction,
        n.phonetic_max_edit_fraction,
    )


def _analyse_udf(params: KeyParams, subject: bool) -> Callable[..., Column]:
    """pandas UDF (name, entity_type) -> struct(tokens, symbols, keys)."""

    @F.pandas_udf(_ANALYSED)
    def analyse(names: pd.Series, types: pd.Series) -> pd.DataFrame:
        rows = []
        for name, etype in zip(names, types, strict=True):
            a = analyse_name(name, etype, params)
            keys = a.keys + single_token_keys(a.tokens, params) if subject else a.keys
            rows.append((list(a.tokens), list(a.symbols), sorted(set(keys))))
        return pd.DataFrame(rows, columns=["tokens", "symbols", "keys"])

    return analyse


def _score_udf(params: ScoreParams) -> Callable[..., Column]:
    """pandas UDF (subject tokens/symbols, list tokens/symbols) -> struct of components."""

    @F.pandas_udf(_SCORES)
    def score(qt: pd.Series, qs: pd.Series, ct: pd.Series, cs: pd.Series) -> pd.DataFrame:
        rows = [
            tuple(score_names(list(a), list(c), list(b), list(d), params).__dict__.values())
            for a, b, c, d in zip(qt, qs, ct, cs, strict=True)
        ]
        return pd.DataFrame(rows, columns=_SCORES.fieldNames())

    return score


def subject_names(cfg: ScreeningSettings) -> Callable[[DataFrame], DataFrame]:
    """silver.customers -> one row per distinct customer name: full name and given + family."""

    def transform(customers: DataFrame) -> DataFrame:
        variants = F.array(
            F.col("full_name"), F.concat_ws(" ", F.col("given_name"), F.col("family_name"))
        )
        # a customer with a date of birth is a natural person (a sole trader in a company
        # segment is one too); only a company-segment customer without one is a legal entity
        subject_type = F.when(
            F.col("dob").isNull() & F.col("segment").isin(cfg.company_segments), F.lit("entity")
        ).otherwise(F.lit("person"))
        return (
            customers.select(
                "customer_id",
                F.col("record_hash").alias("customer_hash"),
                "dob",
                "nationality",
                "residence_country",
                subject_type.alias("subject_type"),
                F.posexplode(variants).alias("variant", "subject"),
            )
            .where(F.length(F.trim(F.col("subject"))) > 0)
            .dropDuplicates(["customer_id", "subject"])
        )

    return transform


def list_names(entries: DataFrame) -> DataFrame:
    """silver.watchlist (+ entry_hash) -> one row per list name (primary and aliases)."""
    return (
        entries.select(
            "entry_id",
            "list_name",
            "list_version",
            "entity_type",
            "entry_hash",
            "dobs",
            "nationalities",
            "countries",
            F.posexplode("names").alias("name_idx", "n"),
        )
        .select(
            "*",
            F.col("n.name").alias("list_subject"),
            F.col("n.name_type").alias("name_type"),
            F.col("n.quality").alias("quality"),
        )
        .drop("n")
        .where(F.length(F.trim(F.col("list_subject"))) > 0)
    )


def with_analysis(
    name_col: str, type_col: str, params: KeyParams, subject: bool
) -> Callable[[DataFrame], DataFrame]:
    """Add `a` = struct(tokens, symbols, keys) of the name in name_col."""
    udf = _analyse_udf(params, subject)
    return lambda df: df.withColumn("a", udf(F.col(name_col), F.col(type_col)))


def candidate_pairs(subjects: DataFrame, names: DataFrame) -> DataFrame:
    """Distinct (customer_id, variant, entry_id, name_idx) sharing at least one blocking key."""
    s = subjects.select("customer_id", "variant", F.explode("a.keys").alias("key"))
    n = names.select("entry_id", "name_idx", F.explode("a.keys").alias("key"))
    return s.join(n, "key").select("customer_id", "variant", "entry_id", "name_idx").distinct()


def score_pairs(
    pairs: DataFrame, subjects: DataFrame, names: DataFrame, params: ScoreParams
) -> DataFrame:
    """Join both sides' analyses to the pairs and add name components `s`."""
    udf = _score_udf(params)
    s = subjects.withColumnRenamed("a", "sa")
    n = names.withColumnRenamed("a", "na")
    return (
        pairs.join(s, ["customer_id", "variant"])
        .join(n, ["entry_id", "name_idx"])
        .withColumn("s", udf("sa.tokens", "sa.symbols", "na.tokens", "na.symbols"))
        .drop("sa", "na")
    )


def _dob_score(tolerance: int) -> Column:
    """1 exact, 0.6 same month, 0.5 same year, 0 unknown or within tolerance, -1 contradicts."""
    day = F.date_format("dob", "yyyy-MM-dd")
    month = F.date_format("dob", "yyyy-MM")
    year = F.year("dob")
    dobs = F.coalesce(F.col("dobs"), F.array().cast("array<string>"))
    near = F.exists(
        dobs,
        lambda d: F.abs(F.try_to_number(F.substring(d, 1, 4), F.lit("9999")) - year) <= tolerance,
    )
    return (
        F.when(F.col("dob").isNull() | (F.size(dobs) == 0), 0.0)
        .when(F.array_contains(dobs, day), 1.0)
        .when(F.exists(dobs, lambda d: F.substring(d, 1, 7) == month), 0.6)
        .when(F.exists(dobs, lambda d: F.substring(d, 1, 4) == year.cast("string")), 0.5)
        .when(near, 0.0)
        .otherwise(-1.0)
    )


def _country_score() -> Column:
    """1 nationality listed, 0.5 residence listed, -1 nationalities disagree, else 0."""
    nats = F.coalesce(F.col("nationalities"), F.array().cast("array<string>"))
    places = F.concat(nats, F.coalesce(F.col("countries"), F.array().cast("array<string>")))
    return (
        F.when(F.array_contains(nats, F.col("nationality")), 1.0)
        .when(F.array_contains(places, F.col("residence_country")), 0.5)
        .when((F.size(nats) > 0) & F.col("nationality").isNotNull(), -1.0)
        .otherwise(0.0)
    )


def with_evidence(cfg: ScreeningSettings) -> Callable[[DataFrame], DataFrame]:
    """Add dob_score, country_score, adjustments and the final score."""
    ev = cfg.evidence

    def transform(df: DataFrame) -> DataFrame:
        is_person = F.col("subject_type") == "person"
        df = df.withColumns(
            {
                "name_score": F.col("s.name_score"),
                "dob_score": F.when(
                    is_person & (F.col("entity_type") == "person"),
                    _dob_score(ev.dob_year_tolerance),
                ).otherwise(0.0),
                "country_score": F.when(is_person, _country_score()).otherwise(0.0),
            }
        )
        dob_adj = (
            F.when(F.col("dob_score") > 0, F.col("dob_score") * ev.dob_match_weight)
            .when(F.col("dob_score") < 0, -ev.dob_contradiction_penalty)
            .otherwise(0.0)
        )
        country_adj = (
            F.when(F.col("country_score") > 0, F.col("country_score") * ev.country_match_weight)
            .when(F.col("country_score") < 0, -ev.country_contradiction_penalty)
            .otherwise(0.0)
        )
        type_adj = F.when(
            F.col("subject_type") == F.coalesce(F.col("entity_type"), F.col("subject_type")), 0.0
        ).otherwise(-ev.type_mismatch_penalty)
        alias_adj = F.when(F.col("quality") == "weak", -ev.weak_alias_penalty).otherwise(0.0)
        adjusted = F.col("name_score") + dob_adj + country_adj + type_adj + alias_adj
        final = F.when(F.col("name_score") < ev.name_floor, F.col("name_score")).otherwise(
            F.least(F.lit(1.0), F.greatest(F.lit(0.0), adjusted))
        )
        return df.withColumns(
            {
                "dob_adj": dob_adj,
                "country_adj": country_adj,
                "type_adj": type_adj,
                "alias_adj": alias_adj,
                "score": F.round(final, 4),
            }
        )

    return transform


def best_per_entry(df: DataFrame) -> DataFrame:
    """Keep the best-scoring name pair of each (customer, entry)."""
    w = Window.partitionBy("customer_id", "entry_id").orderBy(
        F.desc("score"), F.desc("name_score"), "variant", "name_idx"
    )
    return df.withColumn("_rn", F.row_number().over(w)).where("_rn = 1").drop("_rn")


def to_name_hits(threshold: float) -> Callable[[DataFrame], DataFrame]:
    """Scored best pairs at or above threshold -> gold.screening_hits columns (status open)."""

    def transform(df: DataFrame) -> DataFrame:
        components = F.to_json(
            F.struct(
                F.col("s.aligned").alias("aligned"),
                F.col("s.token_sort").alias("token_sort"),
                F.col("s.token_set").alias("token_set"),
                F.col("s.concat").alias("concat"),
                "name_score",
                "dob_score",
                "country_score",
                "dob_adj",
                "country_adj",
                "type_adj",
                "alias_adj",
                "subject_type",
                "name_type",
                "quality",
                "variant",
            )
        )
        return df.where(F.col("score") >= threshold).select(
            F.sha2(
                F.concat_ws("|", "customer_id", "entry_id", F.lit("name"), F.lit("")), 256
            ).alias("hit_id"),
            "customer_id",
            F.lit("name").alias("match_type"),
            "subject",
            "entry_id",
            "list_name",
            "list_version",
            "entity_type",
            F.col("list_subject").alias("matched_list_name"),
            "name_score",
            "dob_score",
            "country_score",
            "score",
            F.lit(threshold).alias("threshold"),
            components.alias("components"),
            F.lit("open").alias("status"),
            "customer_hash",
            "entry_hash",
        )

    return transform


def screen_names(
    customers: DataFrame, entries: DataFrame, cfg: ScreeningSettings
) -> tuple[DataFrame, DataFrame, list[DataFrame]]:
    """(candidate pairs, name hits, frames to unpersist) of customers against list entries.

    The analysed names and the candidate pairs are persisted: each is read twice (keys and
    join back), and the pandas UDFs must not run twice.
    """
    kp = key_params(cfg)
    subjects = (
        customers.transform(subject_names(cfg))
        .transform(with_analysis("subject", "subject_type", kp, subject=True))
        .persist()
    )
    names = (
        list_names(entries)
        .transform(with_analysis("list_subject", "entity_type", kp, subject=False))
        .persist()
    )
    pairs = candidate_pairs(subjects, names).persist()
    scored = score_pairs(pairs, subjects, names, score_params(cfg)).where(
        F.col("s.name_score") >= min(cfg.evidence.name_floor, cfg.threshold)
    )
    hits = (
        scored.transform(with_evidence(cfg))
        .transform(best_per_entry)
        .transform(to_name_hits(cfg.threshold))
    )
    return pairs, hits, [subjects, names, pairs]
