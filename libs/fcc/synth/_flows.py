"""Transaction rows: source-shaped finalisers, background activity, chain graph, labels, FX."""

from __future__ import annotations

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from fcc.synth import _rand as R
from fcc.synth._context import DAY, FX_EPOCH, HISTORY_DAYS, Ctx
from fcc.synth._people import compose, sanctioned_address, sanctioned_entry, with_person
from fcc.synth._reference import (
    CHAIN_ASSETS,
    CHAINS,
    DECIMALS,
    ENTITIES,
    FX,
    PROCESSORS,
    SEPA_COUNTRIES,
)

ENTITY_IDS: dict[str, list[int]] = {}
for _i, (_cat, *_rest) in enumerate(ENTITIES):
    ENTITY_IDS.setdefault(_cat, []).append(_i)
_N_ADDR = [n for _, _, n, _ in ENTITIES]

# Intermediate row shapes every generator produces (defaults filled by `fill`).
FIAT_COLS = [
    "key",
    "idx",
    "ts",
    "entry_type",
    "method",
    "currency",
    "usd",
    "cp_name",
    "cp_account",
    "cp_country",
    "reference",
    "inst",
]
CHAIN_IN_COLS = [
    "key",
    "idx",
    "chain",
    "asset",
    "direction",
    "from_address",
    "to_address",
    "usd",
    "ts",
    "fx_ts",
    "tx_hash",
    "inst",
]
INT_COLS = ["key", "from_idx", "to_idx", "asset", "usd", "ts", "memo", "inst"]
TRADE_COLS = ["key", "idx", "side", "base", "quote", "usd", "ts", "inst"]
EXT_COLS = ["chain", "tx_hash", "from_address", "to_address", "asset", "usd", "ts", "fx_ts"]


def fill(df: DataFrame, cols: list[str]) -> DataFrame:
    """Select the intermediate columns, adding absent ones as typed nulls."""
    types = {
        "idx": "long",
        "from_idx": "long",
        "to_idx": "long",
        "ts": "double",
        "usd": "double",
        "fx_ts": "double",
    }
    return df.select(
        [
            (F.col(c) if c in df.columns else F.lit(None)).cast(types.get(c, "string")).alias(c)
            for c in cols
        ]
    )


# ---------------------------------------------------------------- addresses


def hub_address(ctx: Ctx, chain: Column, category: str, r: Column, r2: Column) -> Column:
    """An address of a labelled entity of `category` (hot wallets, processors, mixers ...)."""
    ids = ENTITY_IDS[category]
    ent = R.pick(ids, r)
    n_addr = F.element_at(F.array(*[F.lit(n) for n in _N_ADDR]), ent + 1)
    k = F.floor(r2 * n_addr).cast("long")
    return R.address(chain, R.hex64(ctx.seed, "hub", ent, chain, k))


def risky_address(ctx: Ctx, chain: Column, category: Column, r: Column, r2: Column) -> Column:
    """An address labelled with a risky category; sanctioned ones come from the synthetic list."""
    n_sanc = (ctx.n_entries + 2) // 3
    sanc_entry = F.floor(r * n_sanc).cast("long") * 3
    expr = F.when(category == "sanctioned", sanctioned_address(ctx, sanc_entry, F.lit("BTC")))
    for cat in ("mixer", "darknet", "ransomware", "scam"):
        expr = expr.when(category == cat, hub_address(ctx, chain, cat, r, r2))
    return expr


def home_hot_wallet(ctx: Ctx, chain: Column, r: Column) -> Column:
    """Our own exchange's hot wallets (withdrawals are sent from them)."""
    return R.address(chain, R.hex64(ctx.seed, "home", chain, F.floor(r * 3).cast("long")))


def fresh_address(ctx: Ctx, chain: Column, *keys) -> Column:
    return R.address(chain, R.hex64(ctx.seed, "fresh", *keys))


def own_wallet(chain: Column) -> Column:
    """The customer's own external wallet on `chain` (needs the wd_* customer columns)."""
    return (
        F.when(chain == "BTC", F.col("wd_BTC"))
        .when(chain == "ETH", F.col("wd_ETH"))
        .otherwise(F.col("wd_TRON"))
    )


