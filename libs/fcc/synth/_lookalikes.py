"""Legitimate activity shaped like a typology: payroll fan-out, market makers, regular sums
just under the reporting threshold, remittances to grey-list countries."""

from __future__ import annotations

import math
from datetime import timedelta

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from fcc.synth import _rand as R
from fcc.synth._context import DAY, Ctx, threshold_bound
from fcc.synth._flows import (
    CHAIN_IN_COLS,
    FIAT_COLS,
    deposit_address,
    fill,
    hub_address,
    method_for,
    own_wallet,
    with_party,
)
from fcc.synth._people import compose, with_person
from fcc.synth._reference import CHAIN_ASSETS

HOUR = 3600
SALARY_USD, SALARY_SIGMA = 3000, 0.35  # payroll: median monthly salary per employee, log spread
MM_DAY_SHARE = 0.6  # market maker: share of days with a deposit -> withdrawal round
MM_TICKET_USD, MM_SIGMA = 200_000, 0.8  # ... median deposit of a round, log spread


def expected_monthly_usd(ctx: Ctx) -> Column:
    """Mean monthly USD a look-alike customer's look-alike flows add (what it would declare)."""
    la = ctx.cfg.lookalikes
    employees = (8 + la.payroll_employees_max) / 2
    salary = SALARY_USD * math.exp(SALARY_SIGMA**2 / 2)
    rounds = MM_DAY_SHARE * 30 * 2 * MM_TICKET_USD * math.exp(MM_SIGMA**2 / 2)  # in + out
    below = threshold_bound(ctx, ctx.cfg.reporting_threshold_usd * 0.945)
    return (
        F.when(F.col("payroll"), employees * salary)
        .when(F.col("market_maker"), rounds)
        .when(F.col("regular_below"), below)
        .otherwise(0.0)
    )


