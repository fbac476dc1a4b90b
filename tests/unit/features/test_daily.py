"""gold.customer_daily: per customer and UTC day aggregates, hand-computed."""

from datetime import date
from decimal import Decimal

import pytest
from chispa import assert_df_equality
from pyspark.sql import types as T

from fcc.core.settings.features import ReportingThreshold
from fcc.core.tables.gold_features import CUSTOMER_DAILY
from tests.unit.features.builders import customer, daily_for, label, settings, ts, txn

D = date(2026, 3, 10)


def _expected(spark, columns, rows):
    """Expected frame typed like gold.customer_daily for the given columns."""
    fields = [CUSTOMER_DAILY.schema[c] for c in columns]
    return spark.createDataFrame(rows, T.StructType(fields))


def _money(*values):
    return [None if v is None else Decimal(str(v)) for v in values]


def _select(df, columns):
    return df.select(*columns).orderBy("customer_id", "event_date")


def test_counts_and_sums_by_direction_rail_family_and_asset_class(spark):
    txns = [
        txn("c1", "2026-03-10T08:00:00", "in", "sepa", 1000, "iban1", "DE"),
        txn("c1", "2026-03-10T09:00:00", "in", "card", 200, "card1"),
        txn("c1", "2026-03-10T10:00:00", "out", "onchain", 300, "addrA"),
        txn("c1", "2026-03-10T11:00:00", "out", "onchain", 50, "addrA", asset_class="stablecoin"),
        txn("c1", "2026-03-10T12:00:00", "in", "trade", 400, "BTC-USD", cpty_type="market"),
        txn(
            "c1",
            "2026-03-10T12:00:00",
            "out",
            "trade",
            400,
            "BTC-USD",
            asset_class="fiat",
            cpty_type="market",
        ),
        txn("c1", "2026-03-10T21:15:00", "out", "internal", 70, "c2", cpty_type="customer"),
    ]
    got = daily_for(spark, txns, [customer("c1")])
    cols = [
        "customer_id",
        "event_date",
        "in_count",
        "in_usd",
        "out_count",
        "out_usd",
        "in_wire_count",
        "in_wire_usd",
        "in_card_usd",
        "out_onchain_count",
        "out_onchain_usd",
        "in_trade_usd",
        "out_trade_usd",
        "out_internal_usd",
        "in_fiat_usd",
        "in_crypto_usd",
        "out_fiat_count",
        "out_fiat_usd",
        "out_crypto_usd",
        "out_stablecoin_usd",
        "max_in_usd",
        "max_out_usd",
        "distinct_cpty_in",
        "distinct_cpty_out",
        "first_event_ts",
        "last_event_ts",
    ]
    expected = _expected(
        spark,
        cols,
        [
            (
                "c1",
                D,
                3,
                *_money(1600),
                4,
                *_money(820),
                1,
                *_money(1000, 200),
                2,
                *_money(350, 400, 400, 70, 1200, 400),
                2,
                *_money(470, 300, 50, 1000, 400),
                3,
                3,
                ts("2026-03-10T08:00:00"),
                ts("2026-03-10T21:15:00"),
            )
        ],
    )
    assert_df_equality(_select(got, cols), expected, ignore_nullable=True, ignore_metadata=True)
    row = got.first()
    assert [(e.counterparty_id, e.usd, e["count"]) for e in row.cpty_out] == [
        ("BTC-USD", Decimal("400"), 1),
        ("addrA", Decimal("350"), 2),
        ("c2", Decimal("70"), 1),
    ]