def deposit_address(chain: Column) -> Column:
    return (
        F.when(chain == "BTC", F.col("dep_BTC"))
        .when(chain == "ETH", F.col("dep_ETH"))
        .otherwise(F.col("dep_TRON"))
    )


# ---------------------------------------------------------------- finalisers


def _amount(ctx: Ctx, usd: Column, asset: Column, ts: Column) -> Column:
    """The native amount of `usd` at the generator's amount scale (the one place it applies)."""
    dec = R.lookup(DECIMALS, asset, 2)
    return R.decimal_str(usd * ctx.cfg.amount_scale / ctx.fx(asset, ts), dec)


def _fx_ts(df: DataFrame) -> Column:
    """Conversion time: an explicit fx_ts keeps native amounts conserved along a chain of hops."""
    return F.coalesce(F.col("fx_ts"), F.col("ts")) if "fx_ts" in df.columns else F.col("ts")


def fiat_final(ctx: Ctx, df: DataFrame) -> DataFrame:
    """bronze.fiat_ledger rows (+ txn_id, inst, ts); needs customer columns off, account_id."""
    ledger_id = F.concat(
        F.lit("LE"), F.upper(F.substring(R.hex64(ctx.seed, "ledger", F.col("key")), 1, 20))
    )
    return df.select(
        ledger_id.alias("ledger_id"),
        ctx.cid(F.col("idx")).alias("customer_id"),
        "account_id",
        R.iso(F.col("ts"), F.col("off")).alias("booked_at"),
        "entry_type",
        "method",
        "currency",
        _amount(ctx, F.col("usd"), F.col("currency"), F.col("ts")).alias("amount"),
        F.col("cp_name").alias("counterparty_name"),
        F.col("cp_account").alias("counterparty_account"),
        F.col("cp_country").alias("counterparty_bank_country"),
        "reference",
        *ctx.daily_batch("fiat-", F.col("ts")),
        "inst",
        "ts",
    ).withColumn("txn_ids", F.array(F.concat(F.lit("FIAT:"), F.col("ledger_id"))))


def onchain_final(ctx: Ctx, df: DataFrame) -> DataFrame:
    """bronze.onchain_transfers rows (+ txn_ids, inst, ts)."""
    tid = R.uuid(ctx.seed, "wallet", F.col("key"))
    hx = R.hex64(ctx.seed, "tx", F.col("key"))
    tx_hash = F.coalesce(
        F.col("tx_hash"), F.when(F.col("chain") == "ETH", F.concat(F.lit("0x"), hx)).otherwise(hx)
    )
    block_time = F.when(
        F.col("chain") == "BTC", F.floor(F.col("ts")).cast("long").cast("string")
    ).otherwise(R.iso(F.col("ts"), 0, zulu=True))
    return df.select(
        tid.alias("transfer_id"),
        ctx.cid(F.col("idx")).alias("customer_id"),
        "chain",
        "asset",
        "direction",
        tx_hash.alias("tx_hash"),
        "from_address",
        "to_address",
        _amount(ctx, F.col("usd"), F.col("asset"), _fx_ts(df)).alias("amount"),
        block_time.alias("block_time"),
        *ctx.daily_batch("wallet-", F.col("ts")),
        "inst",
        "ts",
    ).withColumn("txn_ids", F.array(F.concat(F.lit("CHAIN:"), F.col("transfer_id"))))


def internal_final(ctx: Ctx, df: DataFrame) -> DataFrame:
    """bronze.internal_transfers rows (+ txn_ids for both legs)."""
    tid = F.concat(F.lit("IT-"), R.uuid(ctx.seed, "int", F.col("key")))
    return df.select(
        tid.alias("transfer_id"),
        ctx.cid(F.col("from_idx")).alias("from_customer_id"),
        ctx.cid(F.col("to_idx")).alias("to_customer_id"),
        "asset",
        _amount(ctx, F.col("usd"), F.col("asset"), F.col("ts")).alias("amount"),
        R.iso(F.col("ts"), 0).alias("created_at"),
        "memo",
        *ctx.daily_batch("internal-", F.col("ts")),
        "inst",
        "ts",
    ).withColumn(
        "txn_ids",
        F.array(
            F.concat(F.lit("INT:"), F.col("transfer_id"), F.lit(":out")),
            F.concat(F.lit("INT:"), F.col("transfer_id"), F.lit(":in")),
        ),
    )


