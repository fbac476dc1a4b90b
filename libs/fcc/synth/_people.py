"""People: names by culture and script, the KYC customer master, identifiers, watchlists."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from fcc.synth import _rand as R
from fcc.synth._context import DAY, Ctx
from fcc.synth._reference import (
    CULTURES,
    EXPAT_COUNTRIES,
    HOME_CURRENCY,
    OCCUPATIONS,
    TZ_OFFSET_MIN,
    WATCHLIST_PROGRAMS,
)

_MIDDLE_PROB = {"en": 0.5, "es": 0.9, "de": 0.3, "fr": 0.3, "ru": 0.95, "ar": 0.6, "el": 0.3}
NON_LATIN = [i for i, c in enumerate(CULTURES) if c["script"] != "Latin"]


def _flat() -> tuple[list[tuple], dict[str, tuple[list[int], list[int]]]]:
    """All name pools in one table (pid, native, latin, alt) and per kind the culture offsets / counts."""
    rows: list[tuple] = []
    index: dict[str, tuple[list[int], list[int]]] = {}
    for kind in ("given", "family", "middle"):
        offs, cnts = [], []
        for c in CULTURES:
            pool = (
                c.get(kind, [])
                if kind != "middle"
                else (
                    c["given"]
                    if c["middle"] == "given"
                    else c["family"]
                    if c["middle"] == "family"
                    else c.get("patronymic", [])
                    if c["middle"] == "patronymic"
                    else []
                )
            )
            offs.append(len(rows))
            cnts.append(len(pool))
            first = len(rows)
            rows.extend([(first + i, n_, l_, a_) for i, (n_, l_, a_) in enumerate(pool)])
        index[kind] = (offs, cnts)
    return rows, index


_POOL_ROWS, _POOL_INDEX = _flat()


def _arr(values: list) -> Column:
    return F.array(*[F.lit(v) for v in values])


def _draw_id(ctx: Ctx, kind: str, culture: Column, salt: str, key: Column) -> Column:
    offs, cnts = _POOL_INDEX[kind]
    off = F.element_at(_arr(offs), culture + 1)
    cnt = F.element_at(_arr(cnts), culture + 1)
    return F.when(cnt > 0, (off + F.floor(ctx.u(salt, key) * cnt)).cast("long"))


def person_ids(ctx: Ctx, salt: str, key: Column, force_middle: bool = False) -> dict[str, Column]:
    """Culture, name-pool ids, DOB and nationality of a person drawn from `key` (small expressions)."""
    culture = R.weighted(
        [(i, c["weight"]) for i, c in enumerate(CULTURES)], ctx.u(salt + "cu", key)
    ).cast("int")
    codes = [c["code"] for c in CULTURES]
    mprob = F.element_at(_arr([_MIDDLE_PROB.get(c, 0.0) for c in codes]), culture + 1)
    has_mid = mprob > 0 if force_middle else ctx.u(salt + "hm", key) < mprob
    nat_opts = F.element_at(
        F.array(*[_arr([c for c, _ in cu["countries"]]) for cu in CULTURES]), culture + 1
    )
    nat_w = F.element_at(
        F.array(*[_arr(_cum([w for _, w in cu["countries"]]) or [2.0]) for cu in CULTURES]),
        culture + 1,
    )
    r = ctx.u(salt + "nat", key)
    nat_pos = F.aggregate(nat_w, F.lit(1), lambda acc, w: acc + F.when(r >= w, 1).otherwise(0))
    age_days = ctx.between(salt + "age", 18 * 365, 82 * 365, key)
    return {
        "culture": culture,
        "code": F.element_at(_arr(codes), culture + 1),
        "script": F.element_at(_arr([c["script"] for c in CULTURES]), culture + 1),
        "mkind": F.element_at(_arr([c["middle"] or "" for c in CULTURES]), culture + 1),
        "g_id": _draw_id(ctx, "given", culture, salt + "g", key),
        "f_id": _draw_id(ctx, "family", culture, salt + "f", key),
        "m_id": F.when(has_mid, _draw_id(ctx, "middle", culture, salt + "m", key)),
        "nationality": F.element_at(nat_opts, F.least(nat_pos, F.size(nat_opts))),
        "dob": F.date_sub(F.lit(ctx.end_date), age_days.cast("int")),
    }


def with_person(
    ctx: Ctx, df: DataFrame, salt: str, key: Column, prefix: str, force_middle: bool = False
) -> DataFrame:
    """Add a drawn person's columns `<prefix>*` including names (g_/f_/m_ native, latin, alt)."""
    ids = person_ids(ctx, salt, key, force_middle)
    df = df.select("*", *[v.alias(prefix + k) for k, v in ids.items()])
    return _join_names(ctx, df, prefix)


