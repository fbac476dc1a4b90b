"""Planted typologies: members (with KYC overrides) and their transactions, with randomised shapes."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from fcc.synth import _rand as R
from fcc.synth._context import DAY, Ctx, threshold_bound
from fcc.synth._flows import (
    EXT_COLS,
    INT_COLS,
    TRADE_COLS,
    deposit_address,
    fill,
    fresh_address,
    hub_address,
    method_for,
    own_wallet,
    party_id,
    risky_address,
    with_party_id,
)
from fcc.synth._reference import CHAIN_ASSETS

HOUR = 3600


@dataclass
class Rows:
    """Intermediate rows of planted activity, per source (each carries `inst`)."""

    fiat: list[DataFrame] = field(default_factory=list)
    onchain: list[DataFrame] = field(default_factory=list)
    internal: list[DataFrame] = field(default_factory=list)
    trades: list[DataFrame] = field(default_factory=list)
    ext: list[DataFrame] = field(default_factory=list)

    def add(self, other: Rows) -> None:
        for k in ("fiat", "onchain", "internal", "trades", "ext"):
            getattr(self, k).extend(getattr(other, k))


# ---------------------------------------------------------------- instances and members


def instances(ctx: Ctx, tag: str) -> DataFrame:
    """One row per planted instance of `tag`: j, inst, g (members), w0/w1 window bounds."""
    b = ctx.blocks[tag]
    j = F.col("j")
    return (
        ctx.spark.range(b.count)
        .select(
            F.col("id").alias("j"),
            F.concat(F.lit(tag + "-"), F.lpad(F.col("id").cast("string"), 6, "0")).alias("inst"),
            ctx.between(tag + "g", b.lo, b.hi, F.col("id")).alias("g"),
        )
        .withColumn("tag", F.lit(tag))
        .withColumn("base", F.lit(b.base) + j * b.slot)
    )


def start_in(
    ctx: Ctx, salt: str, dur: Column, lo_frac: float = 0.0, hi_frac: float = 1.0
) -> Column:
    """Start time so that [start, start + dur] fits in the [lo_frac, hi_frac] part of the window."""
    w = ctx.days * DAY
    lo = ctx.start_unix + lo_frac * w
    room = F.greatest(F.lit(hi_frac * w - lo_frac * w) - dur, F.lit(0.0))
    return F.lit(lo) + ctx.u(salt, F.col("inst")) * room


def span(ctx: Ctx, salt: str, lo_days: float, hi_days: float) -> Column:
    """Instance duration in seconds, capped at 80% of the window."""
    return F.least(
        ctx.uniform(salt, lo_days * DAY, hi_days * DAY, F.col("inst")), F.lit(0.8 * ctx.days * DAY)
    )


def members(inst: DataFrame, role: Column | None = None, **overrides: Column) -> DataFrame:
    """Explode instance rows into (idx, typology, instance_id, role, group_size, overrides...)."""
    m = inst.select("*", F.explode(F.sequence(F.lit(0), F.col("g") - 1)).alias("pos"))
    return m.select(
        (F.col("base") + F.col("pos")).alias("idx"),
        F.col("tag").alias("typology"),
        F.col("inst").alias("instance_id"),
        (role if role is not None else F.lit("subject")).alias("role"),
        F.col("g").alias("group_size"),
        *[v.alias(k) for k, v in overrides.items()],
    )


MEMBER_COLS = {
    "idx": "long",
    "typology": "string",
    "instance_id": "string",
    "role": "string",
    "group_size": "long",
    "onboard_override": "long",
    "quiet_until": "long",
    "scale_override": "double",
    "expected_override": "double",
    "segment_override": "string",
    "wl_entry": "long",
    "wl_kind": "string",
    "wl_dob_match": "boolean",
}


def conform_members(df: DataFrame) -> DataFrame:
    return df.select(
        [
            (F.col(c) if c in df.columns else F.lit(None)).cast(t).alias(c)
            for c, t in MEMBER_COLS.items()
        ]
    )


# Intermediate planted rows carry keys and flags only; `resolve_*` joins the customer frame and
# the name tables once per source.
PF_COLS = {
    "key": "string",
    "idx": "long",
    "ts": "double",
    "entry_type": "string",
    "usd": "double",
    "inst": "string",
    "own": "boolean",  # counterparty is the customer's own bank account
    "pid": "long",  # external party id (when neither own nor a peer customer)
    "peer_idx": "long",  # counterparty is this customer (wires between customers)
    "peer_cur": "boolean",  # the wire is in the peer's currency (the peer sent it)
    "cp_country": "string",  # counterparty bank country override
    "currency": "string",  # currency override (else the customer's, or the peer's)
    "method": "string",  # payment scheme override
    "reference": "string",
}
PC_COLS = {
    "key": "string",
    "idx": "long",
    "chain": "string",
    "asset": "string",
    "direction": "string",
    "ext": "string",  # external address (null: the customer's own wallet)
    "from_address": "string",  # explicit sender (else resolved from direction)
    "to_address": "string",  # explicit receiver (else resolved from direction)
    "usd": "double",
    "ts": "double",
    "fx_ts": "double",
    "tx_hash": "string",
    "inst": "string",
}
PI_COLS = {**{c: "string" for c in INT_COLS}, "from_idx": "long", "to_idx": "long"}
PI_COLS.update(usd="double", ts="double")
PT_COLS = {**{c: "string" for c in TRADE_COLS}, "idx": "long", "usd": "double", "ts": "double"}


def _shape(df: DataFrame, cols: dict[str, str]) -> DataFrame:
    """Select the intermediate columns, adding absent ones as typed nulls."""
    return df.select(
        [(F.col(c) if c in df.columns else F.lit(None)).cast(t).alias(c) for c, t in cols.items()]
    )


def resolve_fiat(ctx: Ctx, rows: DataFrame, cust: DataFrame) -> DataFrame:
    """Planted fiat rows with counterparty, currency and method resolved (FIAT_COLS + off, account_id)."""
    me = cust.select(
        "idx",
        F.col("currency").alias("_cur"),
        F.col("residence_country").alias("_res"),
        "off",
        "account_id",
        F.col("name_latin").alias("_name"),
        F.col("bank_account").alias("_bank"),
    )
    peer = cust.select(
        F.col("idx").alias("peer_idx"),
        F.col("currency").alias("_pcur"),
        F.col("residence_country").alias("_pres"),
        F.col("name_latin").alias("_pname"),
        F.col("bank_account").alias("_pbank"),
    )
    d = rows.join(me, "idx", "left").join(peer, "peer_idx", "left")
    d = with_party_id(ctx, d, F.col("pid"))
    own, is_peer = F.col("own"), F.col("peer_idx").isNotNull()
    cur = F.coalesce(F.col("currency"), F.when(F.col("peer_cur"), F.col("_pcur")), F.col("_cur"))
    cc = (
        F.when(own, F.col("_res"))
        .when(is_peer, F.col("_pres"))
        .otherwise(F.coalesce(F.col("cp_country"), F.col("p_country")))
    )
    d = d.select("*", cur.alias("_c"), cc.alias("_cc"))
    return d.select(
        "key",
        "idx",
        "ts",
        "entry_type",
        F.coalesce(F.col("method"), method_for(F.col("_c"), F.col("_res"), F.col("_cc"))).alias(
            "method"
        ),
        F.col("_c").alias("currency"),
        "usd",
        F.when(own, F.col("_name"))
        .when(is_peer, F.col("_pname"))
        .otherwise(F.col("p_name"))
        .alias("cp_name"),
        F.when(own, F.col("_bank"))
        .when(is_peer, F.col("_pbank"))
        .otherwise(F.col("p_account"))
        .alias("cp_account"),
        F.col("_cc").alias("cp_country"),
        "reference",
        "inst",
        "off",
        "account_id",
    )


def resolve_onchain(rows: DataFrame, cust: DataFrame) -> DataFrame:
    """Planted deposits / withdrawals with the customer's own wallet and deposit address filled in."""
    c = cust.select("idx", *[f"{p}_{ch}" for p in ("wd", "dep") for ch in ("BTC", "ETH", "TRON")])
    d = rows.join(c, "idx", "left")
    ch, dep = F.col("chain"), F.col("direction") == "deposit"
    ext = F.coalesce(F.col("ext"), own_wallet(ch))
    return d.select(
        "key",
        "idx",
        "chain",
        "asset",
        "direction",
        F.coalesce(F.col("from_address"), F.when(dep, ext)).alias("from_address"),
        F.coalesce(F.col("to_address"), F.when(dep, deposit_address(ch)).otherwise(ext)).alias(
            "to_address"
        ),
        "usd",
        "ts",
        "fx_ts",
        "tx_hash",
        "inst",
    )


