"""Gold feature tables (owned by the features domain).

`gold.customer_daily` holds one row per customer and active UTC day; `gold.features` holds the
rolling-window features of every customer as of a business date D, computed from
`customer_daily`. Every column's doc says what it means, its unit and its window.

Window convention: a window of w days ending at D covers the calendar days D-(w-1)..D inclusive
(UTC), so a transaction on D-7 is in the 30-day window but not in the 7-day one.

Naming: every additive daily column X (a count or a USD sum) yields the features X_<w>d, one per
window (e.g. out_usd -> out_usd_7d); ratios and shares are derived from those sums.
"""

from __future__ import annotations

from pyspark.sql import types as T

from fcc.core.tables._spec import USD, TableSpec, col, schema

S, L, I, D, DT, TS = (
    T.StringType(),
    T.LongType(),
    T.IntegerType(),
    T.DoubleType(),
    T.DateType(),
    T.TimestampType(),
)

RAIL_FAMILIES = {
    "wire": "bank transfers (rail family wire: sepa, swift, ach, faster_payments by default)",
    "card": "card rail",
    "onchain": "on-chain deposits/withdrawals",
    "internal": "transfers between platform customers",
    "trade": "trade legs (conversions on the exchange)",
}
ASSET_CLASSES = ("fiat", "crypto", "stablecoin")
LABEL_CATEGORIES = (
    "sanctioned",
    "mixer",
    "darknet",
    "ransomware",
    "scam",
    "gambling",
    "exchange",
    "payment_processor",
    "high_risk_exchange",
)
FEATURE_WINDOWS = (1, 7, 30, 90)
_DIR = {"in": "incoming (credits to the customer)", "out": "outgoing (debits from the customer)"}

CPTY_ENTRY = T.StructType(
    [
        T.StructField("counterparty_id", S),
        T.StructField("usd", USD),
        T.StructField("count", L),
    ]
)


def _doc(meaning: str, unit: str, window: str) -> str:
    return f"{meaning}. Unit: {unit}. Window: {window}."


def window_text(w: int) -> str:
    """How a window of w days ending at D is documented."""
    if w == 1:
        return "1 day: D only (UTC)"
    return f"{w} days: D-{w - 1}..D inclusive (UTC calendar days)"


# ---- gold.customer_daily ------------------------------------------------------------------

_DAY = "the UTC day event_date"


def _additive_daily() -> list[tuple[str, T.DataType, str, str]]:
    """(name, type, meaning, unit) of every daily column that windows sum."""
    out: list[tuple[str, T.DataType, str, str]] = []
    for d, dtext in _DIR.items():
        out += [
            (f"{d}_count", L, f"{dtext} transactions, all rails", "transactions"),
            (f"{d}_usd", USD, f"{dtext} amount, all rails", "USD"),
        ]
    for fam, ftext in RAIL_FAMILIES.items():
        for d, dtext in _DIR.items():
            out += [
                (f"{d}_{fam}_count", L, f"{dtext} transactions on {ftext}", "transactions"),
                (f"{d}_{fam}_usd", USD, f"{dtext} amount on {ftext}", "USD"),
            ]
    for cls in ASSET_CLASSES:
        for d, dtext in _DIR.items():
            out += [
                (
                    f"{d}_{cls}_count",
                    L,
                    f"{dtext} transactions in asset class {cls}",
                    "transactions",
                ),
                (f"{d}_{cls}_usd", USD, f"{dtext} amount in asset class {cls}", "USD"),
            ]
    cash = (
        "cash-like fiat deposits: direction in, asset_class fiat, rail family in "
        "features.cash_like_families (wire and card by default)"
    )
    out += [
        ("fiat_deposit_count", L, cash, "transactions"),
        ("fiat_deposit_usd", USD, cash, "USD"),
        (
            "near_threshold_count",
            L,
            "cash-like fiat deposits just below a configured reporting "
            "threshold (band_low_share x threshold <= amount_usd < threshold, any threshold, counted once)",
            "transactions",
        ),
        ("near_threshold_usd", USD, "amount of the near_threshold deposits", "USD"),
    ]
    for d, dtext in _DIR.items():
        out += [
            (
                f"cross_border_{d}_count",
                L,
                f"{dtext} transactions whose counterparty_country is "
                "known and differs from the customer's residence_country",
                "transactions",
            ),
            (
                f"cross_border_{d}_usd",
                USD,
                f"{dtext} cross-border amount (see cross_border_{d}_count)",
                "USD",
            ),
        ]
    for d, dtext in _DIR.items():
        out += [
            (
                f"high_risk_{d}_count",
                L,
                f"{dtext} transactions whose counterparty_country is on a "
                "configured high-risk jurisdiction list (FATF call for action + increased monitoring)",
                "transactions",
            ),
            (
                f"high_risk_{d}_usd",
                USD,
                f"{dtext} high-risk-jurisdiction amount (see high_risk_{d}_count)",
                "USD",
            ),
        ]
    for cat in LABEL_CATEGORIES:
        for d, dtext in _DIR.items():
            out.append(
                (
                    f"label_{cat}_{d}_usd",
                    USD,
                    f"{dtext} amount whose direct counterparty is a chain "
                    f"address labelled '{cat}' in silver.address_labels",
                    "USD",
                )
            )
    pt = (
        "crypto withdrawals (rail family in features.pass_through_out_families, asset class crypto or "
        "stablecoin) funded by cash-like fiat deposits of the previous features.pass_through_hours hours: "
        "each withdrawal counts min(its USD, deposits in [t-N h, t] minus other withdrawals in that span, "
        "floored at 0), so the total never exceeds the deposits"
    )
    out += [
        ("pass_through_count", L, f"withdrawals with a pass-through part; {pt}", "transactions"),
        ("pass_through_usd", USD, f"pass-through amount; {pt}", "USD"),
    ]
    return out