def compose(prefix: str, form: str) -> dict[str, Column]:
    """given_name / family_name / full_name of person `<prefix>` in one form: native, latin or alt."""
    g, f, m = (F.col(f"{prefix}{p}_{form}") for p in ("g", "f", "m"))
    kind, code = F.col(prefix + "mkind"), F.col(prefix + "code")
    given = F.when(
        m.isNotNull() & kind.isin("given", "patronymic"), F.concat_ws(" ", g, m)
    ).otherwise(g)
    family = F.when(m.isNotNull() & (kind == "family"), F.concat_ws(" ", f, m)).otherwise(f)
    if form == "native":
        full = (
            F.when(code.isin("zh", "ko"), F.concat(family, given))
            .when(code == "ru", F.concat_ws(" ", family, given))
            .otherwise(F.concat_ws(" ", given, family))
        )
    else:
        full = F.concat_ws(" ", given, family)
    return {"given_name": given, "family_name": family, "full_name": full}


def _cum(ws: list[float]) -> list[float]:
    tot, acc, out = float(sum(ws)), 0.0, []
    for w in ws[:-1]:
        acc += w / tot
        out.append(acc)
    return out


def _typo(s: Column, r: Column) -> Column:
    """One keyboard-style typo: drop, double or swap a character after the first."""
    n = F.length(s)
    pos = (F.lit(2) + F.floor(r * F.greatest(n - 2, F.lit(1)))).cast("int")
    kind = F.floor(r * 1000) % 3
    left, ch, nxt = F.substring(s, 1, pos - 1), F.substring(s, pos, 1), F.substring(s, pos + 1, 1)
    rest2 = F.substring(s, pos + 2, 1000)
    return (
        F.when(n < 4, F.concat(s, F.lit("e")))
        .when(kind == 0, F.concat(left, F.substring(s, pos + 1, 1000)))
        .when(kind == 1, F.concat(left, ch, ch, F.substring(s, pos + 1, 1000)))
        .otherwise(F.concat(left, nxt, ch, rest2))
    )