def resolve_internal(rows: DataFrame, cust: DataFrame) -> DataFrame:
    """Planted internal transfers; a missing asset is the sender's home currency."""
    c = cust.select(F.col("idx").alias("from_idx"), F.col("currency").alias("_cur"))
    d = rows.join(c, "from_idx", "left")
    return d.select(
        *[
            F.coalesce(F.col("asset"), F.col("_cur")).alias(c) if c == "asset" else c
            for c in INT_COLS
        ]
    )


def resolve_trades(rows: DataFrame, cust: DataFrame) -> DataFrame:
    """Planted trades; a missing quote asset is the customer's home currency."""
    c = cust.select("idx", F.col("currency").alias("_cur"))
    d = rows.join(c, "idx", "left")
    return d.select(
        *[
            F.coalesce(F.col("quote"), F.col("_cur")).alias(c) if c == "quote" else c
            for c in TRADE_COLS
        ]
    )


# ---------------------------------------------------------------- customer-to-customer transfers


def c2c(ctx: Ctx, t: DataFrame) -> Rows:
    """Transfers between customers over a rail: INT (internal), FIAT (wire) or CHAIN (via a wallet).

    `t` needs key, inst, from_idx, to_idx, usd, ts, rail; optional chain/asset for CHAIN.
    """
    out = Rows()
    internal = t.where(F.col("rail") == "INT")
    out.internal.append(
        _shape(
            internal.withColumn(
                "asset",
                F.coalesce(F.col("asset"), F.when(ctx.u("ia", F.col("key")) < 0.6, F.lit("USDT"))),
            ).withColumn(
                "memo",
                R.pick(
                    ["", "loan", "for you", "as agreed", "services", "refund"],
                    ctx.u("m", F.col("key")),
                ),
            ),
            PI_COLS,
        )
    )
    w = t.where(F.col("rail") == "FIAT")
    delay = ctx.uniform("wdelay", 600, 6 * HOUR, F.col("key"))
    legs = w.select("*", F.explode(F.array(F.lit("out"), F.lit("in"))).alias("leg"))
    out_leg = F.col("leg") == "out"
    fiat = legs.select(
        F.concat_ws(":", F.col("key"), F.col("leg")).alias("key"),
        F.when(out_leg, F.col("from_idx")).otherwise(F.col("to_idx")).alias("idx"),
        F.when(out_leg, F.col("ts")).otherwise(F.col("ts") + delay).alias("ts"),
        F.when(out_leg, "DEBIT").otherwise("CREDIT").alias("entry_type"),
        "usd",
        "inst",
        F.lit(False).alias("own"),
        F.when(out_leg, F.col("to_idx")).otherwise(F.col("from_idx")).alias("peer_idx"),
        (~out_leg).alias("peer_cur"),
        R.pick(
            ["Transfer", "Payment", "Services", "Consulting fee", "Loan"],
            ctx.u("wref", F.col("key")),
        ).alias("reference"),
    )
    out.fiat.append(_shape(fiat, PF_COLS))
    c = t.where(F.col("rail") == "CHAIN")
    ca = ctx.u("cca", F.col("key"))
    c = c.withColumn(
        "chain", F.coalesce(F.col("chain"), R.weighted([(x, w_) for x, _, w_ in CHAIN_ASSETS], ca))
    )
    c = c.withColumn(
        "asset", F.coalesce(F.col("asset"), R.weighted([(a, w_) for _, a, w_ in CHAIN_ASSETS], ca))
    )
    mid = fresh_address(ctx, F.col("chain"), F.col("key"), F.lit("hop"))
    legs = c.select("*", F.explode(F.array(F.lit("out"), F.lit("in"))).alias("leg"))
    out_leg = F.col("leg") == "out"
    onchain = legs.select(
        F.concat_ws(":", F.col("key"), F.col("leg")).alias("key"),
        F.when(out_leg, F.col("from_idx")).otherwise(F.col("to_idx")).alias("idx"),
        "chain",
        "asset",
        F.when(out_leg, "withdrawal").otherwise("deposit").alias("direction"),
        F.when(
            out_leg, R.address(F.col("chain"), R.hex64(ctx.seed, "home", F.col("chain"), F.lit(0)))
        )
        .otherwise(mid)
        .alias("from_address"),
        F.when(out_leg, mid).alias("to_address"),
        F.when(out_leg, F.col("usd")).otherwise(F.col("usd") * 0.999).alias("usd"),
        F.when(out_leg, F.col("ts"))
        .otherwise(F.col("ts") + ctx.uniform("cdelay", 600, 4 * HOUR, F.col("key")))
        .alias("ts"),
        "inst",
    )
    out.onchain.append(_shape(onchain, PC_COLS))
    return out


def _rail(
    ctx: Ctx, salt: str, key: Column, weights=(("INT", 40), ("FIAT", 35), ("CHAIN", 25))
) -> Column:
    return R.weighted(list(weights), ctx.u(salt, key))


# ---------------------------------------------------------------- single-customer helpers


def _fiat(
    ctx: Ctx,
    df: DataFrame,
    entry: Column,
    usd: Column,
    ts: Column,
    key: Column,
    party_salt: str,
    cp_country: Column | None = None,
    currency: Column | None = None,
    method: Column | None = None,
    own: Column | None = None,
    reference: Column | None = None,
) -> DataFrame:
    """Fiat rows of one customer (column `idx`) against an external party or their own account."""
    d = _add(df, key=key, usd=usd, ts=ts, entry_type=entry)
    k = F.col("key")
    own = own if own is not None else F.lit(False)
    d = d.select("*", own.alias("_own"))
    rows = d.select(
        "key",
        "idx",
        "ts",
        "entry_type",
        "usd",
        "inst",
        F.col("_own").alias("own"),
        F.when(~F.col("_own"), party_id(ctx, k, party_salt)).alias("pid"),
        (cp_country if cp_country is not None else F.lit(None)).cast("string").alias("cp_country"),
        (currency if currency is not None else F.lit(None)).cast("string").alias("currency"),
        (method if method is not None else F.lit(None)).cast("string").alias("method"),
        (
            reference
            if reference is not None
            else R.pick(
                ["Transfer", "Payment", "Invoice", "Services", "Top-up", "Goods"], ctx.u("pref", k)
            )
        ).alias("reference"),
    )
    return _shape(rows, PF_COLS)