DAILY_ADDITIVE = tuple(name for name, *_ in _additive_daily())

CUSTOMER_DAILY = TableSpec(
    "gold",
    "customer_daily",
    schema(
        col("customer_id", S, "customer", False),
        col("event_date", DT, "UTC calendar day of event_ts (the day the row aggregates)", False),
        *[
            col(name, dtype, _doc(meaning, unit, _DAY))
            for name, dtype, meaning, unit in _additive_daily()
        ],
        col("max_in_usd", USD, _doc("largest single incoming transaction", "USD", _DAY)),
        col("max_out_usd", USD, _doc("largest single outgoing transaction", "USD", _DAY)),
        col(
            "distinct_cpty_in",
            L,
            _doc(
                "distinct counterparty_id of incoming transactions (null ids ignored)",
                "counterparties",
                _DAY,
            ),
        ),
        col(
            "distinct_cpty_out",
            L,
            _doc(
                "distinct counterparty_id of outgoing transactions (null ids ignored)",
                "counterparties",
                _DAY,
            ),
        ),
        col(
            "cpty_in",
            T.ArrayType(CPTY_ENTRY),
            _doc(
                "per incoming counterparty_id: USD and count, sorted by id (feeds window distinct counts and "
                "concentration)",
                "USD / transactions",
                _DAY,
            ),
        ),
        col(
            "cpty_out",
            T.ArrayType(CPTY_ENTRY),
            _doc(
                "per outgoing counterparty_id: USD and count, sorted by id",
                "USD / transactions",
                _DAY,
            ),
        ),
        col("first_event_ts", TS, _doc("first event_ts of the day", "timestamp UTC", _DAY)),
        col("last_event_ts", TS, _doc("last event_ts of the day", "timestamp UTC", _DAY)),
        col("run_id", S, "run that wrote the row"),
    ),
    "One row per customer and active UTC day, aggregated from silver.transactions; the input of "
    "every rolling-window feature. Nightly runs rewrite only D and the late-arriving dates.",
    partition_by=("event_date",),
    keys=("customer_id", "event_date"),
    owner="features",
)


# ---- gold.features ------------------------------------------------------------------------


def _windowed(name: str, dtype: T.DataType, meaning: str, unit: str) -> list[T.StructField]:
    return [
        col(f"{name}_{w}d", dtype, _doc(meaning, unit, window_text(w))) for w in FEATURE_WINDOWS
    ]