def customers(ctx: Ctx, members: DataFrame) -> DataFrame:
    """One row per customer with KYC attributes, behaviour parameters and planted role."""
    cfg = ctx.cfg
    idx = F.col("idx")
    hb = ctx.blocks["household"]
    rel = idx - hb.base
    in_hh = (
        (idx >= hb.base)
        & (idx < hb.base + hb.count * hb.slot)
        & (rel % hb.slot < ctx.between("hhsize", hb.lo, hb.hi, F.floor(rel / hb.slot)))
    )
    df = ctx.spark.range(ctx.n).select(F.col("id").alias("idx"))
    df = df.select(
        "*",
        F.when(in_hh, F.floor(rel / hb.slot)).alias("household"),
        F.when(in_hh, F.lit(hb.base) + F.floor(rel / hb.slot) * hb.slot)
        .otherwise(idx)
        .alias("fam_key"),
    )
    df = df.join(F.broadcast(members), "idx", "left")
    # a household shares culture, family name, nationality and script with its first member
    fam = person_ids(ctx, "cust", F.col("fam_key"))
    own = person_ids(ctx, "cust", idx)
    ns_ids = person_ids(
        ctx, "wl", F.floor(ctx.u("nsent", idx) * ctx.n_entries).cast("long"), force_middle=True
    )
    namesake = (
        F.col("typology").isNull()
        & F.col("household").isNull()
        & (ctx.u("lk_ns", idx) < cfg.lookalikes.namesake_share)
    )
    culture = F.when(namesake, ns_ids["culture"]).otherwise(fam["culture"])
    df = df.select(
        "*",
        namesake.alias("namesake"),
        culture.alias("p_culture"),
        F.when(namesake, ns_ids["code"]).otherwise(fam["code"]).alias("p_code"),
        F.when(namesake, ns_ids["script"]).otherwise(fam["script"]).alias("p_script"),
        F.when(namesake, ns_ids["mkind"]).otherwise(fam["mkind"]).alias("p_mkind"),
        F.when(namesake, ns_ids["f_id"]).otherwise(fam["f_id"]).alias("p_f_id"),
        fam["nationality"].alias("p_nationality"),
        own["dob"].alias("p_dob"),
        (ctx.u("script", F.col("fam_key")) < cfg.native_script_share).alias("native_pref"),
    )
    # given / middle names of the customer's own draw, restricted to the (household) culture
    g_id = _draw_id(ctx, "given", F.col("p_culture"), "custg", idx)
    mprob = F.element_at(
        _arr([_MIDDLE_PROB.get(c["code"], 0.0) for c in CULTURES]), F.col("p_culture") + 1
    )
    m_id = F.when(
        ctx.u("custhm", idx) < mprob, _draw_id(ctx, "middle", F.col("p_culture"), "custm", idx)
    )
    df = df.select("*", g_id.alias("p_g_id"), m_id.alias("p_m_id"))
    df = _join_names(ctx, df, "p_")
    df = with_person(ctx, df, "wl", F.col("wl_entry"), "wl_", force_middle=True)
    use_native = (F.col("p_script") != "Latin") & F.col("native_pref")
    nat_f, lat_f = compose("p_", "native"), compose("p_", "latin")
    wl_lat, wl_nat, wl_alt = (
        compose("wl_", "latin"),
        compose("wl_", "native"),
        compose("wl_", "alt"),
    )
    is_wl = F.col("wl_entry").isNotNull()
    kind = F.when(
        is_wl & (F.col("wl_kind") == "missing_middle") & F.col("wl_m_latin").isNull(), F.lit("typo")
    ).otherwise(F.col("wl_kind"))
    df = df.withColumn("wl_kind", kind).withColumn(
        "wl_native", (F.col("wl_script") != "Latin") & (ctx.u("wltn", idx) < 0.5)
    )
    kind, tn = F.col("wl_kind"), F.col("wl_native")
    typo_family = _typo(wl_lat["family_name"], ctx.u("typo", idx))

    def translit(part: str) -> Column:
        return F.when(tn, wl_nat[part]).otherwise(wl_alt[part])

    variant = {
        "full_name": (
            F.when(kind == "typo", F.concat_ws(" ", wl_lat["given_name"], typo_family))
            .when(kind == "transliteration", translit("full_name"))
            .when(
                kind == "reordered", F.concat_ws(" ", wl_lat["family_name"], wl_lat["given_name"])
            )
            .otherwise(F.concat_ws(" ", F.col("wl_g_latin"), F.col("wl_f_latin")))
        ),
        "given_name": (
            F.when(kind == "transliteration", translit("given_name"))
            .when(kind == "reordered", wl_lat["family_name"])
            .when(kind == "missing_middle", F.col("wl_g_latin"))
            .otherwise(wl_lat["given_name"])
        ),
        "family_name": (
            F.when(kind == "typo", typo_family)
            .when(kind == "transliteration", translit("family_name"))
            .when(kind == "reordered", wl_lat["given_name"])
            .when(kind == "missing_middle", F.col("wl_f_latin"))
            .otherwise(wl_lat["family_name"])
        ),
    }
    cols = {
        k: F.when(is_wl, v).otherwise(F.when(use_native, nat_f[k]).otherwise(lat_f[k]))
        for k, v in variant.items()
    }
    # the listed person onboarding under a variant name gives the listed DOB, or one a few weeks
    # to months off (typo, day/month swapped): a different-year DOB would make it a namesake
    wl_dob = F.when(F.col("wl_dob_match"), F.col("wl_dob")).otherwise(
        F.date_sub(F.col("wl_dob"), ctx.between("wldob", 20, 300, idx).cast("int"))
    )
    df = df.select(
        "idx",
        "household",
        "namesake",
        "typology",
        "instance_id",
        "role",
        "group_size",
        "onboard_override",
        "quiet_until",
        "scale_override",
        "expected_override",
        "segment_override",
        "wl_entry",
        "wl_kind",
        "wl_dob_match",
        F.col("p_culture").alias("culture"),
        F.col("p_code").alias("code"),
        *[v.alias(k) for k, v in cols.items()],
        F.when(is_wl & (kind == "transliteration") & tn, F.col("wl_script"))
        .when(is_wl | ~use_native, F.lit("Latin"))
        .otherwise(F.col("p_script"))
        .alias("name_script"),
        F.when(is_wl, wl_lat["full_name"]).otherwise(lat_f["full_name"]).alias("name_latin"),
        F.when(is_wl, wl_dob).otherwise(F.col("p_dob")).alias("dob"),
        F.when(is_wl, F.col("wl_nationality"))
        .otherwise(F.col("p_nationality"))
        .alias("nationality"),
        F.coalesce(
            F.col("segment_override"),
            R.weighted(list(cfg.segment_mix.model_dump().items()), ctx.u("seg", idx)),
        ).alias("segment"),
    )
    return _behaviour(ctx, df)