def _onchain(
    ctx: Ctx,
    df: DataFrame,
    direction: Column,
    chain: Column,
    asset: Column,
    counter: Column | None,
    usd: Column,
    ts: Column,
    key: Column,
    fx_ts: Column | None = None,
) -> DataFrame:
    """Deposits / withdrawals of one customer; `counter` is the external address (None: own wallet)."""
    d = _add(
        df,
        key=key,
        usd=usd,
        ts=ts,
        direction=direction,
        chain=chain,
        asset=asset,
        fx_ts=fx_ts if fx_ts is not None else F.lit(None).cast("double"),
        ext=counter if counter is not None else F.lit(None).cast("string"),
    )
    ch = F.col("chain")
    rows = d.select(
        "key",
        "idx",
        "chain",
        "asset",
        "direction",
        "ext",
        F.when(
            F.col("direction") != "deposit", R.address(ch, R.hex64(ctx.seed, "home", ch, F.lit(1)))
        ).alias("from_address"),
        "usd",
        "ts",
        "fx_ts",
        "inst",
    )
    return _shape(rows, PC_COLS)


def _trade(
    df: DataFrame,
    side: Column,
    base: Column,
    usd: Column,
    ts: Column,
    key: Column,
    quote: Column | None = None,
) -> DataFrame:
    d = _add(df, key=key, usd=usd, ts=ts, side=side, base=base)
    rows = d.select(
        "key",
        "idx",
        "side",
        "base",
        (quote if quote is not None else F.lit(None)).cast("string").alias("quote"),
        "usd",
        "ts",
        "inst",
    )
    return _shape(rows, PT_COLS)


def _add(df: DataFrame, **cols: Column) -> DataFrame:
    """Add (or replace) columns in one select; the new expressions see the old columns."""
    return df.select(
        *[c for c in df.columns if c not in cols], *[v.alias(k) for k, v in cols.items()]
    )


def _steps(inst: DataFrame, count: Column, name: str = "s") -> DataFrame:
    return inst.select("*", F.explode(F.sequence(F.lit(0), count - 1)).alias(name))


def _key(*parts) -> Column:
    return F.concat_ws(
        ":", F.lit("pl"), F.col("inst"), *[p if isinstance(p, Column) else F.lit(p) for p in parts]
    )


def _chain_pick(ctx: Ctx, salt: str, key: Column) -> tuple[Column, Column]:
    r = ctx.u(salt, key)
    return (
        R.weighted([(c, w) for c, _, w in CHAIN_ASSETS], r),
        R.weighted([(a, w) for _, a, w in CHAIN_ASSETS], r),
    )


def _detail(inst: DataFrame, **cols: Column) -> DataFrame:
    return inst.select(
        "inst", "tag", F.to_json(F.struct(*[v.alias(k) for k, v in cols.items()])).alias("detail")
    )


# ---------------------------------------------------------------- typologies


def structuring(ctx: Ctx, inst: DataFrame, planted: bool):
    i = inst.select(
        "*",
        ctx.between("sk", 3, 9, F.col("inst")).alias("k"),
        span(ctx, "ssp", 1, 7).alias("dur"),
        (ctx.u("sdir", F.col("inst")) < 0.2).alias("debit"),
        R.pick([10, 50, 100], ctx.u("sround", F.col("inst"))).alias("round_to"),
    )
    i = i.withColumn("t0", start_in(ctx, "st0", F.col("dur")))
    if not planted:
        return members(i), _detail(
            i,
            deposits=F.col("k"),
            accounts=F.col("g"),
            days=F.round(F.col("dur") / DAY, 2),
            direction=F.when(F.col("debit"), "out").otherwise("in"),
        )
    lo, hi = ctx.cfg.structuring_band
    thr = ctx.cfg.reporting_threshold_usd
    s = _steps(i, F.col("k")).withColumn("idx", F.col("base") + F.col("s") % F.col("g"))
    key = _key("s", F.col("s"))
    raw = thr * ctx.uniform("samt", lo, hi, key)
    usd = F.greatest(F.floor(raw / F.col("round_to")) * F.col("round_to"), F.lit(lo * thr))
    usd = threshold_bound(ctx, usd)
    ts = F.col("t0") + ctx.u("sts", key) * F.col("dur")
    card = ctx.u("scard", key) < 0.3
    rows = Rows()
    rows.fiat.append(
        _fiat(
            ctx,
            s,
            F.when(F.col("debit"), "DEBIT").otherwise("CREDIT"),
            usd,
            ts,
            key,
            "st",
            currency=F.lit("USD"),
            own=ctx.u("sown", key) < 0.5,
            method=F.when(card & ~F.col("debit"), F.lit("CARD")),
        )
    )
    return rows


def pass_through(ctx: Ctx, inst: DataFrame, planted: bool):
    i = inst.select(
        "*",
        ctx.between("pm", 2, 6, F.col("inst")).alias("m"),
        (ctx.u("prail", F.col("inst")) < 0.6).alias("fiat_rail"),
    )
    i = i.withColumn(
        "gap",
        F.least(
            ctx.uniform("pgap", 1 * DAY, 4 * DAY, F.col("inst")),
            F.lit(0.8 * ctx.days * DAY) / F.col("m"),
        ),
    )
    i = i.withColumn("t0", start_in(ctx, "pt0", F.col("gap") * F.col("m")))
    if not planted:
        return members(i), _detail(
            i, rounds=F.col("m"), rail=F.when(F.col("fiat_rail"), "fiat").otherwise("crypto")
        )
    s = _steps(i, F.col("m"), "r").withColumn("idx", F.col("base"))
    rk = _key("r", F.col("r"))
    s = s.select(
        "*",
        (F.col("t0") + F.col("r") * F.col("gap") + ctx.u("pti", rk) * 0.3 * F.col("gap")).alias(
            "t_in"
        ),
        ctx.lognormal("pamt", 15000, 0.6, rk).alias("amt"),
        ctx.uniform("pkeep", 0.9, 0.995, rk).alias("keep"),
        ctx.uniform("pdel", 0.5 * HOUR, 48 * HOUR, rk).alias("delay"),
    )
    s = _steps(s, F.lit(2), "leg")
    key = _key("r", F.col("r"), F.col("leg"))
    inflow = F.col("leg") == 0
    ts = F.when(inflow, F.col("t_in")).otherwise(F.col("t_in") + F.col("delay"))
    usd = F.when(inflow, F.col("amt")).otherwise(F.col("amt") * F.col("keep"))
    rows = Rows()
    f = s.where("fiat_rail")
    rows.fiat.append(_fiat(ctx, f, F.when(inflow, "CREDIT").otherwise("DEBIT"), usd, ts, key, "pt"))
    c = s.where(~F.col("fiat_rail"))
    rows.onchain.append(
        _onchain(
            ctx,
            c,
            F.when(inflow, "deposit").otherwise("withdrawal"),
            F.lit("TRON"),
            F.lit("USDT"),
            fresh_address(ctx, F.lit("TRON"), key),
            usd,
            ts,
            key,
        )
    )
    return rows


