"""One name against the lists, for an analyst at a prompt (`fcc screen`), with the nightly matcher.

The list names are analysed and blocked with the functions the nightly pandas UDFs call
(`analyse_name`, `subject_keys`, `score_names`); the secondary evidence and the best pair
per entry are the nightly step's own Spark transforms (`with_evidence`, `best_per_entry`),
applied to the few scored candidates. Nothing is written.

Besides the blocked candidates, every list name whose tokens contain all the query's tokens is
a candidate too (a short partial query such as "bin Laden" returns every listed name with
both tokens, as a sanctions list search does), and is marked `contains`.
"""

from __future__ import annotations

import logging
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from fcc.core.settings.screening import ScreeningSettings
from fcc.screening._match import (
    best_per_entry,
    key_params,
    score_params,
    with_evidence,
)
from fcc.screening._names import (
    AnalysedName,
    KeyParams,
    analyse_readings,
    analysis_fingerprint,
    subject_keys,
)
from fcc.screening._score import score_names

log = logging.getLogger(__name__)

ENTRY_COLUMNS = (
    "entry_id",
    "list_name",
    "list_version",
    "entity_type",
    "dobs",
    "nationalities",
    "countries",
    "names",
)
_SCORES = ("aligned", "token_sort", "token_set", "concat", "name_score")
_CANDIDATES = T.StructType(
    [
        T.StructField("entry_id", T.StringType()),
        T.StructField("list_name", T.StringType()),
        T.StructField("list_version", T.StringType()),
        T.StructField("entity_type", T.StringType()),
        T.StructField("dobs", T.ArrayType(T.StringType())),
        T.StructField("nationalities", T.ArrayType(T.StringType())),
        T.StructField("countries", T.ArrayType(T.StringType())),
        T.StructField("name_idx", T.IntegerType()),
        T.StructField("list_subject", T.StringType()),
        T.StructField("name_type", T.StringType()),
        T.StructField("quality", T.StringType()),
        T.StructField("contains", T.BooleanType()),
        T.StructField("s", T.StructType([T.StructField(n, T.DoubleType()) for n in _SCORES])),
        T.StructField("customer_id", T.StringType()),
        T.StructField("variant", T.IntegerType()),
        T.StructField("subject", T.StringType()),
        T.StructField("subject_type", T.StringType()),
        T.StructField("dob_text", T.StringType()),
        T.StructField("nationality", T.StringType()),
        T.StructField("residence_country", T.StringType()),
    ]
)


class SearchError(ValueError):
    """The query cannot be screened (empty after analysis, bad date or country)."""


@dataclass(frozen=True)
class Query:
    name: str
    dob: str | None = None  # yyyy, yyyy-MM or yyyy-MM-dd, compared at the precision both sides have
    country: str | None = None  # ISO alpha-2, compared as the customer's nationality
    subject_type: str = "person"


def watchlist_frame(watchlist: DataFrame, lists: list[str] | None = None) -> pd.DataFrame:
    """silver.watchlist (optionally some lists) as one pandas frame of the columns screened."""
    df = watchlist.select(*ENTRY_COLUMNS)
    if lists:
        df = df.where(F.upper(F.col("list_name")).isin([x.upper() for x in lists]))
    return df.toPandas()


def _list_names(entries: pd.DataFrame) -> list[dict]:
    """One dict per list name (primary and aliases), with its position in `names`."""
    out = []
    for entry in entries.itertuples(index=False):
        for idx, n in enumerate(entry.names if entry.names is not None else []):
            name = n["name"] if isinstance(n, dict) else n.name
            if name and name.strip():
                out.append(
                    {
                        "entry": entry,
                        "name_idx": idx,
                        "list_subject": name,
                        "name_type": n["name_type"],
                        "quality": n["quality"],
                    }
                )
    return out


def _cache_file(params: KeyParams) -> Path | None:
    """Where analysed list names are kept between runs: one file per `analysis_fingerprint`
    (analysis code, libraries, key parameters), so a change of any starts a new cache.
    FCC_CACHE_DIR (default ~/.cache/fcc-scoring); "off" disables.
    """
    root = os.environ.get("FCC_CACHE_DIR", str(Path.home() / ".cache" / "fcc-scoring"))
    if root == "off":
        return None
    return Path(root) / f"name-analysis-{analysis_fingerprint(params)}.pickle"