def trades_final(ctx: Ctx, df: DataFrame) -> DataFrame:
    """bronze.trades rows (+ txn_ids for base and quote legs)."""
    tid = F.concat(
        F.lit("T"),
        (R.h64(ctx.seed, "trade", F.col("key")) % 10**15).cast("string"),
        F.lpad((R.h64(ctx.seed, "trade2", F.col("key")) % 10**4).cast("string"), 4, "0"),
    )
    fee = F.lit(1.0) + F.when(F.col("side") == "BUY", 1).otherwise(-1) * ctx.uniform(
        "fee", 0.001, 0.004, F.col("key")
    )
    return df.select(
        tid.alias("trade_id"),
        ctx.cid(F.col("idx")).alias("customer_id"),
        "side",
        F.col("base").alias("base_asset"),
        F.col("quote").alias("quote_asset"),
        _amount(ctx, F.col("usd"), F.col("base"), F.col("ts")).alias("base_amount"),
        _amount(ctx, F.col("usd") * fee, F.col("quote"), F.col("ts")).alias("quote_amount"),
        R.iso(F.col("ts"), 0, fraction=True, zulu=True).alias("executed_at"),
        *ctx.daily_batch("trades-", F.col("ts")),
        "inst",
        "ts",
    ).withColumn(
        "txn_ids",
        F.array(
            F.concat(F.lit("TRD:"), F.col("trade_id"), F.lit(":base")),
            F.concat(F.lit("TRD:"), F.col("trade_id"), F.lit(":quote")),
        ),
    )


def chain_final(ctx: Ctx, df: DataFrame) -> DataFrame:
    """bronze.chain_transfers rows."""
    return df.select(
        "chain",
        "tx_hash",
        "from_address",
        "to_address",
        "asset",
        _amount(ctx, F.col("usd"), F.col("asset"), _fx_ts(df)).alias("amount"),
        R.iso(F.col("ts"), 0, zulu=True).alias("block_time"),
        *ctx.daily_batch("chaindata-", F.col("ts")),
    )


# ---------------------------------------------------------------- background


_KINDS = ["fiat_in", "fiat_out", "buy", "sell", "dep", "wd", "int"]
_KIND_MIX = {
    "retail": [20, 10, 26, 14, 10, 12, 8],
    "hnw": [20, 14, 20, 14, 10, 14, 8],
    "merchant": [50, 14, 8, 8, 6, 6, 8],
    "institutional": [14, 14, 22, 22, 12, 12, 4],
    "frequent": [6, 4, 42, 40, 3, 3, 2],
}