def _months(ctx: Ctx) -> DataFrame:
    """First day (unix) of every calendar month touching the window."""
    first = ctx.end_date - timedelta(days=ctx.days - 1)
    months, y, m = [], first.year, first.month
    end = ctx.end_date
    while (y, m) <= (end.year, end.month):
        months.append((y * 100 + m, y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return ctx.spark.createDataFrame(months, "ym int, y int, m int")


def _monthly(ctx: Ctx, cust: DataFrame, flag: str, day_lo: int, day_hi: int) -> DataFrame:
    """Flagged customers x months, with a fixed day of month per customer (09:00-17:00 local)."""
    c = cust.where(F.col(flag))
    dom = ctx.between(flag + "dom", day_lo, day_hi, F.col("idx"))
    df = c.crossJoin(F.broadcast(_months(ctx)))
    day0 = F.unix_timestamp(F.make_date(F.col("y"), F.col("m"), dom.cast("int"))).cast("double")
    ts = (
        day0
        + 9 * HOUR
        + ctx.u(flag + "tod", F.col("idx"), F.col("ym")) * 8 * HOUR
        - F.col("off") * 60
    )
    return df.withColumn("ts", ts).where(
        (F.col("ts") >= F.lit(ctx.start_unix))
        & (F.col("ts") < F.lit(ctx.end_unix))
        & (F.col("ts") >= F.col("onboarded"))
    )


def payroll(ctx: Ctx, cust: DataFrame) -> DataFrame:
    """Merchants paying fixed monthly salaries to many employees (a fan-out look-alike)."""
    la = ctx.cfg.lookalikes
    df = _monthly(ctx, cust, "payroll", 25, 28)
    df = df.withColumn("n_emp", ctx.between("emp", 8, la.payroll_employees_max, F.col("idx")))
    df = df.select("*", F.explode(F.sequence(F.lit(0), F.col("n_emp") - 1)).alias("e"))
    emp_key = F.concat_ws(":", F.col("idx"), F.col("e"))
    df = with_person(ctx, df, "emp", F.xxhash64(emp_key), "pe_")
    key = F.concat_ws(":", F.lit("payroll"), F.col("idx"), F.col("ym"), F.col("e"))
    rows = df.select(
        key.alias("key"),
        "idx",
        (F.col("ts") + F.col("e") * 2).alias("ts"),
        F.lit("DEBIT").alias("entry_type"),
        method_for(F.col("currency"), F.col("residence_country"), F.col("residence_country")).alias(
            "method"
        ),
        "currency",
        ctx.lognormal("sal", SALARY_USD, SALARY_SIGMA, emp_key).alias("usd"),
        compose("pe_", "latin")["full_name"].alias("cp_name"),
        R.hex64(ctx.seed, "empacct", emp_key).alias("cp_account"),
        F.col("residence_country").alias("cp_country"),
        F.concat(F.lit("SALARY "), F.col("ym").cast("string")).alias("reference"),
        F.lit(None).cast("string").alias("inst"),
        "off",
        "account_id",
    )
    return rows


def regular_below_threshold(ctx: Ctx, cust: DataFrame) -> DataFrame:
    """A fixed monthly sum just under USD 10,000 (salary or rent), the structuring look-alike."""
    thr = ctx.cfg.reporting_threshold_usd
    df = _monthly(ctx, cust, "regular_below", 1, 5)
    amount = threshold_bound(
        ctx, F.round(thr * ctx.uniform("rbamt", 0.9, 0.99, F.col("idx")) / 100) * 100
    )
    df = with_party(ctx, df, F.col("idx").cast("string"), "rb")
    party = {"name": F.col("p_name"), "account": F.col("p_account"), "country": F.col("p_country")}
    key = F.concat_ws(":", F.lit("regular"), F.col("idx"), F.col("ym"))
    return df.select(
        key.alias("key"),
        "idx",
        "ts",
        F.lit("CREDIT").alias("entry_type"),
        method_for(F.lit("USD"), F.col("residence_country"), F.col("residence_country")).alias(
            "method"
        ),
        F.lit("USD").alias("currency"),
        amount.alias("usd"),
        party["name"].alias("cp_name"),
        party["account"].alias("cp_account"),
        F.col("residence_country").alias("cp_country"),
        R.pick(["SALARY", "RENT", "MONTHLY FEE"], ctx.u("rbref", F.col("idx"))).alias("reference"),
        F.lit(None).cast("string").alias("inst"),
        "off",
        "account_id",
    )


def remittance(ctx: Ctx, cust: DataFrame) -> DataFrame:
    """Small monthly wires to family in a grey-list country (the high-risk-jurisdiction look-alike)."""
    df = _monthly(ctx, cust, "remittance", 1, 28)
    country = R.pick(
        ctx.cfg.high_risk_countries[3:] or ctx.cfg.high_risk_countries, ctx.u("remc", F.col("idx"))
    )
    df = with_party(ctx, df, F.col("idx").cast("string"), "rem")
    party = {"name": F.col("p_name"), "account": F.col("p_account"), "country": F.col("p_country")}
    key = F.concat_ws(":", F.lit("remit"), F.col("idx"), F.col("ym"))
    return df.select(
        key.alias("key"),
        "idx",
        "ts",
        F.lit("DEBIT").alias("entry_type"),
        F.lit("SWIFT").alias("method"),
        "currency",
        ctx.lognormal("rema", 400, 0.4, key).alias("usd"),
        party["name"].alias("cp_name"),
        party["account"].alias("cp_account"),
        country.alias("cp_country"),
        F.lit("FAMILY SUPPORT").alias("reference"),
        F.lit(None).cast("string").alias("inst"),
        "off",
        "account_id",
    )


def market_maker(ctx: Ctx, cust: DataFrame) -> DataFrame:
    """Institutional market makers moving large sums in and out within hours (pass-through look-alike)."""
    days = ctx.spark.range(ctx.days).select(F.col("id").alias("d"))
    df = cust.where(F.col("market_maker")).crossJoin(F.broadcast(days))
    dk = F.concat_ws(":", F.lit("mm"), F.col("idx"), F.col("d"))
    df = df.where(ctx.u("mmday", dk) < MM_DAY_SHARE)
    rc = ctx.u("mmc", dk)
    df = df.select(
        "*",
        dk.alias("dk"),
        R.weighted([(c, w) for c, _, w in CHAIN_ASSETS], rc).alias("chain"),
        R.weighted([(a, w) for _, a, w in CHAIN_ASSETS], rc).alias("asset"),
        (F.lit(ctx.start_unix) + F.col("d") * DAY + ctx.u("mmt", dk) * 20 * HOUR).alias("t_in"),
        ctx.lognormal("mma", MM_TICKET_USD, MM_SIGMA, dk).alias("amt"),
    ).where(F.col("t_in") >= F.col("onboarded"))  # trading from onboarding on
    df = df.select("*", F.explode(F.array(F.lit(0), F.lit(1))).alias("leg"))
    inflow = F.col("leg") == 0
    ch = F.col("chain")
    venue = hub_address(ctx, ch, "exchange", ctx.u("mmv1", F.col("dk")), ctx.u("mmv2", F.col("dk")))
    ts = F.when(inflow, F.col("t_in")).otherwise(
        F.col("t_in") + ctx.uniform("mmd", 0.5 * HOUR, 6 * HOUR, F.col("dk"))
    )
    dep = deposit_address(ch)
    rows = df.select(
        F.concat_ws(":", F.col("dk"), F.col("leg")).alias("key"),
        "idx",
        "chain",
        "asset",
        F.when(inflow, "deposit").otherwise("withdrawal").alias("direction"),
        F.when(inflow, own_wallet(ch))
        .otherwise(R.address(ch, R.hex64(ctx.seed, "home", ch, F.lit(2))))
        .alias("from_address"),
        F.when(inflow, dep).otherwise(venue).alias("to_address"),
        F.when(inflow, F.col("amt"))
        .otherwise(F.col("amt") * ctx.uniform("mmk", 0.95, 1.0, F.col("dk")))
        .alias("usd"),
        ts.alias("ts"),
        F.lit(None).cast("string").alias("inst"),
    )
    return fill(rows.where(F.col("ts") < F.lit(ctx.end_unix)), CHAIN_IN_COLS)


def fiat_lookalikes(ctx: Ctx, cust: DataFrame) -> DataFrame:
    """All fiat look-alike rows, with the customer columns the fiat finaliser needs."""
    cols = FIAT_COLS + ["off", "account_id"]
    out = payroll(ctx, cust).select(cols)
    for fn in (regular_below_threshold, remittance):
        out = out.unionByName(fn(ctx, cust).select(cols))
    return out


LABEL_ORDER = [
    "payroll",
    "market_maker",
    "frequent_trader",
    "regular_below",
    "remittance",
    "household",
    "office",
    "ip_hub",
    "is_pep",
    "namesake",
]
LABEL_NAMES = {
    "payroll": "payroll",
    "market_maker": "market_maker",
    "frequent_trader": "frequent_trader",
    "regular_below": "regular_below_threshold",
    "remittance": "remittance",
    "household": "household",
    "office": "office_nat",
    "ip_hub": "public_ip_hub",
    "is_pep": "pep",
    "namesake": "namesake",
}


def lookalike_label(cust: DataFrame):
    """The first applicable look-alike kind of a customer (merchant receipts for other merchants)."""
    expr = None
    for flag in LABEL_ORDER:
        c = F.col(flag)
        cond = (
            c.isNotNull()
            if flag in ("household", "office", "ip_hub")
            else F.coalesce(c, F.lit(False))
        )
        expr = (
            F.when(cond, F.lit(LABEL_NAMES[flag]))
            if expr is None
            else expr.when(cond, F.lit(LABEL_NAMES[flag]))
        )
    return expr.when(F.col("segment") == "merchant", F.lit("merchant_receipts"))
