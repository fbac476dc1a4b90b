"""Name screening in Spark: subjects and list names -> analysed names (pandas UDF) -> blocked
candidate pairs -> name components (Python workers, one subject name with its candidate list
names at a time) -> secondary evidence -> best pair per entry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

import pandas as pd
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from fcc.core.observe import Counts, counted
from fcc.core.settings.screening import ScreeningSettings
from fcc.screening._names import KeyParams, analyse_readings, analysis_fingerprint, subject_keys
from fcc.screening._score import (
    PartIndex,
    ScoreParams,
    SubjectScorer,
    caches_kept_from_collector,
    cyclic_gc_paused,
)

_READING = T.StructType(
    [
        T.StructField("tokens", T.ArrayType(T.StringType())),
        T.StructField("symbols", T.ArrayType(T.StringType())),
    ]
)
# every reading of a name (tokens + symbols) and the union of their blocking keys
_ANALYSED = T.StructType(
    [
        T.StructField("readings", T.ArrayType(_READING)),
        T.StructField("keys", T.ArrayType(T.StringType())),
    ]
)
NO_READING = "NAME_NOT_TRANSLITERATED"  # error reason: a name that yields no Latin token
_SCORES = T.StructType(
    [
        T.StructField(n, T.DoubleType())
        for n in ("aligned", "token_sort", "token_set", "concat", "name_score")
    ]
)
# one scored (subject name, list name) pair, as the scoring workers give it
_SCORED = T.StructType(
    [
        T.StructField("subject", T.StringType()),
        T.StructField("subject_type", T.StringType()),
        T.StructField("list_subject", T.StringType()),
        T.StructField("entity_type", T.StringType()),
        *_SCORES.fields,
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
        n.initial_similarity,
        n.skeleton_similarity,
        n.unmatched_particle_weight,
        n.unmatched_patronymic_weight,
        n.rejoined_similarity,
        n.dot_variant_similarity,
    )


def _analyse_udf(params: KeyParams, subject: bool) -> Callable[..., Column]:
    """pandas UDF (name, entity_type) -> struct(readings, keys)."""

    @F.pandas_udf(_ANALYSED)
    def analyse(names: pd.Series, types: pd.Series) -> pd.DataFrame:
        rows = []
        for name, etype in zip(names, types, strict=True):
            keys: set[str] = set()
            readings = []
            for a in analyse_readings(name, etype, params):
                keys.update(subject_keys(a, params) if subject else a.keys)
                readings.append({"tokens": list(a.tokens), "symbols": list(a.symbols)})
            rows.append((readings, sorted(keys)))
        return pd.DataFrame(rows, columns=["readings", "keys"])

    return analyse


def _pairs(readings) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(tokens, symbols) of each analysed reading as the scorer takes them."""
    return [(tuple(r["tokens"]), tuple(r["symbols"])) for r in readings]


def subject_names(cfg: ScreeningSettings) -> Callable[[DataFrame], DataFrame]:
    """silver.customers -> one row per distinct customer name: full name and given + family."""

    def transform(customers: DataFrame) -> DataFrame:
        # the full name, then given + family when they spell another name (array_distinct keeps
        # the first of equal ones: no shuffle of the population to drop duplicates)
        variants = F.array_distinct(
            F.array(F.col("full_name"), F.concat_ws(" ", F.col("given_name"), F.col("family_name")))
        )
        # a customer with a date of birth is a natural person (a sole trader in a company
        # segment is one too); only a company-segment customer without one is a legal entity
        has_dob = F.col("dob").isNotNull()
        if "dob_partial" in customers.columns:
            has_dob = has_dob | F.col("dob_partial").isNotNull()
        subject_type = F.when(
            ~has_dob & F.col("segment").isin(cfg.company_segments), F.lit("entity")
        ).otherwise(F.lit("person"))
        # the DOB at the precision captured: yyyy, yyyy-MM or yyyy-MM-dd
        dob_text = F.date_format("dob", "yyyy-MM-dd")
        if "dob_partial" in customers.columns:
            dob_text = F.coalesce(F.col("dob_partial"), dob_text)
        return customers.select(
            "customer_id",
            F.col("record_hash").alias("customer_hash"),
            dob_text.alias("dob_text"),
            "nationality",
            "residence_country",
            subject_type.alias("subject_type"),
            F.posexplode(variants).alias("variant", "subject"),
        ).where(F.length(F.trim(F.col("subject"))) > 0)

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