def background(ctx: Ctx, cust: DataFrame) -> DataFrame:
    """Everyday activity: customer x day, weekly seasonality, heavy-tailed amounts (persisted)."""
    cfg = ctx.cfg
    days = ctx.spark.range(ctx.days).select(
        F.col("id").alias("d"), (F.lit(ctx.start_unix) + F.col("id") * DAY).alias("day0")
    )
    days = days.withColumn("weekend", F.dayofweek(F.timestamp_seconds("day0")).isin(1, 7))
    seg = F.col("segment")
    wf = None
    for name, act in cfg.activity.items():
        cond, val = seg == name, F.lit(act.weekend_factor)
        wf = F.when(cond, val) if wf is None else wf.when(cond, val)
    wf = wf.otherwise(1.0)
    idx, d = F.col("idx"), F.col("d")
    lam = (
        F.col("rate")
        * F.when(F.col("weekend"), wf).otherwise(1.0)
        * F.exp(R.normal(ctx.seed, "dayn", idx, d) * 0.6 - 0.18)
    )
    k = F.least(F.floor(lam + ctx.u("cnt", idx, d)), F.lit(60)).cast("int")
    base = cust.crossJoin(F.broadcast(days)).withColumn("k", k).where(F.col("k") > 0)
    base = base.withColumn("seq", F.explode(F.sequence(F.lit(0), F.col("k") - 1)))
    key = F.concat_ws(":", F.lit("bg"), idx, d, F.col("seq"))
    busy = ctx.u("tod", key) < 0.8
    tod = F.when(busy, 7 * 3600 + ctx.u("tod2", key) * 15 * 3600).otherwise(
        ctx.u("tod2", key) * DAY
    )
    ts = F.col("day0") + tod - F.col("off") * 60
    r = ctx.u("kind", key)
    kind = F.when(
        F.col("frequent_trader"),
        R.weighted(list(zip(_KINDS, _KIND_MIX["frequent"], strict=True)), r),
    )
    for s in ("retail", "hnw", "merchant", "institutional"):
        kind = kind.when(seg == s, R.weighted(list(zip(_KINDS, _KIND_MIX[s], strict=True)), r))
    tail = ctx.u("tail", key) < cfg.pareto_share
    usd = F.when(
        tail, R.pareto(ctx.seed, "par", F.col("scale") * 3, cfg.pareto_alpha, key)
    ).otherwise(ctx.lognormal("amt", F.col("scale"), cfg.amount_sigma, key))
    usd = F.least(F.greatest(usd, F.lit(5.0)), F.lit(50_000_000.0))
    out = base.select("*", key.alias("key"), ts.alias("ts"), kind.alias("kind"), usd.alias("usd"))
    out = out.where((F.col("ts") >= F.col("quiet_until")) & (F.col("ts") < F.lit(ctx.end_unix)))
    cols = [
        "idx",
        "segment",
        "residence_country",
        "currency",
        "off",
        "account_id",
        "bank_account",
        "name_latin",
        "key",
        "ts",
        "kind",
        "usd",
        "wd_BTC",
        "wd_ETH",
        "wd_TRON",
        "dep_BTC",
        "dep_ETH",
        "dep_TRON",
        "d",
    ]
    return out.select(*cols).persist(StorageLevel.MEMORY_AND_DISK)


def method_for(currency: Column, residence: Column, cp_country: Column) -> Column:
    """Payment scheme a bank would use for this currency and corridor."""
    sepa = residence.isin(*SEPA_COUNTRIES) & cp_country.isin(*SEPA_COUNTRIES)
    return (
        F.when((currency == "EUR") & sepa, F.lit("SEPA"))
        .when(
            (currency == "GBP") & (residence == "GB") & (cp_country == "GB"),
            F.lit("FASTER_PAYMENTS"),
        )
        .when((currency == "USD") & (residence == "US") & (cp_country == "US"), F.lit("ACH"))
        .otherwise(F.lit("SWIFT"))
    )


def party_id(ctx: Ctx, key: Column, salt: str) -> Column:
    """Id of an external remitter / beneficiary in a pool of about 3 per customer."""
    return F.floor(ctx.u(salt + "pid", key) * (ctx.n * 3 + 100)).cast("long")


def with_party(ctx: Ctx, df: DataFrame, key: Column, salt: str) -> DataFrame:
    """Add an external remitter / beneficiary (p_name, p_account, p_country) from a large pool."""
    return with_party_id(ctx, df, party_id(ctx, key, salt))


def with_party_id(ctx: Ctx, df: DataFrame, pid: Column) -> DataFrame:
    """Add the party `pid` (p_name, p_account, p_country); a null id gives null columns."""
    df = df.withColumn("_pid", pid)
    df = with_person(ctx, df, "party", F.col("_pid"), "pp_")
    return df.select(
        *[c for c in df.columns if not c.startswith("pp_") and c != "_pid"],
        compose("pp_", "latin")["full_name"].alias("p_name"),
        R.hex64(ctx.seed, "party", F.col("_pid")).alias("p_account"),
        F.col("pp_nationality").alias("p_country"),
    )