def _join_names(ctx: Ctx, df: DataFrame, prefix: str) -> DataFrame:
    pool = ctx.spark.createDataFrame(
        _POOL_ROWS, "pid long, native string, latin string, alt string"
    )
    for part in ("g", "f", "m"):
        pp = pool.select(
            F.col("pid").alias(f"{prefix}{part}_id"),
            *[F.col(form).alias(f"{prefix}{part}_{form}") for form in ("native", "latin", "alt")],
        )
        df = df.join(F.broadcast(pp), f"{prefix}{part}_id", "left")
    return df


def _behaviour(ctx: Ctx, df: DataFrame) -> DataFrame:
    """Residence, segment behaviour, onboarding, look-alike flags, accounts and addresses."""
    cfg, seed, idx = ctx.cfg, ctx.seed, F.col("idx")
    hh_key = F.coalesce(F.col("household"), -idx - 1)
    expat = ctx.u("expat", hh_key) < cfg.expat_share
    df = df.withColumn(
        "residence_country",
        F.when(expat, R.weighted(EXPAT_COUNTRIES, ctx.u("expres", hh_key))).otherwise(
            F.col("nationality")
        ),
    )
    seg = F.col("segment")
    act = cfg.activity
    occ = (
        F.when(seg == "retail", R.pick(OCCUPATIONS["retail"], ctx.u("occ", idx)))
        .when(seg == "hnw", R.pick(OCCUPATIONS["hnw"], ctx.u("occ", idx)))
        .when(seg == "merchant", R.pick(OCCUPATIONS["merchant"], ctx.u("occ", idx)))
        .otherwise(R.pick(OCCUPATIONS["institutional"], ctx.u("occ", idx)))
    )

    def by_seg(attr: str) -> Column:
        return (
            F.when(seg == "retail", F.lit(getattr(act["retail"], attr)))
            .when(seg == "hnw", F.lit(getattr(act["hnw"], attr)))
            .when(seg == "merchant", F.lit(getattr(act["merchant"], attr)))
            .otherwise(F.lit(getattr(act["institutional"], attr)))
        )

    la = cfg.lookalikes
    frequent = (seg == "retail") & (ctx.u("lk_ft", idx) < la.frequent_trader_share)
    rate = (
        by_seg("events_per_day") * ctx.cfg.background_density * ctx.lognormal("rate", 1.0, 0.8, idx)
    )
    rate = F.when(frequent, rate * 12 + 1.5).otherwise(rate)
    scale = F.coalesce(
        F.col("scale_override"), by_seg("amount_usd") * ctx.lognormal("scale", 1.0, 0.7, idx)
    )
    onboard_span = 5 * 365 * DAY
    planted = F.col("typology").isNotNull()
    onboarded = F.coalesce(
        F.col("onboard_override"),
        F.when(
            planted,
            (F.lit(ctx.start_unix) - ctx.uniform("onbp", 30 * DAY, 1500 * DAY, idx)).cast("long"),
        ),
        (F.lit(ctx.end_unix - onboard_span) + ctx.u("onb", idx) * onboard_span).cast("long"),
    )
    plain = ~planted & F.col("household").isNull()
    n_office = max(1, round(la.office_share * ctx.n / la.office_size))
    df = df.select(
        "*",
        ctx.cid(idx).alias("customer_id"),
        occ.alias("occupation"),
        rate.alias("rate"),
        scale.alias("scale"),
        onboarded.alias("onboarded"),
        R.lookup(TZ_OFFSET_MIN, F.col("residence_country"), 0).alias("off"),
        R.lookup(HOME_CURRENCY, F.col("residence_country"), "USD").alias("currency"),
        frequent.alias("frequent_trader"),
        (plain & (seg == "merchant") & (ctx.u("lk_pay", idx) < la.payroll_merchant_share)).alias(
            "payroll"
        ),
        (plain & (seg == "institutional") & (ctx.u("lk_mm", idx) < la.market_maker_share)).alias(
            "market_maker"
        ),
        (
            plain
            & seg.isin("retail", "hnw")
            & (ctx.u("lk_rb", idx) < la.regular_below_threshold_share)
        ).alias("regular_below"),
        (plain & (seg == "retail") & (ctx.u("lk_rem", idx) < la.remittance_share)).alias(
            "remittance"
        ),
        F.when(
            ctx.u("office", idx) < la.office_share, F.floor(ctx.u("officeid", idx) * n_office)
        ).alias("office"),
        F.when(
            ctx.u("pubip", idx) < la.public_ip_share,
            F.floor(ctx.u("pubipid", idx) * la.public_ip_hubs),
        ).alias("ip_hub"),
        (~planted & (ctx.u("pep", idx) < la.pep_share)).alias("is_pep"),
        F.concat(F.lit("FA"), F.substring(R.hex64(seed, "acct", idx), 1, 12)).alias("account_id"),
        R.hex64(seed, "iban", idx).alias("bank_account"),
        *[
            R.address(
                F.lit(ch),
                F.when(
                    F.col("typology") == "synthetic_identity_ring",
                    R.hex64(seed, "ringwd", F.col("instance_id"), F.lit(ch)),
                ).otherwise(R.hex64(seed, "wd", idx, F.lit(ch))),
            ).alias(f"wd_{ch}")
            for ch in ("BTC", "ETH", "TRON")
        ],
        *[
            R.address(F.lit(ch), R.hex64(seed, "dep", idx, F.lit(ch))).alias(f"dep_{ch}")
            for ch in ("BTC", "ETH", "TRON")
        ],
    )
    # declared volume: roughly the expected activity (everyday plus a look-alike's own flows,
    # e.g. a merchant's payroll), mis-declared by up to 3x either way
    from fcc.synth._lookalikes import expected_monthly_usd  # imports this module

    declared = (F.col("rate") * 30 * F.col("scale") + expected_monthly_usd(ctx)) * F.exp(
        ctx.uniform("decl", -1.1, 1.1, idx)
    )
    span = F.greatest(F.lit(0), F.lit(ctx.end_unix) - F.col("onboarded") - 3600)
    return df.select(
        "*",
        F.coalesce(F.col("expected_override"), declared).alias("expected_monthly"),
        (F.col("onboarded") + (ctx.u("upd", idx) * span).cast("long")).alias("updated"),
    ).withColumn(
        "quiet_until", F.greatest(F.col("onboarded"), F.coalesce(F.col("quiet_until"), F.lit(0)))
    )