def fan_in(ctx: Ctx, inst: DataFrame, planted: bool):
    i = inst.select(
        "*",
        ctx.between("fe", 5, 25, F.col("inst")).alias("e"),
        span(ctx, "fsp", 1, 7).alias("dur"),
        ctx.uniform("fb", 400, 3000, F.col("inst")).alias("unit"),
        (ctx.u("fout", F.col("inst")) < 0.5).alias("fiat_out"),
    )
    i = i.withColumn("t0", start_in(ctx, "ft0", F.col("dur") + 3 * DAY))
    role = F.when(F.col("pos") == 0, "collector").otherwise("sender")
    if not planted:
        return members(i, role), _detail(
            i,
            external_senders=F.col("e"),
            internal_senders=F.col("g") - 1,
            days=F.round(F.col("dur") / DAY, 2),
        )
    rows = Rows()
    s = _steps(i, F.col("e")).withColumn("idx", F.col("base"))
    key = _key("in", F.col("s"))
    usd = F.col("unit") * ctx.uniform("fu", 0.85, 1.15, key)
    ts = F.col("t0") + ctx.u("fts", key) * F.col("dur")
    rows.fiat.append(_fiat(ctx, s, F.lit("CREDIT"), usd, ts, key, "fanin"))
    mules = _steps(i.where(F.col("g") > 1), F.col("g") - 1, "p")
    mk = _key("mule", F.col("p"))
    t = mules.select(
        "inst",
        mk.alias("key"),
        (F.col("base") + F.col("p") + 1).alias("from_idx"),
        F.col("base").alias("to_idx"),
        (F.col("unit") * ctx.uniform("fmu", 0.85, 1.15, mk)).alias("usd"),
        (F.col("t0") + ctx.u("fmt", mk) * F.col("dur")).alias("ts"),
        _rail(ctx, "fmr", mk, (("INT", 70), ("FIAT", 30))).alias("rail"),
        F.lit(None).cast("string").alias("chain"),
        F.lit(None).cast("string").alias("asset"),
    )
    rows.add(c2c(ctx, t))
    o = i.withColumn("idx", F.col("base"))
    ok = _key("cashout")
    total = F.col("unit") * (F.col("e") + F.col("g") - 1) * ctx.uniform("fkeep", 0.85, 0.95, ok)
    ots = F.col("t0") + F.col("dur") + ctx.uniform("fod", 2 * HOUR, 2 * DAY, ok)
    rows.fiat.append(_fiat(ctx, o.where("fiat_out"), F.lit("DEBIT"), total, ots, ok, "fanino"))
    ch, asset = _chain_pick(ctx, "foc", ok)
    rows.onchain.append(
        _onchain(
            ctx,
            o.where(~F.col("fiat_out")),
            F.lit("withdrawal"),
            ch,
            asset,
            fresh_address(ctx, ch, ok),
            total,
            ots,
            ok,
        )
    )
    return rows


def fan_out(ctx: Ctx, inst: DataFrame, planted: bool):
    i = inst.select(
        "*",
        ctx.between("oe", 5, 25, F.col("inst")).alias("e"),
        span(ctx, "osp", 0.5, 5).alias("dur"),
        ctx.uniform("ob", 300, 2500, F.col("inst")).alias("unit"),
        (ctx.u("orail", F.col("inst")) < 0.6).alias("fiat_rail"),
    )
    i = i.withColumn("t0", start_in(ctx, "ot0", F.col("dur") + DAY))
    role = F.when(F.col("pos") == 0, "source").otherwise("beneficiary")
    if not planted:
        return members(i, role), _detail(
            i,
            external_beneficiaries=F.col("e"),
            internal_beneficiaries=F.col("g") - 1,
            days=F.round(F.col("dur") / DAY, 2),
            rail=F.when(F.col("fiat_rail"), "fiat").otherwise("crypto"),
        )
    rows = Rows()
    fk = _key("fund")
    f = i.withColumn("idx", F.col("base"))
    total = F.col("unit") * (F.col("e") + F.col("g") - 1) * ctx.uniform("ofund", 1.0, 1.1, fk)
    rows.fiat.append(_fiat(ctx, f, F.lit("CREDIT"), total, F.col("t0"), fk, "fofund"))
    start = F.col("t0") + ctx.uniform("odel", HOUR, DAY, fk)
    s = _steps(i.withColumn("start", start), F.col("e")).withColumn("idx", F.col("base"))
    key = _key("out", F.col("s"))
    usd = F.col("unit") * ctx.uniform("ou", 0.85, 1.15, key)
    ts = F.col("start") + ctx.u("ots", key) * F.col("dur")
    rows.fiat.append(_fiat(ctx, s.where("fiat_rail"), F.lit("DEBIT"), usd, ts, key, "fanout"))
    ch, asset = _chain_pick(ctx, "occ", F.col("inst"))
    rows.onchain.append(
        _onchain(
            ctx,
            s.where(~F.col("fiat_rail")),
            F.lit("withdrawal"),
            ch,
            asset,
            fresh_address(ctx, ch, key),
            usd,
            ts,
            key,
        )
    )
    b = _steps(i.where(F.col("g") > 1).withColumn("start", start), F.col("g") - 1, "p")
    bk = _key("ben", F.col("p"))
    t = b.select(
        "inst",
        bk.alias("key"),
        F.col("base").alias("from_idx"),
        (F.col("base") + F.col("p") + 1).alias("to_idx"),
        (F.col("unit") * ctx.uniform("obu", 0.85, 1.15, bk)).alias("usd"),
        (F.col("start") + ctx.u("obt", bk) * F.col("dur")).alias("ts"),
        F.lit("INT").alias("rail"),
        F.lit(None).cast("string").alias("chain"),
        F.lit(None).cast("string").alias("asset"),
    )
    rows.add(c2c(ctx, t))
    return rows


def cycle(ctx: Ctx, inst: DataFrame, planted: bool):
    i = inst.select(
        "*",
        ctx.lognormal("camt", 20000, 0.7, F.col("inst")).alias("a0"),
        ctx.uniform("cfee", 0.002, 0.03, F.col("inst")).alias("fee"),
        ctx.uniform("cgap", HOUR, 36 * HOUR, F.col("inst")).alias("gap"),
    )
    i = i.withColumn("gap", F.least(F.col("gap"), F.lit(0.7 * ctx.days * DAY) / F.col("g")))
    i = i.withColumn("t0", start_in(ctx, "ct0", F.col("gap") * (F.col("g") + 1)))
    if not planted:
        return members(i, F.concat(F.lit("hop"), F.col("pos").cast("string"))), _detail(
            i,
            length=F.col("g"),
            fee_per_hop=F.round(F.col("fee"), 4),
            hours_per_hop=F.round(F.col("gap") / HOUR, 1),
        )
    h = _steps(i, F.col("g"), "h")
    key = _key("hop", F.col("h"))
    t = h.select(
        "inst",
        key.alias("key"),
        (F.col("base") + F.col("h")).alias("from_idx"),
        (F.col("base") + (F.col("h") + 1) % F.col("g")).alias("to_idx"),
        (
            F.col("a0")
            * F.pow(1 - F.col("fee"), F.col("h"))
            * (1 - ctx.uniform("cj", 0, 0.002, key))
        ).alias("usd"),
        (F.col("t0") + F.col("h") * F.col("gap") + ctx.u("ctj", key) * 0.2 * F.col("gap")).alias(
            "ts"
        ),
        _rail(ctx, "crail", key).alias("rail"),
        F.lit(None).cast("string").alias("chain"),
        F.lit(None).cast("string").alias("asset"),
    )
    return c2c(ctx, t)


