"""The end-to-end benchmark's code path on a tiny generated data set, and its growth arithmetic."""

from __future__ import annotations

import math
import os
import sys
from datetime import date
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"
sys.path.insert(0, str(BENCH))

import _measure as m  # noqa: E402

from fcc.pipeline import NIGHTLY  # noqa: E402

NUMBERS = (
    "wall_s",
    "jobs",
    "stages",
    "tasks",
    "records_scanned",
    "shuffle_read_bytes",
    "shuffle_write_bytes",
    "spill_memory_bytes",
    "spill_disk_bytes",
    "jvm_heap_peak_bytes",
)


def _assert_measured(record: dict) -> None:
    for key in NUMBERS:
        assert isinstance(record[key], int | float), key
        assert record[key] >= 0, key
    assert len(record["load_start"]) == 3 and len(record["load_end"]) == 3


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("FCC_BENCH_IT") != "1",
    reason="generates data and runs the whole nightly chain (over 10 minutes on 2 cores); "
    "run with FCC_BENCH_IT=1",
)
def test_run_size_records_every_nightly_step_and_the_ratios(spark, tmp_path):
    from fcc.core.config import load_config

    cfg = load_config(env="local", overrides=[f"lakehouse={tmp_path / 'unused'}"])
    result = m.run_size(
        spark,
        cfg,
        "tiny",
        customers=150,
        days=10,
        seed=3,
        end=date(2026, 11, 27),
        reuse=False,
        data_root=tmp_path,
    )
    path = m.write_result(result, tmp_path / "tiny.json")
    import json

    loaded = json.loads(path.read_text())
    assert list(loaded["steps"]) == NIGHTLY
    for record in loaded["steps"].values():
        _assert_measured(record)
        assert record["rows_out_per_s"] is None or record["rows_out_per_s"] >= 0
    assert loaded["steps"]["features"]["rows_out"] == loaded["data"]["silver_customers"] or (
        loaded["steps"]["features"]["rows_out"] > 0
    )
    for name in ("scan_floor_full", "scan_floor_night", "features_full", "cc_spark", "cc_scipy"):
        _assert_measured(loaded["references"][name])
    # the floor reads every transaction (plus the Delta log's own records)
    scanned = loaded["references"]["scan_floor_full"]["records_scanned"]
    assert scanned >= loaded["data"]["silver_transactions"] > 0
    assert loaded["cc"]["identical_partition"] is True
    for key in ("features_over_scan", "incremental_over_full", "cc_over_scipy"):
        ratio = loaded["ratios"][key]
        assert ratio["value"] > 0 and ratio["target"] == m.TARGETS[key]
        assert ratio["met"] in (True, False)
    assert loaded["machine"]["cores"] >= 1 and loaded["machine"]["spark"].startswith("4.")
    assert "growth" not in loaded
    assert m.table([loaded]).count("tiny") >= len(NIGHTLY)
    with_doctor = m.add_doctor_ratios(loaded, 10.0)
    assert with_doctor["ratios"]["steady_night_jobs"]["value"] == loaded["steady_jobs"] > 0
    assert "fcc doctor (process)" in m.table([with_doctor])


def _fake(size: str, customers: int, txns: int, seconds: dict[str, float]) -> dict:
    rec = lambda s: {"wall_s": s}  # noqa: E731
    return {
        "size": size,
        "data": {"customers": customers, "silver_transactions": txns},
        "steps": {k: rec(v) for k, v in seconds.items()},
        "nightly_total_s": sum(seconds.values()),
        "references": {
            k: rec(1.0) for k in ("features_full", "scan_floor_full", "cc_spark", "cc_scipy")
        },
    }


def test_growth_exponent_is_log_time_ratio_over_log_data_ratio():
    small = _fake("small", 1_000, 20_000, {"ingest": 10.0, "graph": 4.0})
    large = _fake("large", 10_000, 200_000, {"ingest": 100.0, "graph": 16.0 * 10})
    g = m.growth(small, large)
    assert g["data_ratio"] == 10.0 and g["target_time_ratio"] == 11.0
    assert g["steps"]["ingest"] == {"time_ratio": 10.0, "exponent": 1.0, "met": True}
    # graph: 40x the time for 10x the data -> exponent log(40)/log(10) = 1.602, missed
    assert g["steps"]["graph"]["exponent"] == round(math.log(40) / math.log(10), 3)
    assert g["steps"]["graph"]["met"] is False
    # overall 14 s -> 260 s: 18.57x
    assert g["overall"]["time_ratio"] == round(260 / 14, 3)
    assert g["overall"]["met"] is False
    assert g["steps"]["ref.cc_spark"]["exponent"] == 0.0


def test_doctor_ratios_are_each_whole_night_over_the_doctor_process():
    result = {
        "session_start_s": 5.0,
        "nightly_run_job_s": 95.0,
        "steady_run_job_s": 75.0,
        "steady_jobs": 151,
        "ratios": {},
        "references": {},
    }
    out = m.add_doctor_ratios(result, 20.0)
    # (5 + 95) / 20 and (5 + 75) / 20
    assert out["ratios"]["first_night_over_doctor"] == {"value": 5.0, "target": 10.0, "met": True}
    assert out["ratios"]["steady_night_over_doctor"] == {"value": 4.0, "target": 4.0, "met": True}
    assert out["ratios"]["steady_night_jobs"] == {"value": 151, "target": 150, "met": False}
    assert out["doctor_process_s"] == 20.0 and out["references"] == {}
