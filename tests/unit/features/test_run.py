"""run_features on real Delta tables: incremental nightly == full rebuild, and features equal an
independent pandas computation straight from silver.transactions."""

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from fcc.core.tables.silver import ADDRESS_LABELS, CUSTOMERS, TRANSACTIONS
from fcc.features import run_features
from tests.unit.features.builders import app_config, customer, frame, label, txn

D = date(2026, 4, 20)
START = D - timedelta(days=110)
RAILS = ["sepa", "swift", "card", "onchain", "onchain", "internal", "trade"]
COUNTRIES = ["DE", "DE", "US", "IR", "FR", None]


def _generated() -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    """(on-time txns, late txns landing on night D, customers, labels) for 13 customers."""
    rng = np.random.default_rng(11)
    customers = [
        customer(
            f"c{i:02d}",
            segment=["retail", "hnw"][i % 2],
            residence=["DE", "US"][i % 3 == 0],
            expected=[None, 5000, 20000][i % 3],
        )
        for i in range(12)
    ]
    txns = []
    for n in range(500):
        cid = f"c{rng.integers(12):02d}"
        at = datetime.combine(START, datetime.min.time(), UTC) + timedelta(
            seconds=int(rng.integers(111 * 86400))
        )
        rail = RAILS[rng.integers(len(RAILS))]
        usd = round(float(rng.choice([rng.uniform(10, 3000), rng.uniform(7900, 10100)])), 2)
        pool = {
            "onchain": [f"addr{k}" for k in range(6)],
            "internal": [f"c{k:02d}" for k in range(12)],
            "trade": ["BTC-USD"],
        }.get(rail, [f"iban{k}" for k in range(8)])
        country = COUNTRIES[rng.integers(len(COUNTRIES))] if rail in ("sepa", "swift") else None
        txns.append(
            txn(
                cid,
                at.isoformat(),
                ["in", "out"][rng.integers(2)],
                rail,
                usd,
                pool[rng.integers(len(pool))],
                country,
                txn_id=f"G:{n}",
            )
        )
    # pass-through across midnight whose deposit lands late: it changes D-1's daily row on night D
    customers.append(customer("c12"))
    late = [
        txn(
            "c12",
            f"{D - timedelta(days=2)}T23:00:00",
            "in",
            "sepa",
            5000,
            "iban1",
            "DE",
            txn_id="L:1",
        )
    ]
    txns.append(
        txn(
            "c12",
            f"{D - timedelta(days=1)}T01:00:00",
            "out",
            "onchain",
            4000,
            "addr1",
            txn_id="L:2",
        )
    )
    late += [
        t
        for t in txns
        if D - timedelta(days=6) <= t["event_date"] < D and t["txn_id"].endswith("7")
    ]
    on_time = [t for t in txns if t not in late]
    labels = [
        label("addr1", "mixer"),
        label("addr2", "sanctioned"),
        label("addr2", "scam", source="v2"),
    ]
    return on_time, late, customers, labels


def _snapshot(lakehouse):
    daily = lakehouse.read("gold.customer_daily").drop("run_id").toPandas()
    feats = lakehouse.read("gold.features").where(f"as_of = DATE'{D}'").drop("run_id").toPandas()
    return (
        daily.sort_values(["customer_id", "event_date"]).reset_index(drop=True),
        feats.sort_values("customer_id").reset_index(drop=True),
    )