def scatter_gather(ctx: Ctx, inst: DataFrame, planted: bool):
    i = inst.select(
        "*",
        ctx.lognormal("sgamt", 40000, 0.6, F.col("inst")).alias("total"),
        _rail(ctx, "sgr", F.col("inst"), (("INT", 50), ("FIAT", 50))).alias("rail"),
    )
    i = i.withColumn("k", F.col("g") - 2).withColumn("t0", start_in(ctx, "sgt0", F.lit(3.0 * DAY)))
    role = (
        F.when(F.col("pos") == 0, "source")
        .when(F.col("pos") == F.col("g") - 1, "sink")
        .otherwise("mule")
    )
    if not planted:
        return members(i, role), _detail(i, mules=F.col("k"), rail=F.col("rail"))
    m = _steps(i, F.col("k"), "p")
    sk, gk = _key("sc", F.col("p")), _key("ga", F.col("p"))
    part = F.col("total") / F.col("k") * ctx.uniform("sgp", 0.9, 1.1, sk)
    ts1 = F.col("t0") + ctx.u("sgt", sk) * 12 * HOUR
    m = m.select("*", part.alias("part"), ts1.alias("ts1"))
    common = [
        F.col("rail"),
        F.lit(None).cast("string").alias("chain"),
        F.lit(None).cast("string").alias("asset"),
    ]
    scatter = m.select(
        "inst",
        sk.alias("key"),
        F.col("base").alias("from_idx"),
        (F.col("base") + F.col("p") + 1).alias("to_idx"),
        F.col("part").alias("usd"),
        F.col("ts1").alias("ts"),
        *common,
    )
    gather = m.select(
        "inst",
        gk.alias("key"),
        (F.col("base") + F.col("p") + 1).alias("from_idx"),
        (F.col("base") + F.col("g") - 1).alias("to_idx"),
        (F.col("part") * ctx.uniform("sgk", 0.95, 0.99, gk)).alias("usd"),
        (F.col("ts1") + ctx.uniform("sgd", 2 * HOUR, 48 * HOUR, gk)).alias("ts"),
        *common,
    )
    return c2c(ctx, scatter.unionByName(gather))


def gather_scatter(ctx: Ctx, inst: DataFrame, planted: bool):
    i = inst.select(
        "*",
        ctx.between("gsm", 3, 8, F.col("inst")).alias("m"),
        ctx.uniform("gsu", 1000, 8000, F.col("inst")).alias("unit"),
        (ctx.u("gsr", F.col("inst")) < 0.5).alias("fiat_out"),
    )
    i = i.withColumn("k", F.col("g") - 1).withColumn("t0", start_in(ctx, "gst0", F.lit(4.0 * DAY)))
    role = F.when(F.col("pos") == 0, "collector").otherwise("sender")
    if not planted:
        return members(i, role), _detail(
            i,
            senders=F.col("k"),
            beneficiaries=F.col("m"),
            out_rail=F.when(F.col("fiat_out"), "fiat").otherwise("crypto"),
        )
    rows = Rows()
    s = _steps(i, F.col("k"), "p")
    gk = _key("g", F.col("p"))
    t = s.select(
        "inst",
        gk.alias("key"),
        (F.col("base") + F.col("p") + 1).alias("from_idx"),
        F.col("base").alias("to_idx"),
        (F.col("unit") * ctx.uniform("gsa", 0.8, 1.2, gk)).alias("usd"),
        (F.col("t0") + ctx.u("gst", gk) * DAY).alias("ts"),
        _rail(ctx, "gsrail", gk, (("INT", 60), ("FIAT", 40))).alias("rail"),
        F.lit(None).cast("string").alias("chain"),
        F.lit(None).cast("string").alias("asset"),
    )
    rows.add(c2c(ctx, t))
    o = _steps(i, F.col("m"), "q").withColumn("idx", F.col("base"))
    ok = _key("s", F.col("q"))
    usd = F.col("unit") * F.col("k") / F.col("m") * ctx.uniform("gso", 0.85, 0.97, ok)
    ts = F.col("t0") + DAY + ctx.uniform("gsd", HOUR, 2 * DAY, ok)
    rows.fiat.append(_fiat(ctx, o.where("fiat_out"), F.lit("DEBIT"), usd, ts, ok, "gsout"))
    ch, asset = _chain_pick(ctx, "gsc", F.col("inst"))
    rows.onchain.append(
        _onchain(
            ctx,
            o.where(~F.col("fiat_out")),
            F.lit("withdrawal"),
            ch,
            asset,
            fresh_address(ctx, ch, ok),
            usd,
            ts,
            ok,
        )
    )
    return rows


def peel_chain(ctx: Ctx, inst: DataFrame, planted: bool):
    i = inst.select(
        "*",
        ctx.between("ph", 3, 10, F.col("inst")).alias("hops"),
        ctx.lognormal("pv", 80000, 0.6, F.col("inst")).alias("value"),
        ctx.uniform("pp", 0.02, 0.12, F.col("inst")).alias("peel"),
        ctx.uniform("pg", 600, 6 * HOUR, F.col("inst")).alias("gap"),
        F.when(ctx.u("pch", F.col("inst")) < 0.7, "BTC").otherwise("ETH").alias("chain"),
    )
    i = i.withColumn("t0", start_in(ctx, "pt0", F.col("gap") * (F.col("hops") + 1)))
    addr = lambda n: fresh_address(ctx, F.col("chain"), F.col("inst"), F.lit("peel"), n)  # noqa: E731
    if not planted:
        chain_addrs = F.transform(F.sequence(F.lit(0), F.col("hops")), lambda n: addr(n))
        return members(i), _detail(
            i,
            hops=F.col("hops"),
            chain=F.col("chain"),
            peel_share=F.round(F.col("peel"), 4),
            addresses=chain_addrs,
        )
    rows = Rows()
    w = i.withColumn("idx", F.col("base"))
    wk = _key("wd")
    rows.onchain.append(
        _onchain(
            ctx,
            w,
            F.lit("withdrawal"),
            F.col("chain"),
            F.col("chain"),
            addr(F.lit(0)),
            F.col("value"),
            F.col("t0"),
            wk,
            fx_ts=F.col("t0"),
        )
    )
    h = _steps(i, F.col("hops"), "n")
    hk = _key("hop", F.col("n"))

    def frac(m: Column) -> Column:
        return F.col("peel") * (F.lit(0.7) + F.lit(0.6) * R.u(ctx.seed, "pj", F.col("inst"), m))

    bal = F.col("value") * F.aggregate(
        F.sequence(F.lit(0), F.col("n")),
        F.lit(1.0),
        lambda acc, m: acc * F.when(m < F.col("n"), 1 - frac(m)).otherwise(1.0),
    )
    h = h.select(
        "*",
        bal.alias("bal"),
        frac(F.col("n")).alias("f"),
        (F.col("t0") + (F.col("n") + 1) * F.col("gap")).alias("ts"),
    )
    cash = F.when(
        ctx.u("pco", hk) < 0.6,
        hub_address(ctx, F.col("chain"), "exchange", ctx.u("pc1", hk), ctx.u("pc2", hk)),
    ).otherwise(fresh_address(ctx, F.col("chain"), hk, F.lit("cash")))
    hx = R.hex64(ctx.seed, "peeltx", hk)
    tx = F.when(F.col("chain") == "ETH", F.concat(F.lit("0x"), hx)).otherwise(hx)
    edges = h.select(
        F.col("chain"),
        F.col("chain").alias("asset"),
        F.col("ts"),
        F.col("t0").alias("fx_ts"),
        F.explode(
            F.array(
                F.struct(
                    addr(F.col("n")).alias("from_address"),
                    cash.alias("to_address"),
                    (F.col("bal") * F.col("f")).alias("usd"),
                    tx.alias("tx_hash"),
                ),
                F.struct(
                    addr(F.col("n")).alias("from_address"),
                    addr(F.col("n") + 1).alias("to_address"),
                    (F.col("bal") * (1 - F.col("f"))).alias("usd"),
                    tx.alias("tx_hash"),
                ),
            )
        ).alias("e"),
    ).select(
        "chain", "e.tx_hash", "e.from_address", "e.to_address", "asset", "e.usd", "ts", "fx_ts"
    )
    rows.ext.append(fill(edges, EXT_COLS))
    return rows