def bg_fiat(ctx: Ctx, bg: DataFrame) -> DataFrame:
    hr = ctx.cfg.high_risk_countries
    df = bg.where(F.col("kind").isin("fiat_in", "fiat_out"))
    key, seg = F.col("key"), F.col("segment")
    inflow = F.col("kind") == "fiat_in"
    r = ctx.u("cp", key)
    own = (
        F.when(seg.isin("retail", "hnw"), r < 0.8)
        .when(seg == "institutional", r < 0.6)
        .otherwise(~inflow & (r < 0.5))
    )
    processor = (seg == "merchant") & inflow & (ctx.u("proc", key) < 0.6)
    card = inflow & seg.isin("retail", "hnw") & (ctx.u("card", key) < 0.3)
    df = with_party(ctx, df, key, "bg")
    party = {"name": F.col("p_name"), "account": F.col("p_account"), "country": F.col("p_country")}
    pr = ctx.u("procid", key)
    proc_name = R.pick([n for n, _ in PROCESSORS], pr)
    proc_country = R.pick([c for _, c in PROCESSORS], pr)
    local_party = ctx.u("loc", key) < 0.92
    odd = ctx.u("odd", key) < 0.003
    party_country = (
        F.when(odd, R.pick(hr, ctx.u("oddc", key)))
        .when(local_party, F.col("residence_country"))
        .otherwise(party["country"])
    )
    cp_country = (
        F.when(card | own, F.col("residence_country"))
        .when(processor, proc_country)
        .otherwise(party_country)
    )
    df = df.select(
        "*",
        F.when(inflow, "CREDIT").otherwise("DEBIT").alias("entry_type"),
        F.when(card, F.lit("CARD"))
        .otherwise(method_for(F.col("currency"), F.col("residence_country"), cp_country))
        .alias("method"),
        F.when(card, None)
        .when(own, F.col("name_latin"))
        .when(processor, proc_name)
        .otherwise(party["name"])
        .alias("cp_name"),
        F.when(card, R.hex64(ctx.seed, "card", F.col("idx")))
        .when(own, F.col("bank_account"))
        .when(processor, R.hex64(ctx.seed, "proc", proc_name))
        .otherwise(party["account"])
        .alias("cp_account"),
        cp_country.alias("cp_country"),
        F.when(card, F.lit("CARD TOPUP"))
        .when(own, F.when(inflow, "Top-up").otherwise("Withdrawal"))
        .when(
            processor,
            F.concat(F.lit("SETTLEMENT "), F.from_unixtime(F.col("ts").cast("long"), "yyyyMMdd")),
        )
        .otherwise(
            F.concat(
                R.pick(["INV-", "Invoice ", "Payment ", "Order ", ""], ctx.u("refp", key)),
                (R.h64(ctx.seed, "ref", key) % 100000).cast("string"),
            )
        )
        .alias("reference"),
        F.lit(None).cast("string").alias("inst"),
    )
    return fiat_final(ctx, df)


def bg_trades(ctx: Ctx, bg: DataFrame) -> DataFrame:
    df = bg.where(F.col("kind").isin("buy", "sell"))
    key = F.col("key")
    base = R.weighted([("BTC", 50), ("ETH", 35), ("USDT", 15)], ctx.u("base", key))
    quote = F.when((base != "USDT") & (ctx.u("quote", key) < 0.25), F.lit("USDT")).otherwise(
        F.col("currency")
    )
    df = df.select(
        "*",
        F.when(F.col("kind") == "buy", "BUY").otherwise("SELL").alias("side"),
        base.alias("base"),
        quote.alias("quote"),
        F.lit(None).cast("string").alias("inst"),
    )
    return trades_final(ctx, df)