def _feature_fields() -> list[T.StructField]:
    fields: list[T.StructField] = []
    for name, dtype, meaning, unit in _additive_daily():
        fields += _windowed(name, dtype, f"{meaning}; sum of customer_daily.{name}", unit)
    fields += _windowed("active_days", L, "days with at least one transaction", "days")
    fields += _windowed("max_in_usd", USD, "largest single incoming transaction", "USD")
    fields += _windowed("max_out_usd", USD, "largest single outgoing transaction", "USD")
    for d, dtext in _DIR.items():
        fields += _windowed(
            f"distinct_cpty_{d}",
            L,
            f"distinct counterparty_id of {dtext} transactions "
            f"(exact: union of the daily cpty_{d} lists)",
            "counterparties",
        )
        fields += _windowed(
            f"cpty_{d}_top_share",
            D,
            f"share of {dtext} USD (with a known counterparty) "
            "that went to/came from the single largest counterparty; null when that USD is 0",
            "ratio 0..1",
        )
        fields += _windowed(
            f"cpty_{d}_hhi",
            D,
            f"Herfindahl-Hirschman index of {dtext} USD over "
            "counterparties: sum of squared shares (1 = one counterparty); null when that USD is 0",
            "index 0..1",
        )
    turnover = "in_usd + out_usd - in_trade_usd - out_trade_usd (trades book both legs, so they are left out)"
    fields += _windowed("turnover_usd", USD, f"turnover: {turnover}", "USD")
    fields += _windowed("net_usd", USD, "in_usd - out_usd (all rails)", "USD (signed)")
    fields += _windowed(
        "out_in_ratio",
        D,
        "out_usd / in_usd (all rails); ~1 for a transit account; null when in_usd is 0",
        "ratio",
    )
    fields += _windowed(
        "high_risk_share",
        D,
        "(high_risk_in_usd + high_risk_out_usd) / turnover_usd; null when turnover is 0",
        "ratio 0..1",
    )
    fields += _windowed(
        "pass_through_ratio",
        D,
        "pass_through_usd / fiat_deposit_usd; share of cash-like "
        "deposits sent out as crypto within the pass-through hours; null when no deposits",
        "ratio 0..1",
    )
    baseline = "D-(6+B)..D-7 with B = features.velocity_baseline_days (90 by default: D-96..D-7)"
    fields += [
        col(
            "baseline_weekly_usd",
            USD,
            _doc(
                "weekly average turnover_usd of the baseline period (turnover / B x 7)",
                "USD per 7 days",
                baseline,
            ),
        ),
        col(
            "baseline_weekly_count",
            D,
            _doc(
                "weekly average transaction count (in+out, excluding trades) "
                "of the baseline period",
                "transactions per 7 days",
                baseline,
            ),
        ),
        col(
            "velocity_usd_7d",
            D,
            _doc(
                "turnover_usd_7d / baseline_weekly_usd; null when the baseline is 0",
                "ratio",
                "D-6..D against the baseline period",
            ),
        ),
        col(
            "velocity_count_7d",
            D,
            _doc(
                "transactions (in+out, excluding trades) of D-6..D / "
                "baseline_weekly_count; null when the baseline is 0",
                "ratio",
                "D-6..D against the baseline period",
            ),
        ),
        col(
            "days_since_prev_activity",
            I,
            _doc(
                "D minus the latest active day strictly before D (dormancy); null when none within "
                "features.dormancy_lookback_days",
                "days",
                "lookback days before D",
            ),
        ),
        col(
            "reactivation_gap_days",
            I,
            _doc(
                "when the customer is active on D: the gap that ended at D (= days_since_prev_activity); "
                "null when inactive on D or no previous activity in the lookback",
                "days",
                "lookback days before D",
            ),
        ),
        col(
            "expected_volume_ratio_30d",
            D,
            _doc(
                "turnover_usd_30d / silver.customers.expected_monthly_volume_usd; null when the declared "
                "volume is missing or 0",
                "ratio",
                window_text(30),
            ),
        ),
        col(
            "peer_turnover_z_30d",
            D,
            _doc(
                "z-score of turnover_usd_30d within the customer's segment (population mean and standard "
                "deviation over every customer of the segment, inactive ones included as 0); null when the "
                "segment is unknown or its deviation is 0",
                "standard deviations",
                window_text(30),
            ),
        ),
        col(
            "peer_turnover_pct_30d",
            D,
            _doc(
                "percent rank of turnover_usd_30d within the segment (0 = lowest, 1 = highest; ties share the "
                "lower rank); null when the segment is unknown",
                "ratio 0..1",
                window_text(30),
            ),
        ),
    ]
    for cat in LABEL_CATEGORIES:
        for d, dtext in _DIR.items():
            fields.append(
                col(
                    f"exposure_{cat}_{d}_usd",
                    USD,
                    _doc(
                        f"{dtext} exposure to addresses labelled '{cat}', direct and indirect, hop-decayed, from "
                        "gold.exposure of the latest graph run on or before D; null when no graph run exists",
                        "USD",
                        "as computed by the graph step (exposure_as_of)",
                    ),
                )
            )
    fields.append(
        col(
            "exposure_as_of",
            DT,
            "as_of of the gold.exposure snapshot used (normally D-1, "
            "because the graph step runs after features); null when none",
        )
    )
    return fields


FEATURES = TableSpec(
    "gold",
    "features",
    schema(
        col("as_of", DT, "business date D; every window ends at D inclusive", False),
        col("customer_id", S, "customer (every customer of silver.customers has a row)", False),
        col("segment", S, "customer segment (silver.customers), the peer group"),
        *_feature_fields(),
        col("run_id", S, "run that wrote the row"),
    ),
    "Rolling-window behavioural features of every customer as of D, from gold.customer_daily "
    "(zeros for customers without activity; ratios null when their denominator is 0).",
    partition_by=("as_of",),
    keys=("as_of", "customer_id"),
    owner="features",
)

ALL = [CUSTOMER_DAILY, FEATURES]