_RISKY = [("mixer", 3), ("darknet", 3), ("sanctioned", 2), ("ransomware", 1), ("scam", 2)]


def direct_exposure(ctx: Ctx, inst: DataFrame, planted: bool):
    i = inst.select(
        "*",
        ctx.between("edm", 1, 4, F.col("inst")).alias("m"),
        span(ctx, "edsp", 1, 20).alias("dur"),
    )
    i = i.withColumn("t0", start_in(ctx, "edt0", F.col("dur")))
    if not planted:
        return members(i), _detail(i, transfers=F.col("m"))
    s = _steps(i, F.col("m")).withColumn("idx", F.col("base"))
    key = _key("x", F.col("s"))
    cat = R.weighted(_RISKY, ctx.u("edc", key))
    ch, asset = _chain_pick(ctx, "edch", key)
    ch = F.when(cat == "sanctioned", F.lit("BTC")).otherwise(ch)
    asset = F.when(cat == "sanctioned", F.lit("BTC")).otherwise(asset)
    s = s.select("*", cat.alias("category"), ch.alias("c_chain"), asset.alias("c_asset"))
    ctr = risky_address(
        ctx, F.col("c_chain"), F.col("category"), ctx.u("edr1", key), ctx.u("edr2", key)
    )
    rows = Rows()
    rows.onchain.append(
        _onchain(
            ctx,
            s,
            F.when(ctx.u("edd", key) < 0.6, "deposit").otherwise("withdrawal"),
            F.col("c_chain"),
            F.col("c_asset"),
            ctr,
            ctx.lognormal("eda", 3000, 1.0, key),
            F.col("t0") + ctx.u("edt", key) * F.col("dur"),
            key,
        )
    )
    return rows


def indirect_exposure(ctx: Ctx, inst: DataFrame, planted: bool):
    i = inst.select(
        "*",
        ctx.between("eim", 1, 3, F.col("inst")).alias("m"),
        span(ctx, "eisp", 1, 20).alias("dur"),
    )
    i = i.withColumn("t0", start_in(ctx, "eit0", F.col("dur") + 3 * DAY, 0.0, 0.95))
    if not planted:
        return members(i), _detail(i, transfers=F.col("m"))
    s = _steps(i, F.col("m")).withColumn("idx", F.col("base"))
    key = _key("x", F.col("s"))
    cat = R.weighted(_RISKY, ctx.u("eic", key))
    ch, asset = _chain_pick(ctx, "eich", key)
    s = s.select(
        "*",
        cat.alias("category"),
        F.when(cat == "sanctioned", F.lit("BTC")).otherwise(ch).alias("c_chain"),
        F.when(cat == "sanctioned", F.lit("BTC")).otherwise(asset).alias("c_asset"),
        (ctx.u("eih", key) < 0.5).alias("three_hops"),
        (ctx.u("eid", key) < 0.6).alias("inbound"),
        ctx.lognormal("eia", 4000, 0.9, key).alias("amt"),
        (F.col("t0") + 2 * DAY + ctx.u("eit", key) * F.col("dur")).alias("ts_c"),
    )
    c = F.col("c_chain")
    risky = risky_address(ctx, c, F.col("category"), ctx.u("eir1", key), ctx.u("eir2", key))
    x, y = fresh_address(ctx, c, key, F.lit("x")), fresh_address(ctx, c, key, F.lit("y"))
    rows = Rows()
    rows.onchain.append(
        _onchain(
            ctx,
            s,
            F.when(F.col("inbound"), "deposit").otherwise("withdrawal"),
            c,
            F.col("c_asset"),
            x,
            F.col("amt"),
            F.col("ts_c"),
            key,
        )
    )
    inb, three = F.col("inbound"), F.col("three_hops")
    share = ctx.uniform("eis", 0.3, 1.2, key)
    d1 = ctx.uniform("eid1", HOUR, DAY, key)
    d2 = d1 + ctx.uniform("eid2", HOUR, DAY, key)
    hx1, hx2 = R.hex64(ctx.seed, "eitx", key, F.lit(1)), R.hex64(ctx.seed, "eitx", key, F.lit(2))
    e1 = F.struct(  # link touching x
        F.when(inb, F.when(three, y).otherwise(risky)).otherwise(x).alias("from_address"),
        F.when(inb, x).otherwise(F.when(three, y).otherwise(risky)).alias("to_address"),
        F.when(inb, F.col("ts_c") - d1).otherwise(F.col("ts_c") + d1).alias("ts"),
        hx1.alias("h"),
    )
    e2 = F.when(
        three,
        F.struct(
            F.when(inb, risky).otherwise(y).alias("from_address"),
            F.when(inb, y).otherwise(risky).alias("to_address"),
            F.when(inb, F.col("ts_c") - d2).otherwise(F.col("ts_c") + d2).alias("ts"),
            hx2.alias("h"),
        ),
    )
    edges = s.select(
        "c_chain",
        "c_asset",
        (F.col("amt") * share).alias("usd"),
        F.explode(F.array(e1, e2)).alias("e"),
    ).where(F.col("e").isNotNull())
    rows.ext.append(
        edges.select(
            F.col("c_chain").alias("chain"),
            F.when(F.col("c_chain") == "ETH", F.concat(F.lit("0x"), F.col("e.h")))
            .otherwise(F.col("e.h"))
            .alias("tx_hash"),
            "e.from_address",
            "e.to_address",
            F.col("c_asset").alias("asset"),
            "usd",
            "e.ts",
        ).transform(lambda d: fill(d, EXT_COLS))
    )
    return rows