def kyc_rows(ctx: Ctx, cust: DataFrame) -> DataFrame:
    """bronze.customers: each KYC version lands the morning after it was made.

    A customer's record lands the morning after the onboarding day (customers onboarded before
    the window in the initial load). A customer whose `updated` time falls on a later landing day gets a
    second version then: the same fields with the later `updated_at`, which replaces the first
    in silver. Otherwise the one version already carries `updated_at` = `updated`.
    """
    onboarded, updated = F.col("onboarded"), F.col("updated")
    second = (updated >= F.lit(ctx.start_unix)) & (
        F.floor(updated / DAY) > F.floor(onboarded / DAY)
    )
    versions = F.filter(
        F.array(F.when(second, onboarded).otherwise(updated), F.when(second, updated)),
        lambda v: v.isNotNull(),
    )
    return cust.select("*", F.explode(versions).alias("version_ts")).select(
        "customer_id",
        "full_name",
        "given_name",
        "family_name",
        "name_script",
        F.date_format("dob", "yyyy-MM-dd").alias("dob"),
        "nationality",
        "residence_country",
        "occupation",
        "segment",
        R.iso(onboarded, F.col("off")).alias("onboarded_at"),
        # declared in tens of USD, then at the generator's amount scale like every amount
        R.decimal_str(F.round(F.col("expected_monthly"), -1) * ctx.cfg.amount_scale, 2).alias(
            "expected_monthly_volume"
        ),
        "is_pep",
        R.iso(F.col("version_ts"), F.col("off")).alias("updated_at"),
        *ctx.daily_batch("kyc-", F.col("version_ts")),
    )