def bg_internal(ctx: Ctx, bg: DataFrame, cust: DataFrame) -> DataFrame:
    """Person-to-person transfers to a random customer who had already onboarded.

    The amount fits both sides: the smaller of a draw at the sender's and one at the recipient's
    usual ticket size, so an institution does not send a retail customer its own ticket sizes.
    A draw of a recipient not yet onboarded at the time is no transfer.
    """
    key = F.col("key")
    to = F.floor(ctx.u("to", key) * ctx.n).cast("long")
    to = F.when(to == F.col("idx"), (to + 1) % ctx.n).otherwise(to)
    recipients = cust.select(
        F.col("idx").alias("to_idx"),
        F.col("scale").alias("_to_scale"),
        F.col("onboarded").alias("_to_onboarded"),
    )
    df = (
        bg.where(F.col("kind") == "int")
        .withColumn("to_idx", to)
        .join(recipients, "to_idx")
        .where(F.col("ts") >= F.col("_to_onboarded"))
        .withColumn(
            "usd",
            F.least(
                F.col("usd"), ctx.lognormal("ito", F.col("_to_scale"), ctx.cfg.amount_sigma, key)
            ),
        )
        .drop("_to_scale", "_to_onboarded")
    )
    asset = R.weighted([("USDT", 50), ("BTC", 20), ("ETH", 10), ("FIAT", 20)], ctx.u("iasset", key))
    df = df.select(
        *[c for c in df.columns if c not in ("usd", "to_idx")],
        (F.col("usd") * ctx.uniform("ifrac", 0.1, 0.6, key)).alias("usd"),
        F.col("idx").alias("from_idx"),
        F.col("to_idx"),
        F.when(asset == "FIAT", F.col("currency")).otherwise(asset).alias("asset"),
        R.pick(
            ["", "thanks", "rent", "dinner", "loan repayment", "gift", "share of bill", "tickets"],
            ctx.u("memo", key),
        ).alias("memo"),
        F.lit(None).cast("string").alias("inst"),
    )
    return internal_final(ctx, df)


def bg_onchain(ctx: Ctx, bg: DataFrame) -> tuple[DataFrame, DataFrame]:
    """Customer deposits / withdrawals, plus the external edges around them (chain_transfers)."""
    df = bg.where(F.col("kind").isin("dep", "wd"))
    key = F.col("key")
    rc = ctx.u("chain", key)
    chain = R.weighted([(c, w) for c, _, w in CHAIN_ASSETS], rc)
    asset = R.weighted([(a, w) for _, a, w in CHAIN_ASSETS], rc)
    dep = F.col("kind") == "dep"
    ch = F.col("chain")
    r = ctx.u("src", key)
    hub = hub_address(ctx, ch, "exchange", ctx.u("hub1", key), ctx.u("hub2", key))
    proc = hub_address(ctx, ch, "payment_processor", ctx.u("hub1", key), ctx.u("hub2", key))
    ext = F.when(
        dep,
        F.when(r < 0.55, own_wallet(ch)).when(r < 0.9, hub).otherwise(fresh_address(ctx, ch, key)),
    ).otherwise(
        F.when(r < 0.75, own_wallet(ch))
        .when(r < 0.9, hub)
        .when(r < 0.95, proc)
        .otherwise(fresh_address(ctx, ch, key))
    )
    df = df.select("*", chain.alias("chain"), asset.alias("asset"))
    df = df.select(
        "*",
        F.when(dep, "deposit").otherwise("withdrawal").alias("direction"),
        F.when(dep, ext)
        .otherwise(home_hot_wallet(ctx, ch, ctx.u("hot", key)))
        .alias("from_address"),
        F.when(dep, deposit_address(ch)).otherwise(ext).alias("to_address"),
        F.lit(None).cast("string").alias("tx_hash"),
        F.lit(None).cast("string").alias("inst"),
        (r < F.when(dep, 0.55).otherwise(0.75)).alias("via_own"),
        ext.alias("ext"),
    )
    rows = onchain_final(ctx, df)
    # upstream funding of deposits from own / fresh wallets and downstream spending of withdrawals
    up = df.where(dep & ((r < 0.55) | (r >= 0.9)))
    depth2 = ctx.u("depth", key) < 0.4
    cat_r = ctx.u("upcat", key)
    src_hub = (
        F.when(cat_r < 0.85, hub_address(ctx, ch, "exchange", ctx.u("uh1", key), ctx.u("uh2", key)))
        .when(
            cat_r < 0.93,
            hub_address(ctx, ch, "payment_processor", ctx.u("uh1", key), ctx.u("uh2", key)),
        )
        .otherwise(hub_address(ctx, ch, "gambling", ctx.u("uh1", key), ctx.u("uh2", key)))
    )
    mid = fresh_address(ctx, ch, key, F.lit("mid"))
    t1 = F.col("ts") - ctx.uniform("up1", 1800, 3 * DAY, key)
    t2 = t1 - ctx.uniform("up2", 3600, 5 * DAY, key)
    grow = ctx.uniform("grow", 1.0, 1.6, key)
    edges = up.select(
        F.explode(
            F.array(
                F.struct(
                    F.when(depth2, mid).otherwise(src_hub).alias("from_address"),
                    F.col("ext").alias("to_address"),
                    t1.alias("ts"),
                    (F.col("usd") * grow).alias("usd"),
                    F.lit("e1").alias("step"),
                ),
                F.when(
                    depth2,
                    F.struct(
                        src_hub.alias("from_address"),
                        mid.alias("to_address"),
                        t2.alias("ts"),
                        (F.col("usd") * grow * 1.3).alias("usd"),
                        F.lit("e2").alias("step"),
                    ),
                ),
            )
        ).alias("e"),
        "chain",
        "asset",
        "key",
    ).where(F.col("e").isNotNull())
    down = df.where(~dep & F.col("via_own") & (ctx.u("spend", key) < 0.35)).select(
        F.struct(
            F.col("ext").alias("from_address"),
            hub_address(ctx, ch, "exchange", ctx.u("dh1", key), ctx.u("dh2", key)).alias(
                "to_address"
            ),
            (F.col("ts") + ctx.uniform("dn", 3600, 3 * DAY, key)).alias("ts"),
            (F.col("usd") * ctx.uniform("dnf", 0.5, 1.0, key)).alias("usd"),
            F.lit("d1").alias("step"),
        ).alias("e"),
        "chain",
        "asset",
        "key",
    )
    ext_rows = up_down_rows(ctx, edges.unionByName(down))
    return rows, ext_rows