@pytest.fixture(scope="module")
def runs(spark, tmp_path_factory):
    from fcc.core.lakehouse import Lakehouse

    lakehouse = Lakehouse(spark, str(tmp_path_factory.mktemp("features_run") / "lakehouse"))
    on_time, late, customers, labels = _generated()
    cfg = app_config()
    lakehouse.append(CUSTOMERS, frame(spark, customers, CUSTOMERS))
    lakehouse.append(ADDRESS_LABELS, frame(spark, labels, ADDRESS_LABELS))
    lakehouse.append(
        TRANSACTIONS, frame(spark, [t for t in on_time if t["event_date"] < D], TRANSACTIONS)
    )
    run_features(spark, lakehouse, cfg, D - timedelta(days=1), "night-1", full=True)
    # night D: D's rows and the late rows of earlier days arrive together
    lakehouse.append(
        TRANSACTIONS,
        frame(spark, [t for t in on_time if t["event_date"] == D] + late, TRANSACTIONS),
    )
    late_dates = sorted({t["event_date"] for t in late})
    incremental_counts = run_features(spark, lakehouse, cfg, D, "night", late_dates=late_dates)
    incremental = _snapshot(lakehouse)
    full_counts = run_features(spark, lakehouse, cfg, D, "rebuild", full=True)
    full = _snapshot(lakehouse)
    return {
        "incremental": incremental,
        "full": full,
        "counts": (incremental_counts, full_counts),
        "txns": pd.DataFrame([t for t in on_time + late if t["event_date"] <= D]),
        "late_dates": late_dates,
    }


def test_incremental_nightly_equals_full_rebuild(runs):
    (inc_daily, inc_feats), (full_daily, full_feats) = runs["incremental"], runs["full"]
    assert len(runs["late_dates"]) >= 2
    pd.testing.assert_frame_equal(
        inc_daily.drop(columns=["cpty_in", "cpty_out"]),
        full_daily.drop(columns=["cpty_in", "cpty_out"]),
    )
    assert [str(x) for x in inc_daily["cpty_out"]] == [str(x) for x in full_daily["cpty_out"]]
    pd.testing.assert_frame_equal(inc_feats, full_feats, check_exact=False, rtol=1e-12)
    inc_counts, full_counts = runs["counts"]
    assert inc_counts["rows_out"] == full_counts["rows_out"] == 13
    late = set(runs["late_dates"])
    rewritten = {D} | late | {d + timedelta(days=1) for d in late}  # pass-through spills one day
    assert inc_counts["daily_dates"] == len(rewritten)


def test_late_deposit_changes_the_pass_through_of_the_following_day(runs):
    daily = runs["incremental"][0].set_index(["customer_id", "event_date"])
    assert float(daily.loc[("c12", D - timedelta(days=1)), "pass_through_usd"]) == 4000


def _reference(txns: pd.DataFrame, cid: str) -> dict:
    """Features of one customer computed straight from the transactions (definitions of the docs)."""
    t = txns[txns.customer_id == cid]
    usd = t.amount_usd.astype(float)
    age = t.event_date.map(lambda d: (D - d).days)
    out30 = t[(t.direction == "out") & (age < 30) & t.counterparty_id.notna()]
    by_cpty = out30.groupby("counterparty_id").amount_usd.sum().astype(float)
    before = t.event_date[t.event_date < D]
    deposit = (
        (t.direction == "in") & (t.asset_class == "fiat") & t.rail.isin(["sepa", "swift", "card"])
    )
    return {
        "out_usd_7d": usd[(t.direction == "out") & (age < 7)].sum(),
        "in_count_30d": int(((t.direction == "in") & (age < 30)).sum()),
        "distinct_cpty_out_30d": int(out30.counterparty_id.nunique()),
        "cpty_out_top_share_30d": (by_cpty.max() / by_cpty.sum()) if len(by_cpty) else None,
        "near_threshold_count_7d": int((deposit & (usd >= 8000) & (usd < 10000) & (age < 7)).sum()),
        "high_risk_in_usd_90d": usd[
            (t.direction == "in") & (t.counterparty_country == "IR") & (age < 90)
        ].sum(),
        "turnover_usd_90d": usd[(t.rail != "trade") & (age < 90)].sum(),
        "label_mixer_out_usd_30d": usd[
            (t.direction == "out") & (t.counterparty_id == "addr1") & (age < 30)
        ].sum(),
        "days_since_prev_activity": (D - before.max()).days if len(before) else None,
    }


def test_sample_of_features_equals_a_computation_straight_from_transactions(runs):
    feats = runs["full"][1].set_index("customer_id")
    for cid in ("c00", "c03", "c07", "c10"):
        want = _reference(runs["txns"], cid)
        got = feats.loc[cid]
        for name, value in want.items():
            if value is None:
                assert pd.isna(got[name]), (cid, name)
            else:
                assert float(got[name]) == pytest.approx(value), (cid, name)