def dormant_reactivation(ctx: Ctx, inst: DataFrame, planted: bool):
    i = inst.select(
        "*",
        ctx.between("drm", 2, 6, F.col("inst")).alias("m"),
        span(ctx, "drsp", 1, 5).alias("dur"),
        ctx.uniform("drq", 150 * DAY, 500 * DAY, F.col("inst")).alias("quiet"),
        ctx.between("drh", 1, 3, F.col("inst")).alias("hist"),
    )
    i = i.withColumn("t0", start_in(ctx, "drt0", F.col("dur"), 0.3, 1.0))
    if not planted:
        onb = (
            F.col("t0") - F.col("quiet") - ctx.uniform("dro", 60 * DAY, 1200 * DAY, F.col("inst"))
        ).cast("long")
        return (
            members(
                i,
                onboard_override=onb,
                quiet_until=F.col("t0").cast("long"),
                scale_override=F.lit(300.0),
            ),
            _detail(i, dormant_days=F.round(F.col("quiet") / DAY, 0), events=F.col("m")),
        )
    rows = Rows()
    hist = _steps(i, F.col("hist"), "h").withColumn("idx", F.col("base"))
    hk = _key("hist", F.col("h"))
    hts = F.col("t0") - F.col("quiet") - F.col("h") * ctx.uniform("drhg", 2 * DAY, 20 * DAY, hk)
    hist_rows = _fiat(
        ctx,
        hist,
        F.when(F.col("h") == 0, "DEBIT").otherwise("CREDIT"),
        ctx.lognormal("drha", 300, 0.5, hk),
        hts,
        hk,
        "drh",
        own=F.lit(True),
    )
    rows.fiat.append(hist_rows.withColumn("inst", F.lit(None).cast("string")))
    s = _steps(i, F.col("m")).withColumn("idx", F.col("base"))
    key = _key("re", F.col("s"))
    ts = F.col("t0") + F.col("s") / F.col("m") * F.col("dur") + ctx.u("drt", key) * HOUR
    usd = ctx.lognormal("dra", 40000, 0.6, key)
    kind = F.col("s") % 4
    rows.fiat.append(
        _fiat(
            ctx,
            s.where(kind.isin(0, 3)),
            F.when(kind == 0, "CREDIT").otherwise("DEBIT"),
            usd,
            ts,
            key,
            "dr",
        )
    )
    rows.trades.append(
        _trade(
            s.where(kind == 1),
            F.lit("BUY"),
            R.pick(["BTC", "ETH", "USDT"], ctx.u("drb", key)),
            usd,
            ts,
            key,
        )
    )
    ch, asset = _chain_pick(ctx, "drc", key)
    rows.onchain.append(
        _onchain(
            ctx,
            s.where(kind == 2),
            F.lit("withdrawal"),
            ch,
            asset,
            fresh_address(ctx, ch, key),
            usd,
            ts,
            key,
        )
    )
    return rows


def high_risk_jurisdiction(ctx: Ctx, inst: DataFrame, planted: bool):
    i = inst.select(
        "*",
        ctx.between("hrm", 2, 6, F.col("inst")).alias("m"),
        span(ctx, "hrsp", 2, 30).alias("dur"),
        R.pick(ctx.cfg.high_risk_countries, ctx.u("hrc", F.col("inst"))).alias("country"),
    )
    i = i.withColumn("t0", start_in(ctx, "hrt0", F.col("dur")))
    if not planted:
        return members(i), _detail(i, wires=F.col("m"), country=F.col("country"))
    s = _steps(i, F.col("m")).withColumn("idx", F.col("base"))
    key = _key("w", F.col("s"))
    rows = Rows()
    rows.fiat.append(
        _fiat(
            ctx,
            s,
            F.when(ctx.u("hrd", key) < 0.5, "CREDIT").otherwise("DEBIT"),
            ctx.lognormal("hra", 12000, 0.8, key),
            F.col("t0") + ctx.u("hrt", key) * F.col("dur"),
            key,
            "hr",
            cp_country=F.col("country"),
            currency=R.pick(["USD", "EUR"], ctx.u("hrcur", key)),
            method=F.lit("SWIFT"),
        )
    )
    return rows


def synthetic_identity_ring(ctx: Ctx, inst: DataFrame, planted: bool):
    w = ctx.days * DAY
    i = inst.select(
        "*",
        (F.lit(ctx.start_unix) + ctx.uniform("rob", -60 * DAY, 0.3 * w, F.col("inst"))).alias(
            "onb"
        ),
    )
    if not planted:
        onb = (F.col("onb") + ctx.uniform("robm", 0, 4 * DAY, F.col("inst"), F.col("pos"))).cast(
            "long"
        )
        return (
            members(i, onboard_override=onb, scale_override=F.lit(200.0)),
            _detail(i, members=F.col("g"), onboarded_within_days=F.lit(4)),
        )
    rows = Rows()
    m = _steps(i, F.col("g"), "p").withColumn("idx", F.col("base") + F.col("p"))
    m = m.withColumn(
        "tb",
        F.least(
            F.greatest(F.col("onb") + 4 * DAY, F.lit(float(ctx.start_unix))),
            F.lit(ctx.end_unix - 0.2 * w),
        ),
    )
    dk = _key("dep", F.col("p"))
    amt = ctx.lognormal("ra", 2000, 0.5, dk)
    m = m.withColumn("amt", amt)
    rows.fiat.append(
        _fiat(
            ctx,
            m,
            F.lit("CREDIT"),
            F.col("amt"),
            F.col("tb") + ctx.u("rdt", dk) * DAY,
            dk,
            "ring",
            method=F.lit("CARD"),
            own=F.lit(True),
            reference=F.lit("CARD TOPUP"),
        )
    )
    tk = _key("int", F.col("p"))
    t = m.select(
        "inst",
        tk.alias("key"),
        F.col("idx").alias("from_idx"),
        (
            F.col("base")
            + (F.col("p") + 1 + F.floor(ctx.u("rto", tk) * (F.col("g") - 1))) % F.col("g")
        ).alias("to_idx"),
        (F.col("amt") * ctx.uniform("rif", 0.3, 0.6, tk)).alias("usd"),
        (F.col("tb") + DAY + ctx.u("rit", tk) * 2 * DAY).alias("ts"),
        F.lit("INT").alias("rail"),
        F.lit(None).cast("string").alias("chain"),
        F.lit("USDT").alias("asset"),
    )
    rows.add(c2c(ctx, t))
    wk = _key("wd", F.col("p"))
    ch = R.pick(["BTC", "ETH", "TRON"], ctx.u("rch", F.col("inst")))
    asset = F.when(ch == "TRON", "USDT").otherwise(ch)
    rows.onchain.append(
        _onchain(
            ctx,
            m,
            F.lit("withdrawal"),
            ch,
            asset,
            None,
            F.col("amt") * ctx.uniform("rwf", 0.6, 0.9, wk),
            F.col("tb") + 3 * DAY + ctx.u("rwt", wk) * 2 * DAY,
            wk,
        )
    )
    return rows


_VARIANTS = ["typo", "transliteration", "reordered", "missing_middle"]


def watchlist_name_variant(ctx: Ctx, inst: DataFrame, planted: bool):
    i = inst.select(
        "*",
        (F.col("j") % ctx.n_entries).alias("entry"),
        R.pick(_VARIANTS, ctx.u("wlk", F.col("inst"))).alias("kind"),
        (ctx.u("wldm", F.col("inst")) < 0.5).alias("dob_match"),
    )
    if not planted:
        return (
            members(
                i, wl_entry=F.col("entry"), wl_kind=F.col("kind"), wl_dob_match=F.col("dob_match")
            ),
            None,
        )
    return Rows()