def identifier_rows(ctx: Ctx, cust: DataFrame) -> DataFrame:
    """bronze.identifiers: devices, IPs, emails, phones, accounts, addresses, with legit and illicit sharing."""
    seed, idx = ctx.seed, F.col("idx")
    shared = F.col("instance_id")
    ring = F.col("typology") == "synthetic_identity_ring"
    struct_grp = (F.col("typology") == "structuring") & (F.col("group_size") > 1)
    office, hub = F.col("office"), F.col("ip_hub")

    def ipv4(*keys) -> Column:
        h = R.h64(seed, "ipv4", *keys)
        octets = [(F.floor(h / F.lit(256**k)) % 256) for k in (3, 2, 1, 0)]
        octets[0] = octets[0] % 223 + 1
        return F.concat_ws(".", *[o.cast("string") for o in octets])

    def row(
        t: str, v: Column, lag_days: Column | float = 0.0, when: Column | None = None
    ) -> Column:
        first = (
            F.col("onboarded")
            + (F.lit(lag_days) * DAY).cast("long")
            + (ctx.u("fs" + t, idx, v) * 3600).cast("long")
        )
        s = F.struct(F.lit(t).alias("id_type"), v.alias("id_value"), first.alias("ts"))
        return s if when is None else F.when(when, s)

    phone_cc = R.lookup(
        {
            "US": "1",
            "CA": "1",
            "GB": "44",
            "DE": "49",
            "FR": "33",
            "ES": "34",
            "RU": "7",
            "AE": "971",
            "SA": "966",
            "CN": "86",
            "KR": "82",
            "GR": "30",
            "SG": "65",
            "TR": "90",
            "CH": "41",
            "AU": "61",
        },
        F.col("residence_country"),
        "44",
    )
    phone_own = F.concat(
        F.lit("+"),
        phone_cc,
        F.lpad((R.h64(seed, "ph", idx) % 10_000_000_000).cast("string"), 10, "0"),
    )
    phone_ring = F.concat(
        F.lit("+"),
        phone_cc,
        F.lpad((R.h64(seed, "ph", shared) % 10_000_000_000).cast("string"), 10, "0"),
    )
    ring_phone = ring & (ctx.u("ringph", idx) < 0.7)
    dev_own = R.uuid(seed, "dev", idx)
    dev_shared = R.uuid(seed, "devshared", shared)
    mail_dom = R.pick(
        [
            "gmail.com",
            "outlook.com",
            "yahoo.com",
            "proton.me",
            "mail.ru",
            "qq.com",
            "naver.com",
            "icloud.com",
        ],
        ctx.u("mdom", idx),
    )
    email = F.concat(
        F.lit("u"), F.substring(R.hex64(seed, "mail", idx), 1, 10), F.lit("@"), mail_dom
    )
    arr = F.array(
        row("device", F.when(ring | struct_grp, dev_shared).otherwise(dev_own)),
        row(
            "device",
            R.uuid(seed, "dev2", idx),
            ctx.uniform("d2", 5, 400, idx),
            ctx.u("hasd2", idx) < 0.5,
        ),
        row("ip", ipv4(F.lit("ip"), idx)),
        row("ip", ipv4(F.lit("hh"), F.col("household")), 0.0, F.col("household").isNotNull()),
        row(
            "ip",
            ipv4(F.lit("office"), office),
            ctx.uniform("offd", 0, 200, idx),
            office.isNotNull(),
        ),
        row("ip", ipv4(F.lit("pubhub"), hub), ctx.uniform("hubd", 0, 300, idx), hub.isNotNull()),
        row("ip", ipv4(F.lit("ring"), shared), 0.0, ring),
        row("email", email),
        row("phone", F.when(ring_phone, phone_ring).otherwise(phone_own)),
        row("bank_account", F.col("bank_account")),
        row("kyc_document", R.hex64(seed, "doc", idx)),
        *[
            row(
                "withdrawal_address",
                F.col(f"wd_{ch}"),
                ctx.uniform("wdd" + ch, 0, 60, idx),
                ring | (ctx.u("haswd" + ch, idx) < 0.6),
            )
            for ch in ("BTC", "ETH", "TRON")
        ],
    )
    # an identifier lands the morning after it was first seen, never before its customer's
    # KYC record: first seen at or after onboarding, so on the same landing or a later one
    return (
        cust.select("customer_id", "off", F.explode(arr).alias("r"))
        .where(F.col("r").isNotNull())
        .where(F.col("r.ts") < F.lit(ctx.end_unix))
        .groupBy("customer_id", "off", "r.id_type", "r.id_value")
        .agg(F.min("r.ts").alias("ts"))
        .select(
            "customer_id",
            "id_type",
            "id_value",
            R.iso(F.col("ts"), F.col("off")).alias("first_seen"),
            *ctx.daily_batch("ids-", F.col("ts")),
        )
    )