def test_structuring_band_counts_cash_like_fiat_credits_just_below_each_threshold_once(spark):
    cfg = settings(
        reporting_thresholds=[
            ReportingThreshold(
                name="us", amount_usd=Decimal("10000"), band_low_share=Decimal("0.8")
            ),
            ReportingThreshold(
                name="eu", amount_usd=Decimal("11000"), band_low_share=Decimal("0.8")
            ),
        ]
    )
    txns = [
        txn("c1", "2026-03-10T01:00:00", "in", "sepa", "7999.99"),  # below both bands
        txn("c1", "2026-03-10T02:00:00", "in", "sepa", 8000),  # us band lower edge, inclusive
        txn("c1", "2026-03-10T03:00:00", "in", "swift", 9000),  # in both bands: counted once
        txn("c1", "2026-03-10T04:00:00", "in", "ach", 10000),  # at us threshold, inside eu band
        txn("c1", "2026-03-10T05:00:00", "in", "sepa", 11000),  # at eu threshold: not below
        txn("c1", "2026-03-10T06:00:00", "in", "card", 9500),  # card credits are cash-like
        txn("c1", "2026-03-10T07:00:00", "out", "sepa", 9000),  # debit
        txn("c1", "2026-03-10T08:00:00", "in", "onchain", 9000),  # crypto
        txn("c1", "2026-03-10T09:00:00", "in", "internal", 9000),  # internal fiat is not cash-like
    ]
    got = daily_for(spark, txns, [customer("c1")], cfg=cfg)
    cols = [
        "customer_id",
        "event_date",
        "near_threshold_count",
        "near_threshold_usd",
        "fiat_deposit_count",
        "fiat_deposit_usd",
    ]
    expected = _expected(spark, cols, [("c1", D, 4, Decimal("36500"), 6, Decimal("55499.99"))])
    assert_df_equality(_select(got, cols), expected, ignore_nullable=True, ignore_metadata=True)


def test_cross_border_and_high_risk_jurisdiction_amounts(spark):
    txns = [
        txn("c1", "2026-03-10T01:00:00", "in", "sepa", 100, "i1", "DE"),  # domestic
        txn("c1", "2026-03-10T02:00:00", "in", "swift", 200, "i2", "US"),  # cross-border
        txn(
            "c1", "2026-03-10T03:00:00", "out", "swift", 300, "i3", "ir"
        ),  # cross-border, high risk
        txn("c1", "2026-03-10T04:00:00", "in", "sepa", 50, "i4", None),  # country unknown
        txn("c1", "2026-03-10T05:00:00", "out", "onchain", 10, "addr"),  # no country on chain
        txn("c2", "2026-03-10T06:00:00", "in", "swift", 500, "i5", "KP"),  # residence unknown
    ]
    got = daily_for(spark, txns, [customer("c1", residence="DE"), customer("c2", residence=None)])
    cols = [
        "customer_id",
        "event_date",
        "cross_border_in_count",
        "cross_border_in_usd",
        "cross_border_out_count",
        "cross_border_out_usd",
        "high_risk_in_count",
        "high_risk_in_usd",
        "high_risk_out_count",
        "high_risk_out_usd",
    ]
    expected = _expected(
        spark,
        cols,
        [
            ("c1", D, 1, Decimal("200"), 1, Decimal("300"), 0, Decimal("0"), 1, Decimal("300")),
            ("c2", D, 0, Decimal("0"), 0, Decimal("0"), 1, Decimal("500"), 0, Decimal("0")),
        ],
    )
    assert_df_equality(_select(got, cols), expected, ignore_nullable=True, ignore_metadata=True)


def test_amounts_to_and_from_labelled_addresses_use_direct_counterparty_labels(spark):
    labels = [
        label("addrM", "mixer", source="v1"),
        label("addrM", "sanctioned", source="v2"),
        label("addrM", "mixer", source="v3"),
        label("addrX", "scam", chain="ETH"),
    ]
    txns = [
        txn("c1", "2026-03-10T01:00:00", "out", "onchain", 100, "addrM"),
        txn("c1", "2026-03-10T02:00:00", "in", "onchain", 40, "addrM"),
        txn("c1", "2026-03-10T03:00:00", "out", "onchain", 7, "addrX"),  # label is on another chain
        txn("c1", "2026-03-10T04:00:00", "in", "internal", 5, "addrM", cpty_type="customer"),
    ]
    got = daily_for(spark, txns, [customer("c1")], labels)
    cols = [
        "customer_id",
        "event_date",
        "label_mixer_in_usd",
        "label_mixer_out_usd",
        "label_sanctioned_in_usd",
        "label_sanctioned_out_usd",
        "label_scam_out_usd",
    ]
    expected = _expected(spark, cols, [("c1", D, *_money(40, 100, 40, 100, 0))])
    assert_df_equality(_select(got, cols), expected, ignore_nullable=True, ignore_metadata=True)


