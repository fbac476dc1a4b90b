"""The alerts step: D's hits -> gold.alerts (MERGE on alert_id)."""

from __future__ import annotations

import logging
from datetime import date

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from fcc.alerts.consolidate import (
    consolidate_hits,
    hits_from_exposure,
    hits_from_rules,
    hits_from_screening,
    plan_alerts,
    union_hits,
)
from fcc.core.lakehouse import Lakehouse
from fcc.core.observe import counted
from fcc.core.settings import AppConfig
from fcc.core.tables import gold

log = logging.getLogger(__name__)


def run_alerts(
    spark: SparkSession, lakehouse: Lakehouse, cfg: AppConfig, as_of: date, run_id: str
) -> dict:
    s = cfg.alerts
    on_d = F.col("as_of") == F.lit(as_of)
    hits = union_hits(
        [
            hits_from_rules(lakehouse.read(gold.RULE_HITS).where(on_d), s),
            hits_from_screening(lakehouse.read(gold.SCREENING_HITS).where(on_d)),
            hits_from_exposure(lakehouse.read(gold.EXPOSURE).where(on_d), s, as_of),
        ]
    )
    # the candidates are counted by the MERGE that reads them (no count of its own)
    candidates, tally = counted(consolidate_hits(hits), n=F.count(F.lit(1)))
    rows, _ = plan_alerts(
        candidates,
        lakehouse.read(gold.ALERTS),
        lakehouse.read(gold.RISK_SCORES).where(on_d),
        s,
        as_of,
        run_id,
    )
    rows = rows.cache()
    # an alert an earlier run of D opened, that no analyst touched and that D's hits no longer
    # support (the rerun had another config or corrected data) is that run's artefact: removed
    # in the same commit (the earlier table version and ops.runs keep the trail)
    superseded = (
        f"t.opened_as_of = DATE'{as_of.isoformat()}' AND t.status = 'open' "
        "AND t.disposition IS NULL"
    )
    counts = lakehouse.merge(gold.ALERTS, rows, delete_unmatched=superseded)
    rows.unpersist()
    # every candidate is a row of the MERGE (updated, no condition, or inserted) or suppressed
    n_candidates = tally.get()["n"]
    n_suppressed = n_candidates - counts["inserted"] - counts["updated"]
    log.info(
        "alerts: %d candidates, %d new, %d updated, %d suppressed",
        n_candidates,
        counts["inserted"],
        counts["updated"],
        n_suppressed,
    )
    return {
        "candidates": n_candidates,
        "alerts_new": counts["inserted"],
        "alerts_updated": counts["updated"],
        "suppressed": n_suppressed,
        "alerts_withdrawn": counts["deleted"],
    }