def watchlist_rows(ctx: Ctx, cust: DataFrame) -> DataFrame:
    """Synthetic sanctions entries (list SYNTH) plus a PEP entry for each PEP customer."""
    e = F.col("id")
    base = with_person(ctx, ctx.spark.range(ctx.n_entries), "wl", e, "p_", force_middle=True)
    p = {"dob": F.col("p_dob"), "nationality": F.col("p_nationality"), "script": F.col("p_script")}
    lat, nat, alt = compose("p_", "latin"), compose("p_", "native"), compose("p_", "alt")

    def name(n, t, q, s):
        return F.struct(
            n.alias("name"),
            F.lit(t).alias("name_type"),
            F.lit(q).alias("quality"),
            s.alias("script"),
        )  # noqa: E731

    names = F.filter(
        F.array(
            name(lat["full_name"], "primary", "strong", F.lit("Latin")),
            F.when(p["script"] != "Latin", name(nat["full_name"], "aka", "strong", p["script"])),
            F.when(ctx.u("wlalt", e) < 0.6, name(alt["full_name"], "aka", "weak", F.lit("Latin"))),
            F.when(
                ctx.u("wlrev", e) < 0.3,
                name(
                    F.concat_ws(" ", lat["family_name"], lat["given_name"]),
                    "aka",
                    "strong",
                    F.lit("Latin"),
                ),
            ),
        ),
        lambda x: x.isNotNull(),
    )
    dob = F.date_format(p["dob"], "yyyy-MM-dd")
    r = ctx.u("wldobs", e)
    dobs = (
        F.when(r < 0.7, F.array(dob))
        .when(r < 0.85, F.array(F.date_format(p["dob"], "yyyy")))
        .otherwise(F.array(dob, F.date_format(F.date_sub(p["dob"], 365), "yyyy-MM-dd")))
    )
    crypto = F.when(
        sanctioned_entry(e),
        F.filter(
            F.array(
                F.struct(
                    F.lit("BTC").alias("chain"),
                    sanctioned_address(ctx, e, F.lit("BTC")).alias("address"),
                ),
                F.when(
                    ctx.u("wleth", e) < 0.5,
                    F.struct(
                        F.lit("ETH").alias("chain"),
                        sanctioned_address(ctx, e, F.lit("ETH")).alias("address"),
                    ),
                ),
                F.when(
                    ctx.u("wltrx", e) < 0.5,
                    F.struct(
                        F.lit("TRON").alias("chain"),
                        sanctioned_address(ctx, e, F.lit("TRON")).alias("address"),
                    ),
                ),
            ),
            lambda x: x.isNotNull(),
        ),
    ).otherwise(F.array().cast("array<struct<chain:string,address:string>>"))
    # the list as published the day before the window, loaded before the window's first night
    version = ctx.initial_day.isoformat()
    sanc = base.select(
        F.concat(F.lit("SYNTH:"), F.lpad(e.cast("string"), 6, "0")).alias("entry_id"),
        F.lit("SYNTH").alias("list_name"),
        F.lit(version).alias("list_version"),
        F.lit("person").alias("entity_type"),
        lat["full_name"].alias("primary_name"),
        names.alias("names"),
        dobs.alias("dobs"),
        F.array(p["nationality"]).alias("nationalities"),
        F.array(p["nationality"]).alias("countries"),
        F.array(R.pick(WATCHLIST_PROGRAMS, ctx.u("wlprog", e))).alias("programs"),
        crypto.alias("crypto_addresses"),
        F.lit("synthetic entry").alias("remarks"),
    )
    pep = cust.where("is_pep").select(
        F.concat(F.lit("SYNTH:PEP-"), F.col("customer_id")).alias("entry_id"),
        F.lit("SYNTH").alias("list_name"),
        F.lit(version).alias("list_version"),
        F.lit("person").alias("entity_type"),
        F.col("name_latin").alias("primary_name"),
        F.filter(
            F.array(
                F.struct(
                    F.col("name_latin").alias("name"),
                    F.lit("primary").alias("name_type"),
                    F.lit("strong").alias("quality"),
                    F.lit("Latin").alias("script"),
                ),
                F.when(
                    F.col("name_script") != "Latin",
                    F.struct(
                        F.col("full_name").alias("name"),
                        F.lit("aka").alias("name_type"),
                        F.lit("strong").alias("quality"),
                        F.col("name_script").alias("script"),
                    ),
                ),
            ),
            lambda x: x.isNotNull(),
        ).alias("names"),
        F.array(F.date_format("dob", "yyyy-MM-dd")).alias("dobs"),
        F.array("nationality").alias("nationalities"),
        F.array("residence_country").alias("countries"),
        F.array(F.lit("PEP")).alias("programs"),
        F.array().cast("array<struct<chain:string,address:string>>").alias("crypto_addresses"),
        F.lit("politically exposed person").alias("remarks"),
    )
    return sanc.unionByName(pep).select("*", *ctx.initial_batch("wl-"))


def sanctioned_entry(e: Column) -> Column:
    """Every third synthetic list entry carries digital-currency addresses."""
    return e % 3 == 0


def sanctioned_address(ctx: Ctx, e: Column, chain: Column) -> Column:
    return R.address(chain, R.hex64(ctx.seed, "wladdr", e, chain))