_NAME = ["subject", "subject_type"]  # a distinct subject name: what analysis and scoring see


_LISTED = ["list_subject", "entity_type"]  # a distinct list name: what analysis and scoring see


def candidate_pairs(names_screened: DataFrame, analysed: DataFrame) -> DataFrame:
    """Each subject name (subject, subject_type) with `listed`, the distinct list names
    (list_subject, entity_type) sharing at least one blocking key with it: one aggregation."""
    s = names_screened.select(*_NAME, F.explode("a.keys").alias("key"))
    n = analysed.select(*_LISTED, F.explode("a.keys").alias("key"))
    return s.join(n, "key").groupBy(*_NAME).agg(F.collect_set(F.struct(*_LISTED)).alias("listed"))


def score_pairs(
    candidates: DataFrame,
    names_screened: DataFrame,
    analysed: DataFrame,
    params: ScoreParams,
    floor: float,
) -> DataFrame:
    """The name pairs whose name score reaches `floor`, with the name components `s`.

    Each distinct (subject name, list name) is scored once, in a Python worker that takes one
    subject name with all its candidate list names. The list names' analyses (a fixed few
    tens of thousands, whatever the population) are collected once and broadcast, so only
    the subject's readings travel with the pairs.
    """
    # collected through Arrow: nested readings as plain lists, not Rows built one by one
    table = analysed.select(*_LISTED, "a.readings").toArrow()
    listed = {
        (subject, etype): _pairs(readings)
        for subject, etype, readings in zip(
            *(table.column(i).to_pylist() for i in range(3)), strict=True
        )
    }
    shared = candidates.sparkSession.sparkContext.broadcast(listed)
    grouped = candidates.join(names_screened.select(*_NAME, F.col("a.readings").alias("sr")), _NAME)

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        with cyclic_gc_paused():
            analyses = shared.value
            parts = _list_part_index(analyses)
        for batch in batches:
            rows = []
            with cyclic_gc_paused():
                for subject, stype, refs, sr in zip(
                    batch["subject"],
                    batch["subject_type"],
                    batch["listed"],
                    batch["sr"],
                    strict=True,
                ):
                    scorer = SubjectScorer(_pairs(sr), params, floor, parts)
                    for ref in refs:
                        key = (ref["list_subject"], ref["entity_type"])
                        s = scorer.best(analyses[key])
                        if s.name_score >= floor:
                            rows.append((subject, stype, *key, *s.__dict__.values()))
            if rows:
                yield pd.DataFrame(rows, columns=_SCORED.fieldNames())
        # the worker's next task of the step scores with the same caches
        caches_kept_from_collector()

    components = F.struct(*[F.col(n) for n in _SCORES.fieldNames()]).alias("s")
    return grouped.mapInPandas(score, _SCORED).select(*_NAME, *_LISTED, components)


# the list parts' index of the broadcast list names, built once per Python worker, which runs
# many tasks of one step: kept with the analyses it indexes (the latest only)
_PART_INDEX: list[tuple[dict, PartIndex]] = []


def _list_part_index(analyses: dict) -> PartIndex:
    if not _PART_INDEX or _PART_INDEX[0][0] is not analyses:
        _PART_INDEX[:] = [(analyses, PartIndex(r for rs in analyses.values() for r in rs))]
    return _PART_INDEX[0][1]