def profile_mismatch(ctx: Ctx, inst: DataFrame, planted: bool):
    i = inst.select(
        "*",
        ctx.between("pmm", 4, 12, F.col("inst")).alias("m"),
        ctx.uniform("pme", 300, 1500, F.col("inst")).alias("declared"),
        ctx.uniform("pmx", 15, 60, F.col("inst")).alias("multiple"),
    )
    w = ctx.days * DAY
    i = i.withColumn(
        "t0", F.lit(ctx.start_unix + 0.4 * w) + ctx.u("pmt0", F.col("inst")) * (0.4 * w)
    )
    if not planted:
        return (
            members(
                i,
                expected_override=F.col("declared"),
                scale_override=F.col("declared") / 8,
                segment_override=F.lit("retail"),
            ),
            _detail(
                i,
                declared_monthly_usd=F.round(F.col("declared"), 0),
                multiple=F.round(F.col("multiple"), 1),
                events=F.col("m"),
            ),
        )
    s = _steps(i, F.col("m")).withColumn("idx", F.col("base"))
    key = _key("x", F.col("s"))
    usd = F.col("declared") * F.col("multiple") / F.col("m") * ctx.uniform("pma", 0.7, 1.3, key)
    ts = F.col("t0") + ctx.u("pmt", key) * (F.lit(float(ctx.end_unix)) - F.col("t0") - HOUR)
    r = ctx.u("pmk", key)
    rows = Rows()
    rows.fiat.append(
        _fiat(
            ctx,
            s.where(r < 0.55),
            F.when(r < 0.4, "CREDIT").otherwise("DEBIT"),
            usd,
            ts,
            key,
            "pm",
        )
    )
    rows.trades.append(
        _trade(s.where((r >= 0.55) & (r < 0.75)), F.lit("BUY"), F.lit("BTC"), usd, ts, key)
    )
    ch, asset = _chain_pick(ctx, "pmc", key)
    rows.onchain.append(
        _onchain(
            ctx,
            s.where(r >= 0.75),
            F.lit("withdrawal"),
            ch,
            asset,
            fresh_address(ctx, ch, key),
            usd,
            ts,
            key,
        )
    )
    return rows


def rapid_conversion(ctx: Ctx, inst: DataFrame, planted: bool):
    i = inst.select(
        "*",
        ctx.between("rcm", 1, 3, F.col("inst")).alias("m"),
        (ctx.u("rcf", F.col("inst")) < 0.7).alias("forward"),
        (ctx.u("rcn", F.col("inst")) < 0.5).alias("new_account"),
        ctx.uniform("rcg", DAY, 6 * DAY, F.col("inst")).alias("gap"),
    )
    i = i.withColumn("gap", F.least(F.col("gap"), F.lit(0.6 * ctx.days * DAY) / F.col("m")))
    i = i.withColumn("t0", start_in(ctx, "rct0", F.col("gap") * F.col("m"), 0.1, 1.0))
    if not planted:
        onb = F.when(
            F.col("new_account"),
            (F.col("t0") - ctx.uniform("rco", 0.5 * DAY, 5 * DAY, F.col("inst"))).cast("long"),
        )
        return (
            members(i, onboard_override=onb),
            _detail(
                i,
                rounds=F.col("m"),
                direction=F.when(F.col("forward"), "fiat_to_crypto").otherwise("crypto_to_fiat"),
                new_account=F.col("new_account"),
            ),
        )
    s = _steps(i, F.col("m"), "r").withColumn("idx", F.col("base"))
    rk = _key("r", F.col("r"))
    base_asset = R.pick(["BTC", "ETH", "USDT"], ctx.u("rcb", rk))
    s = s.select(
        "*",
        (F.col("t0") + F.col("r") * F.col("gap")).alias("t1"),
        ctx.lognormal("rca", 8000, 0.8, rk).alias("amt"),
        base_asset.alias("asset"),
    )
    s = s.withColumn("t2", F.col("t1") + ctx.uniform("rcd1", 120, 2 * HOUR, rk))
    s = s.withColumn("t3", F.col("t2") + ctx.uniform("rcd2", 300, 6 * HOUR, rk))
    ch = (
        F.when(F.col("asset") == "BTC", "BTC")
        .when(F.col("asset") == "ETH", "ETH")
        .otherwise("TRON")
    )
    fwd, rev = s.where("forward"), s.where(~F.col("forward"))
    rows = Rows()
    rows.fiat.append(
        _fiat(
            ctx,
            fwd,
            F.lit("CREDIT"),
            F.col("amt"),
            F.col("t1"),
            _key("r", F.col("r"), "in"),
            "rc",
            own=ctx.u("rco2", rk) < 0.5,
        )
    )
    rows.trades.append(
        _trade(
            fwd,
            F.lit("BUY"),
            F.col("asset"),
            F.col("amt") * 0.99,
            F.col("t2"),
            _key("r", F.col("r"), "t"),
        )
    )
    rows.onchain.append(
        _onchain(
            ctx,
            fwd,
            F.lit("withdrawal"),
            ch,
            F.col("asset"),
            fresh_address(ctx, ch, rk),
            F.col("amt") * 0.985,
            F.col("t3"),
            _key("r", F.col("r"), "out"),
        )
    )
    rows.onchain.append(
        _onchain(
            ctx,
            rev,
            F.lit("deposit"),
            ch,
            F.col("asset"),
            fresh_address(ctx, ch, rk),
            F.col("amt"),
            F.col("t1"),
            _key("r", F.col("r"), "in"),
        )
    )
    rows.trades.append(
        _trade(
            rev,
            F.lit("SELL"),
            F.col("asset"),
            F.col("amt") * 0.998,
            F.col("t2"),
            _key("r", F.col("r"), "t"),
        )
    )
    rows.fiat.append(
        _fiat(
            ctx,
            rev,
            F.lit("DEBIT"),
            F.col("amt") * 0.99,
            F.col("t3"),
            _key("r", F.col("r"), "out"),
            "rc",
            own=ctx.u("rco2", rk) < 0.5,
        )
    )
    return rows


TYPOLOGIES = {
    "structuring": structuring,
    "pass_through": pass_through,
    "fan_in": fan_in,
    "fan_out": fan_out,
    "cycle": cycle,
    "scatter_gather": scatter_gather,
    "gather_scatter": gather_scatter,
    "peel_chain": peel_chain,
    "direct_exposure": direct_exposure,
    "indirect_exposure": indirect_exposure,
    "dormant_reactivation": dormant_reactivation,
    "high_risk_jurisdiction": high_risk_jurisdiction,
    "synthetic_identity_ring": synthetic_identity_ring,
    "watchlist_name_variant": watchlist_name_variant,
    "profile_mismatch": profile_mismatch,
    "rapid_conversion": rapid_conversion,
}


def plan(ctx: Ctx) -> tuple[DataFrame, DataFrame]:
    """Members of every planted instance (with overrides) and each instance's detail JSON."""
    mem, det = None, None
    for tag, fn in TYPOLOGIES.items():
        m, d = fn(ctx, instances(ctx, tag), False)
        m = conform_members(m)
        mem = m if mem is None else mem.unionByName(m)
        if d is not None:
            det = d if det is None else det.unionByName(d)
    return mem, det


def plant(ctx: Ctx) -> Rows:
    """Transactions of every planted instance, as intermediate rows keyed by customer index."""
    rows = Rows()
    for tag, fn in TYPOLOGIES.items():
        rows.add(fn(ctx, instances(ctx, tag), True))
    return rows