def up_down_rows(ctx: Ctx, edges: DataFrame) -> DataFrame:
    hx = R.hex64(ctx.seed, "ext", F.col("key"), F.col("e.step"))
    return edges.select(
        "chain",
        F.when(F.col("chain") == "ETH", F.concat(F.lit("0x"), hx)).otherwise(hx).alias("tx_hash"),
        "e.from_address",
        "e.to_address",
        "asset",
        "e.usd",
        "e.ts",
    )


def hub_traffic(ctx: Ctx) -> DataFrame:
    """Exchange hot wallets rebalancing and receiving from risky services (hubs with many edges)."""
    per_day = 12
    df = ctx.spark.range(ctx.days * per_day).select(F.col("id").alias("j"))
    j = F.col("j")
    rc = ctx.u("htc", j)
    chain = R.weighted([(c, w) for c, _, w in CHAIN_ASSETS], rc)
    asset = R.weighted([(a, w) for _, a, w in CHAIN_ASSETS], rc)
    df = df.select("j", chain.alias("chain"), asset.alias("asset"))
    ch = F.col("chain")
    risky = ctx.u("htr", j) < 0.25
    cat = R.weighted(
        [("mixer", 3), ("darknet", 2), ("scam", 3), ("ransomware", 1)], ctx.u("htcat", j)
    )
    src = F.when(risky, risky_address(ctx, ch, cat, ctx.u("hs1", j), ctx.u("hs2", j))).otherwise(
        hub_address(ctx, ch, "exchange", ctx.u("hs1", j), ctx.u("hs2", j))
    )
    dst = hub_address(ctx, ch, "exchange", ctx.u("hd1", j), ctx.u("hd2", j))
    ts = F.lit(ctx.start_unix) + F.floor(j / per_day) * DAY + ctx.u("hts", j) * DAY
    usd = F.when(risky, ctx.lognormal("hta", 5000, 1.0, j)).otherwise(
        ctx.lognormal("hta", 400000, 0.8, j)
    )
    hx = R.hex64(ctx.seed, "hubtx", j)
    return df.select(
        "chain",
        F.when(ch == "ETH", F.concat(F.lit("0x"), hx)).otherwise(hx).alias("tx_hash"),
        src.alias("from_address"),
        dst.alias("to_address"),
        "asset",
        usd.alias("usd"),
        ts.alias("ts"),
    ).where(F.col("from_address") != F.col("to_address"))


