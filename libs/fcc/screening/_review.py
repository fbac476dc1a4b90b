"""Analysts' review of screening hits: the hits of a date, and a decision on one hit recorded
through `record_decision` and in the run ledger (ops.runs)."""

from __future__ import annotations

import logging
import re
from datetime import date

import pandas as pd
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.runs import RunLedger, StepRecord, safe_error
from fcc.core.settings import AppConfig
from fcc.core.tables import gold
from fcc.core.tables.extra_screening import SCREENING_DECISIONS
from fcc.screening._run import record_decision

log = logging.getLogger(__name__)

DECISION_JOB = "screening-decision"
HIT_COLUMNS = (
    "hit_id",
    "status",
    "score",
    "threshold",
    "customer_id",
    "match_type",
    "list_name",
    "entry_id",
    "subject",
    "matched_list_name",
    "name_score",
    "dob_score",
    "country_score",
)
_HEX = re.compile(r"^[0-9a-f]{8,64}$")


class ReviewError(ValueError):
    """No such hit, an ambiguous hit id, or a decision the ledger does not know."""


def hits_of(lakehouse: Lakehouse, as_of: date, status: str | None = None) -> pd.DataFrame:
    """gold.screening_hits of one business date, best score first (a date's hits are bounded)."""
    hits = lakehouse.read(gold.SCREENING_HITS).where(F.col("as_of") == F.lit(as_of))
    if status:
        hits = hits.where(F.col("status") == status)
    return (
        hits.select(*HIT_COLUMNS)
        .orderBy(F.desc("score"), "customer_id", "entry_id", "match_type")
        .toPandas()
    )


def _latest_hit(lakehouse: Lakehouse, hit_id: str) -> dict:
    """The latest row of the hit whose id is `hit_id` or starts with it (8+ hex digits)."""
    text = hit_id.strip().lower()
    if not _HEX.match(text):
        raise ReviewError(
            f"hit id {hit_id!r}: expected 8 to 64 hex digits as `fcc hits list` shows"
        )
    rows = (
        lakehouse.read(gold.SCREENING_HITS)
        .where(F.col("hit_id").startswith(text))
        .select("hit_id", "as_of", "customer_id", "entry_id", "match_type", "status")
        .orderBy(F.desc("as_of"))
        .limit(50)
        .collect()
    )
    ids = sorted({r["hit_id"] for r in rows})
    if not ids:
        raise ReviewError(f"no screening hit with id {hit_id}")
    if len(ids) > 1:
        raise ReviewError(
            f"hit id {hit_id} is ambiguous: it starts {len(ids)} hit ids; give more digits"
        )
    return rows[0].asDict()


def decide_hit(
    lakehouse: Lakehouse,
    cfg: AppConfig,
    hit_id: str,
    decision: str,
    reason: str,
    analyst: str,
) -> dict[str, str]:
    """Record an analyst's decision on a hit and a `screening-decision` run in ops.runs.

    `decision` is false_positive or true_positive (the CLI's true_match). A false positive
    suppresses the same hit in later nights while neither the customer's nor the entry's
    hash changes (see record_decision). The ledger row's step names the decision and the hit.
    """
    if not reason.strip():
        raise ReviewError("a decision needs a reason (--reason)")
    hit = _latest_hit(lakehouse, hit_id)
    ledger = RunLedger(lakehouse, DECISION_JOB, hit["as_of"], cfg)
    whole = StepRecord("*")
    step = StepRecord(f"{decision}:{hit['hit_id'][:16]}")
    versions = {gold.SCREENING_HITS.qualified: lakehouse.version(gold.SCREENING_HITS)}
    whole.input_versions = step.input_versions = {
        k: v for k, v in versions.items() if v is not None
    }
    ledger.started(whole)
    try:
        recorded = record_decision(
            lakehouse,
            hit["customer_id"],
            hit["entry_id"],
            decision,
            analyst,
            reason=reason,
            match_type=hit["match_type"],
        )
    except Exception as exc:
        ledger.failed(whole, safe_error(exc))
        raise
    step.output_versions = whole.output_versions = {
        SCREENING_DECISIONS.qualified: lakehouse.version(SCREENING_DECISIONS)
    }
    step.row_counts = whole.row_counts = {"decisions": 1}
    ledger.succeeded(step)
    ledger.succeeded(whole)
    log.info("screening decision run %s decision=%s", ledger.run_id, decision)
    return {
        **recorded,
        "hit_id": hit["hit_id"],
        "as_of": str(hit["as_of"]),
        "run_id": ledger.run_id,
    }
