"""run_typologies: writes its slice of gold.rule_hits for D, deterministic ids, rerun-safe."""

from __future__ import annotations

import hashlib
import json

from pyspark.sql import functions as F

from fcc.core.settings import AppConfig
from fcc.core.tables import gold, silver
from fcc.typologies import run_typologies
from fcc.typologies.coverage import doc_path, render, typology_settings
from tests.unit.typologies.helpers import D, at, txn, txns_df


def test_run_writes_hits_with_deterministic_ids_and_replaces_only_its_slice(spark, lakehouse):
    s = typology_settings()
    for name in (
        "pass_through",
        "fan_in",
        "fan_out",
        "gather_scatter",
        "scatter_gather",
        "cycle",
        "peel_chain",
        "dormant",
        "high_risk_jurisdiction",
        "rapid_conversion",
        "profile",
    ):
        getattr(s, name).enabled = False  # every detector is tested on its own; keep this run small
    cfg = AppConfig(typologies=s)
    lakehouse.append(
        silver.TRANSACTIONS,
        txns_df(
            spark,
            [
                txn("a", "S1", at(4), "in", 9500),
                txn("b", "S1", at(2), "in", 9000),
                txn("c", "S1", at(0), "in", 8500),
                txn("d", "S9", at(0), "in", 100),
            ],
        ),
    )
    graph_hit = spark.createDataFrame(
        [(D, "g1", "S9", "graph", "ring", "1", "entity_ring", "high", 50.0, "{}", [])],
        gold.RULE_HITS.schema,
    )
    lakehouse.append(gold.RULE_HITS, graph_hit)
    first = run_typologies(spark, lakehouse, cfg, D, "run-1")
    second = run_typologies(spark, lakehouse, cfg, D, "run-2")
    assert first == second == {"hits_structuring": 1, "rows_out": 1}
    rows = lakehouse.read(gold.RULE_HITS).where(F.col("as_of") == F.lit(D)).collect()
    by_producer = {r.producer: r for r in rows}
    assert len(rows) == 2 and set(by_producer) == {"graph", "typologies"}
    hit = by_producer["typologies"]
    version = s.structuring.version
    expected = hashlib.sha256(f"{D.isoformat()}|S1|structuring|{version}".encode()).hexdigest()
    assert (hit.hit_id, hit.customer_id, hit.rule_id, hit.typology) == (
        expected,
        "S1",
        "structuring",
        "structuring",
    )
    assert hit.txn_ids == ["a", "b", "c"]
    assert json.loads(hit.evidence)["credits_in_band"] == 3


def test_coverage_doc_is_up_to_date():
    expected = render(typology_settings())
    assert doc_path().read_text(encoding="utf-8") == expected, (
        "run python -m fcc.typologies.coverage"
    )


def test_a_detector_never_flags_its_excluded_segments(spark):
    """exclude_segments drops hits on those customers; a customer without a segment is kept."""
    from fcc.typologies.job import _without_segments

    hits = spark.createDataFrame(
        [("R1", "x"), ("I1", "x"), ("U1", "x")], "customer_id string, rule_id string"
    )
    customers = spark.createDataFrame(
        [("R1", "retail"), ("I1", "institutional"), ("U1", None)],
        "customer_id string, segment string",
    )
    kept = {r.customer_id for r in _without_segments(hits, customers, ["institutional"]).collect()}
    assert kept == {"R1", "U1"}
    assert _without_segments(hits, customers, []).count() == 3


def test_a_misspelt_excluded_segment_is_a_config_error():
    import pytest
    from pydantic import ValidationError

    from fcc.core.settings.typologies import TypologiesSettings

    with pytest.raises(ValidationError, match=r"cycle\.exclude_segments: unknown segment"):
        TypologiesSettings.model_validate({"cycle": {"exclude_segments": ["instituional"]}})
    ok = TypologiesSettings.model_validate({"cycle": {"exclude_segments": ["institutional"]}})
    assert ok.cycle.exclude_segments == ["institutional"]


def test_every_detector_section_of_the_settings_runs_through_detect_one():
    from fcc.core.settings.typologies import Detector, TypologiesSettings
    from fcc.typologies import DETECTORS, typology_tags

    s = TypologiesSettings()
    sections = {n for n in TypologiesSettings.model_fields if isinstance(getattr(s, n), Detector)}
    assert set(DETECTORS) == sections and len(DETECTORS) == 13
    assert typology_tags(s.exposure) == ["direct_exposure", "indirect_exposure"]
    assert typology_tags(s.fan_in) == ["fan_in"]


def test_the_fixed_usd_floors_of_older_configs_are_errors():
    """The converted detectors' USD floors are gone: an old config fails loudly, naming the key."""
    import pytest
    from pydantic import ValidationError

    from fcc.core.settings.typologies import TypologiesSettings

    old = {
        "pass_through": "min_in_usd",
        "dormant": "min_usd",
        "high_risk_jurisdiction": "min_usd",
        "rapid_conversion": "min_usd",
        "profile": "min_usd",
        "exposure": "indirect_min_usd",
    }
    for detector, key in old.items():
        with pytest.raises(ValidationError, match=rf"{detector}\.{key}\s+Extra inputs"):
            TypologiesSettings.model_validate({detector: {key: 5000}})


def test_the_flow_lookback_covers_the_exposures_on_chain_flow():
    from fcc.typologies.job import lookback_days

    s = typology_settings()
    assert lookback_days(s, 900) == 900  # the indirect share is of 900 days of on-chain flow
    assert lookback_days(s, 30) == s.dormant.max_lookback_days + 1