def analysed_names(pairs: set[tuple[str, str | None]], params: KeyParams) -> dict:
    """(name, entity_type) -> every reading (AnalysedName) of each list name, analysed once per machine.

    Analysing a list name with rigour is the costly part of one search (about 50k names on the
    full SDN + UN lists); the names of a new list version are mostly those of the last one.
    """
    path = _cache_file(params)
    cached: dict = {}
    if path is not None and path.is_file():
        try:
            cached = pickle.loads(path.read_bytes())  # noqa: S301 - our own file
        except (OSError, pickle.UnpicklingError, EOFError):
            cached = {}
    missing = [p for p in pairs if p not in cached]
    for name, etype in missing:
        cached[(name, etype)] = analyse_readings(name, etype, params)
    if missing and path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps(cached, protocol=pickle.HIGHEST_PROTOCOL))
            tmp.replace(path)
        except OSError as exc:  # a read-only home: analyse again next time
            log.warning("name analysis cache not written: %s", exc)
    log.info("list names: %d analysed now, %d from cache", len(missing), len(pairs) - len(missing))
    return cached


def scored_candidates(entries: pd.DataFrame, query: Query, cfg: ScreeningSettings) -> list[dict]:
    """List names sharing a blocking key with the query, or holding all its tokens, scored.

    Both sides are compared in every reading (a Han name in each language's romanisation, a
    Hangul name in two schemes ...); a candidate keeps the components of its best reading pair.
    """
    kp, sp = key_params(cfg), score_params(cfg)
    readings = analyse_readings(query.name, query.subject_type, kp)
    if not readings:
        raise SearchError(
            f"the name {query.name!r} has no letters or digits left after analysis; "
            "nothing to screen"
        )
    q_keys = {k for q in readings for k in subject_keys(q, kp)}
    q_token_sets = [set(q.tokens) for q in readings]
    names = _list_names(entries)
    analysed: dict[tuple, tuple[AnalysedName, ...]] = analysed_names(
        {(n["list_subject"], n["entry"].entity_type) for n in names}, kp
    )
    rows = []
    for n in names:
        entry = n["entry"]
        listed = analysed[(n["list_subject"], entry.entity_type)]
        listed_tokens = [set(a.tokens) for a in listed]
        contains = any(q <= a for q in q_token_sets for a in listed_tokens)
        if not contains and q_keys.isdisjoint(k for a in listed for k in a.keys):
            continue
        best = max(
            (
                score_names(list(q.tokens), list(a.tokens), list(q.symbols), list(a.symbols), sp)
                for q in readings
                for a in listed
            ),
            key=lambda scores: scores.name_score,
        )
        rows.append(
            {
                "entry_id": entry.entry_id,
                "list_name": entry.list_name,
                "list_version": entry.list_version,
                "entity_type": entry.entity_type,
                "dobs": list(entry.dobs) if entry.dobs is not None else [],
                "nationalities": list(entry.nationalities)
                if entry.nationalities is not None
                else [],
                "countries": list(entry.countries) if entry.countries is not None else [],
                "name_idx": n["name_idx"],
                "list_subject": n["list_subject"],
                "name_type": n["name_type"],
                "quality": n["quality"],
                "contains": contains,
                "s": tuple(getattr(best, f) for f in _SCORES),
                "customer_id": "query",
                "variant": 0,
                "subject": query.name,
                "subject_type": query.subject_type,
                "dob_text": query.dob,
                "nationality": query.country,
                "residence_country": None,
            }
        )
    return rows


def search_name(
    spark: SparkSession,
    entries: pd.DataFrame,
    query: Query,
    cfg: ScreeningSettings,
    min_score: float | None = None,
    limit: int = 50,
) -> pd.DataFrame:
    """Ranked entries for one name: best list name per entry with every score component.

    Kept: entries whose score reaches `min_score` (default the name floor, below which the
    nightly step never applies evidence), and every `contains` candidate whatever its score.
    """
    rows = scored_candidates(entries, query, cfg)
    floor = cfg.evidence.name_floor if min_score is None else min_score
    if not rows:
        return pd.DataFrame(columns=list(RESULT_COLUMNS))
    ranked = (
        spark.createDataFrame(rows, _CANDIDATES)
        .transform(with_evidence(cfg))
        .transform(best_per_entry)
        .where((F.col("score") >= floor) | F.col("contains"))
        .withColumns(
            {
                "hit": F.col("score") >= cfg.threshold,
                "matched_name": F.col("list_subject"),
                **{f: F.col(f"s.{f}") for f in _SCORES},
            }
        )
        .select(*RESULT_COLUMNS)
        .orderBy(F.desc("score"), F.desc("name_score"), "entry_id")
        .limit(limit)
    )
    return ranked.toPandas()


RESULT_COLUMNS = (
    "score",
    "hit",
    "contains",
    "entry_id",
    "list_name",
    "entity_type",
    "matched_name",
    "name_type",
    *_SCORES,
    "dob_score",
    "country_score",
    "dob_adj",
    "country_adj",
    "type_adj",
    "alias_adj",
)