def test_pass_through_is_crypto_out_within_n_hours_of_a_fiat_deposit_capped_at_the_deposit(spark):
    txns = [
        # c1: 6,000 in, then two 5,000 withdrawals: 5,000 + the remaining 1,000
        txn("c1", "2026-03-10T10:00:00", "in", "sepa", 6000),
        txn("c1", "2026-03-10T11:00:00", "out", "onchain", 5000, "a1"),
        txn("c1", "2026-03-10T12:00:00", "out", "onchain", 5000, "a2"),
        # c2: withdrawal exactly 24 h after the deposit, on the next UTC day: inside
        txn("c2", "2026-03-10T22:00:00", "in", "card", 1000),
        txn("c2", "2026-03-11T22:00:00", "out", "onchain", 800, "a3", asset_class="stablecoin"),
        # c3: one second later than 24 h: outside
        txn("c3", "2026-03-10T22:00:00", "in", "sepa", 1000),
        txn("c3", "2026-03-11T22:00:01", "out", "onchain", 800, "a4"),
        # c4: internal fiat credit is not a cash-like deposit; c5: fiat out is not crypto out
        txn("c4", "2026-03-10T10:00:00", "in", "internal", 1000),
        txn("c4", "2026-03-10T11:00:00", "out", "onchain", 1000, "a5"),
        txn("c5", "2026-03-10T10:00:00", "in", "sepa", 1000),
        txn("c5", "2026-03-10T11:00:00", "out", "sepa", 1000, "i1"),
    ]
    customers = [customer(f"c{i}") for i in range(1, 6)]
    cols = ["customer_id", "event_date", "pass_through_count", "pass_through_usd"]
    d2 = date(2026, 3, 11)
    expected = _expected(
        spark,
        cols,
        [
            ("c1", D, 2, Decimal("6000")),
            ("c2", D, 0, Decimal("0")),
            ("c2", d2, 1, Decimal("800")),
            ("c3", D, 0, Decimal("0")),
            ("c3", d2, 0, Decimal("0")),
            ("c4", D, 0, Decimal("0")),
            ("c5", D, 0, Decimal("0")),
        ],
    )
    assert_df_equality(
        _select(daily_for(spark, txns, customers), cols),
        expected,
        ignore_nullable=True,
        ignore_metadata=True,
    )
    # recomputing only the second day (with its lookback rows read) gives the same day-2 rows
    only_d2 = daily_for(spark, txns, customers, dates=[d2])
    assert_df_equality(
        _select(only_d2, cols),
        expected.where(f"event_date = DATE'{d2}'"),
        ignore_nullable=True,
        ignore_metadata=True,
    )


def test_event_at_2330_minus_0500_lands_on_the_next_utc_day_whatever_the_session_zone(spark):
    txns = [txn("c1", "2026-03-01T23:30:00-05:00", "in", "sepa", 250)]
    previous = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "America/New_York")
    try:
        got = daily_for(spark, txns, [customer("c1")]).select("event_date", "in_usd").collect()
    finally:
        spark.conf.set("spark.sql.session.timeZone", previous)
    assert [(r.event_date, r.in_usd) for r in got] == [(date(2026, 3, 2), Decimal("250"))]


def test_usd_sum_adds_micro_dollars_exactly_and_refuses_to_wrap(spark):
    from pyspark.errors import ArithmeticException
    from pyspark.sql import functions as F

    from fcc.features.daily import usd_sum

    schema = T.StructType([T.StructField("k", T.StringType()), CUSTOMER_DAILY.schema["in_usd"]])
    amounts = {
        # 0.1 + 0.2 is not 0.3 in binary floating point; in micro-dollars it is
        "a": ["0.1", "0.2", "0.000001"],
        # the largest 24-digit-scale-6 amounts a day row can hold, within the long range
        "b": ["4000000000000.123456", "5000000000000.000001", "-0.000002"],
        "c": [None, None],  # no amount at all stays null, as F.sum gives
    }
    rows = [(k, None if v is None else Decimal(v)) for k, vs in amounts.items() for v in vs]
    df = spark.createDataFrame(rows, schema)
    got = {r.k: r.s for r in df.groupBy("k").agg(usd_sum(F.col("in_usd")).alias("s")).collect()}
    assert got == {
        "a": Decimal("0.300001"),
        "b": Decimal("9000000000000.123455"),
        "c": None,
    }
    assert df.groupBy("k").agg(usd_sum(F.col("in_usd")).alias("s")).schema["s"].dataType == (
        T.DecimalType(24, 6)
    )
    # 9.3 trillion USD in one sum is beyond the micro-dollar long: an error, never a wrapped value
    big = spark.createDataFrame([("x", Decimal("9300000000000"))], schema)
    with pytest.raises(ArithmeticException):
        big.agg(usd_sum(F.col("in_usd"))).collect()