def _dob_score(tolerance: int) -> Column:
    """Compare at the precision both sides have (a DOB is yyyy, yyyy-MM or yyyy-MM-dd).

    1 same day, 0.6 same month, 0.5 same year (a year-only DOB on either side can give at
    most 0.5: nothing is invented); 0 unknown or years within tolerance; -1 contradicts.
    """
    subject = F.col("dob_text")
    dobs = F.coalesce(F.col("dobs"), F.array().cast("array<string>"))

    def agreement(d: Column) -> Column:
        both = F.least(F.length(subject), F.length(d))
        return (
            F.when((both >= 10) & (F.substring(subject, 1, 10) == F.substring(d, 1, 10)), 1.0)
            .when((both >= 7) & (F.substring(subject, 1, 7) == F.substring(d, 1, 7)), 0.6)
            .when(F.substring(subject, 1, 4) == F.substring(d, 1, 4), 0.5)
            .otherwise(0.0)
        )

    year = F.try_to_number(F.substring(subject, 1, 4), F.lit("9999"))
    near = F.exists(
        dobs,
        lambda d: F.abs(F.try_to_number(F.substring(d, 1, 4), F.lit("9999")) - year) <= tolerance,
    )
    best = F.array_max(F.transform(dobs, agreement))
    return (
        F.when(subject.isNull() | (F.size(dobs) == 0), 0.0)
        .when(best > 0, best)
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


def to_error_rows(threshold: float) -> Callable[[DataFrame], DataFrame]:
    """Analysed subjects whose name yields no token -> status `error` rows with the reason."""

    def transform(subjects: DataFrame) -> DataFrame:
        none = F.lit(None)
        return subjects.where(F.size("a.readings") == 0).select(
            F.sha2(F.concat_ws("|", "customer_id", F.lit(""), F.lit("name"), "subject"), 256).alias(
                "hit_id"
            ),
            "customer_id",
            F.lit("name").alias("match_type"),
            "subject",
            F.lit("").alias("entry_id"),
            none.cast("string").alias("list_name"),
            none.cast("string").alias("list_version"),
            none.cast("string").alias("entity_type"),
            none.cast("string").alias("matched_list_name"),
            none.cast("double").alias("name_score"),
            none.cast("double").alias("dob_score"),
            none.cast("double").alias("country_score"),
            none.cast("double").alias("score"),
            F.lit(threshold).alias("threshold"),
            F.to_json(F.struct(F.lit(NO_READING).alias("reason"), "variant")).alias("components"),
            F.lit("error").alias("status"),
            "customer_hash",
            none.cast("string").alias("entry_hash"),
        )

    return transform


class NameScreening(NamedTuple):
    """What `screen_names` builds: the candidate pairs per customer, the name hits, the frames
    to unpersist, the number of name pairs scored (gathered by the first action over the hits
    or the pairs), and the list names analysed now (rows of silver.watchlist_name_analysis,
    for the caller to store) with their number (`n`, gathered by the same action)."""

    pairs: DataFrame
    hits: DataFrame
    cached: list[DataFrame]
    pair_count: Counts
    analysed_now: DataFrame
    analysed_now_count: Counts


def analysed_list_names(
    names: DataFrame, known: DataFrame | None, params: KeyParams, fingerprint: str
) -> DataFrame:
    """Each distinct (list_subject, entity_type) of `names` with `a` = struct(readings, keys)
    and `cached`: taken from `known` (silver.watchlist_name_analysis rows of this fingerprint)
    when there, analysed now otherwise."""
    distinct = names.select("list_subject", "entity_type").distinct()
    if known is None:
        fresh = distinct
        reused = None
    else:
        known = known.where(F.col("analysis") == fingerprint).select(
            F.col("list_subject").alias("_subject"),
            F.col("entity_type").alias("_type"),
            F.struct("readings", "keys").alias("a"),
        )
        on = _same_list_name("_subject", "_type")
        fresh = distinct.join(known, on, "left_anti")
        reused = distinct.join(known, on).select(
            "list_subject", "entity_type", "a", F.lit(True).alias("cached")
        )
    fresh = fresh.transform(with_analysis("list_subject", "entity_type", params, subject=False))
    fresh = fresh.withColumn("cached", F.lit(False))
    return fresh if reused is None else fresh.unionByName(reused)


def _same_list_name(subject: str, entity_type: str) -> Column:
    """The list name and entity type equal those in the given columns (entity_type may be null)."""
    return (F.col("list_subject") == F.col(subject)) & F.col("entity_type").eqNullSafe(
        F.col(entity_type)
    )


def to_name_analysis_rows(analysed: DataFrame, fingerprint: str) -> DataFrame:
    """The list names analysed now, as silver.watchlist_name_analysis rows."""
    return analysed.where(~F.col("cached")).select(
        F.lit(fingerprint).alias("analysis"),
        "list_subject",
        "entity_type",
        F.col("a.readings").alias("readings"),
        F.col("a.keys").alias("keys"),
        F.current_timestamp().alias("analysed_at"),
    )


def screen_names(
    customers: DataFrame,
    entries: DataFrame,
    cfg: ScreeningSettings,
    known_list_names: DataFrame | None = None,
) -> NameScreening:
    """Candidate pairs and name hits of customers against list entries.

    Each distinct subject name (with its subject type) is analysed, blocked and scored once,
    however many customers carry it; the scored pairs then meet each customer's DOB and
    countries. A customer name that yields no token in any reading gets a status `error` row
    with the reason (`NO_READING`) instead of being skipped.

    A list name found in `known_list_names` (silver.watchlist_name_analysis) under the
    current `analysis_fingerprint` is not analysed again.

    The customers' names, the analysed names and the name pairs are persisted: each is read
    more than once, and the pandas UDFs must not run twice. `pair_count` counts the name pairs
    while they are first computed.
    """
    kp = key_params(cfg)
    subjects = customers.transform(subject_names(cfg)).persist()
    screened = (
        subjects.select(*_NAME)
        .distinct()
        .transform(with_analysis("subject", "subject_type", kp, subject=True))
        .persist()
    )
    fingerprint = analysis_fingerprint(kp)
    base = list_names(entries)
    analysed, analysed_count = counted(
        analysed_list_names(base, known_list_names, kp, fingerprint),
        n=F.sum((~F.col("cached")).cast("long")),
    )
    analysed = analysed.persist()
    candidates, pair_count = counted(candidate_pairs(screened, analysed), n=F.sum(F.size("listed")))
    candidates = candidates.persist()
    floor = min(cfg.evidence.name_floor, cfg.threshold)  # below it no evidence makes a hit
    # the name pairs reaching the floor are few (a fraction of a percent of the pairs scored):
    # they meet the list entries and the population as a broadcast, without a shuffle of either
    scored = score_pairs(candidates, screened, analysed, score_params(cfg), floor)
    scored = F.broadcast(
        scored.withColumnsRenamed({"list_subject": "_subject", "entity_type": "_type"})
        .join(base, _same_list_name("_subject", "_type"))
        .drop("_subject", "_type")
    ).join(subjects, _NAME)
    unreadable = screened.where(F.size("a.readings") == 0).select(*_NAME, "a")
    hits = (
        scored.transform(with_evidence(cfg))
        .transform(best_per_entry)
        .transform(to_name_hits(cfg.threshold))
        .unionByName(subjects.join(unreadable, _NAME).transform(to_error_rows(cfg.threshold)))
    )
    pairs = (
        candidates.select(*_NAME, F.explode("listed").alias("l"))
        .select(
            *_NAME, F.col("l.list_subject").alias("_subject"), F.col("l.entity_type").alias("_type")
        )
        .join(base.select("entry_id", "name_idx", *_LISTED), _same_list_name("_subject", "_type"))
        .join(subjects.select("customer_id", "variant", *_NAME), _NAME)
        .select("customer_id", "variant", "entry_id", "name_idx")
    )
    return NameScreening(
        pairs,
        hits,
        [subjects, screened, analysed, candidates],
        pair_count,
        to_name_analysis_rows(analysed, fingerprint),
        analysed_count,
    )