def address_intel_rows(ctx: Ctx) -> DataFrame:
    """Third-party labels for the entity catalogue, our hot wallets and listed addresses."""
    cat = ctx.spark.createDataFrame(
        [(i, c, name, n, conf) for i, (c, name, n, conf) in enumerate(ENTITIES)],
        "ent long, category string, entity_name string, n int, confidence double",
    )
    chains = F.array(*[F.lit(c) for c in CHAINS])
    ents = (
        cat.select("*", F.explode(chains).alias("chain"))
        .select("*", F.explode(F.sequence(F.lit(0), F.col("n") - 1)).alias("k"))
        .select(
            "chain",
            R.address(
                F.col("chain"),
                R.hex64(ctx.seed, "hub", F.col("ent"), F.col("chain"), F.col("k").cast("long")),
            ).alias("address"),
            "category",
            "entity_name",
            F.round(F.col("confidence") - ctx.u("conf", F.col("ent"), F.col("k")) * 0.05, 3).alias(
                "confidence"
            ),
            F.lit("SynthChainIntel").alias("source"),
            F.col("ent"),
        )
    )
    home = (
        ctx.spark.range(3)
        .select(F.col("id").alias("k"))
        .select(F.explode(chains).alias("chain"), "k")
        .select(
            "chain",
            R.address(F.col("chain"), R.hex64(ctx.seed, "home", F.col("chain"), F.col("k"))).alias(
                "address"
            ),
            F.lit("exchange").alias("category"),
            F.lit("Home exchange hot wallet").alias("entity_name"),
            F.lit(0.99).alias("confidence"),
            F.lit("SynthChainIntel").alias("source"),
            F.lit(-1).cast("long").alias("ent"),
        )
    )
    e = F.col("id")
    sanc = (
        ctx.spark.range(ctx.n_entries)
        .where(sanctioned_entry(e))
        .select(e, F.explode(chains).alias("chain"))
        .select(
            "chain",
            sanctioned_address(ctx, e, F.col("chain")).alias("address"),
            F.lit("sanctioned").alias("category"),
            F.concat(F.lit("SYNTH:"), F.lpad(e.cast("string"), 6, "0")).alias("entity_name"),
            F.lit(1.0).alias("confidence"),
            F.lit("SYNTH-LIST").alias("source"),
            e.alias("ent"),
        )
    )
    out = ents.unionByName(home).unionByName(sanc)
    upd = F.lit(ctx.start_unix) - ctx.uniform("intel", 0, 400 * DAY, F.col("address"))
    return out.select(
        "chain",
        "address",
        "category",
        "entity_name",
        "confidence",
        "source",
        R.iso(upd, 0, zulu=True).alias("updated_at"),
        *ctx.initial_batch("intel-"),
    )


def fx_rows(ctx: Ctx) -> DataFrame:
    """Daily USD rates for every fiat currency and crypto asset over the window and the history."""
    first = ctx.start_unix - HISTORY_DAYS * DAY
    n_days = HISTORY_DAYS + ctx.days
    days = ctx.spark.range(n_days).select((F.lit(first) + F.col("id") * DAY).alias("ts"))
    cur = ctx.spark.createDataFrame([(c,) for c, *_ in FX], "currency string")
    df = days.crossJoin(cur)
    rate = ctx.fx(F.col("currency"), F.col("ts") + 43200)
    assert FX_EPOCH % DAY == 0
    return df.select(
        F.from_unixtime(F.col("ts").cast("long"), "yyyy-MM-dd").alias("rate_date"),
        "currency",
        F.round(rate, 10).cast("decimal(38,10)").cast("string").alias("usd_per_unit"),
        *ctx.daily_batch("fx-", F.col("ts")),
    )
