"""The synthetic generator: determinism, schemas, planted shapes, look-alikes, truth integrity."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from pyspark.sql import functions as F
from rapidfuzz import fuzz

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings.ingest import IngestSettings
from fcc.core.tables import bronze, truth
from fcc.synth import generate

N, DAYS, SEED, END = 300, 30, 11, "2026-03-31"
START = pd.Timestamp(END) - pd.Timedelta(days=DAYS - 1)  # the window's first day, 00:00 UTC
INITIAL = (START - pd.Timedelta(days=1)).strftime("%Y%m%d")  # the day the initial load is of
TAGS = {
    "structuring",
    "pass_through",
    "fan_in",
    "fan_out",
    "cycle",
    "scatter_gather",
    "gather_scatter",
    "peel_chain",
    "direct_exposure",
    "indirect_exposure",
    "dormant_reactivation",
    "high_risk_jurisdiction",
    "synthetic_identity_ring",
    "watchlist_name_variant",
    "profile_mismatch",
    "rapid_conversion",
}


@pytest.fixture(scope="module")
def gen(spark, tmp_path_factory):
    root = str(tmp_path_factory.mktemp("synth") / "lake")
    counts = generate(spark, root, N, DAYS, SEED, END)
    return Lakehouse(spark, root), counts


@pytest.fixture(scope="module")
def pdf(gen):
    """Small tables as pandas frames (a few thousand rows at this size)."""
    lh, _ = gen
    cache: dict[str, pd.DataFrame] = {}

    def get(spec):
        if spec.qualified not in cache:
            cache[spec.qualified] = lh.read(spec).toPandas()
        return cache[spec.qualified]

    return get


def _block_ts(text: str) -> pd.Timestamp:
    """A chain feed's block time: unix seconds or an ISO-8601 string, as a UTC timestamp."""
    if text.isdigit():
        return pd.Timestamp(int(text), unit="s", tz="UTC")
    ts = pd.Timestamp(text)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _legs(pdf) -> pd.DataFrame:
    """Canonical txn id -> (customer_id, direction, ts string) for every bronze money movement."""
    f = pdf(bronze.FIAT_LEDGER)
    c = pdf(bronze.ONCHAIN_TRANSFERS)
    i = pdf(bronze.INTERNAL_TRANSFERS)
    t = pdf(bronze.TRADES)
    parts = [
        pd.DataFrame(
            {
                "txn_id": "FIAT:" + f.ledger_id,
                "customer_id": f.customer_id,
                "direction": f.entry_type.map({"CREDIT": "in", "DEBIT": "out"}),
                "ts": pd.to_datetime(f.booked_at, utc=True),
                "amount": f.amount.astype(float),
            }
        ),
        pd.DataFrame(
            {
                "txn_id": "CHAIN:" + c.transfer_id,
                "customer_id": c.customer_id,
                "direction": c.direction.map({"deposit": "in", "withdrawal": "out"}),
                "ts": c.block_time.map(_block_ts),
                "amount": c.amount.astype(float),
            }
        ),
        pd.DataFrame(
            {
                "txn_id": "INT:" + i.transfer_id + ":out",
                "customer_id": i.from_customer_id,
                "direction": "out",
                "ts": pd.to_datetime(i.created_at, utc=True),
                "amount": i.amount.astype(float),
            }
        ),
        pd.DataFrame(
            {
                "txn_id": "INT:" + i.transfer_id + ":in",
                "customer_id": i.to_customer_id,
                "direction": "in",
                "ts": pd.to_datetime(i.created_at, utc=True),
                "amount": i.amount.astype(float),
            }
        ),
        pd.DataFrame(
            {
                "txn_id": "TRD:" + t.trade_id + ":base",
                "customer_id": t.customer_id,
                "direction": "trade",
                "ts": pd.to_datetime(t.executed_at, utc=True),
                "amount": t.base_amount.astype(float),
            }
        ),
        pd.DataFrame(
            {
                "txn_id": "TRD:" + t.trade_id + ":quote",
                "customer_id": t.customer_id,
                "direction": "trade",
                "ts": pd.to_datetime(t.executed_at, utc=True),
                "amount": t.quote_amount.astype(float),
            }
        ),
    ]
    return pd.concat(parts, ignore_index=True)


def _instances(pdf, tag: str) -> pd.DataFrame:
    ti = pdf(truth.TYPOLOGY_INSTANCES)
    out = ti[ti.typology == tag]
    assert len(out) >= 1, f"no {tag} instance planted"
    return out


def test_same_seed_gives_identical_tables(gen, spark, tmp_path_factory):
    lh, counts = gen
    root2 = str(tmp_path_factory.mktemp("synth2") / "lake")
    counts2 = generate(spark, root2, N, DAYS, SEED, END)
    assert counts2 == counts
    lh2 = Lakehouse(spark, root2)
    for spec in (*bronze.ALL, *truth.ALL):
        a, b = lh.read(spec), lh2.read(spec)
        cols = [c for c, t in a.dtypes if not t.startswith("array")]
        arrays = [F.to_json(c).alias(c) for c, t in a.dtypes if t.startswith("array")]
        a, b = a.select(*cols, *arrays), b.select(*cols, *arrays)
        assert a.exceptAll(b).count() == 0, spec.qualified
        assert b.exceptAll(a).count() == 0, spec.qualified


def test_every_table_has_its_registered_schema_and_rows(gen):
    lh, counts = gen
    for spec in (*bronze.ALL, *truth.ALL):
        got = [(f.name, f.dataType) for f in lh.read(spec).schema.fields]
        assert got == [(f.name, f.dataType) for f in spec.schema.fields], spec.qualified
        assert counts[spec.qualified] > 0, spec.qualified
    assert lh.read(bronze.CUSTOMERS).select("customer_id").distinct().count() == N


def test_keys_are_unique(gen):
    lh, _ = gen
    for spec in (*bronze.ALL, *truth.ALL):
        df = lh.read(spec)
        assert df.select(*spec.keys).distinct().count() == df.count(), spec.qualified


def test_every_typology_is_planted_and_its_customers_labelled(pdf):
    ti = pdf(truth.TYPOLOGY_INSTANCES)
    labels = pdf(truth.CUSTOMER_LABELS)
    assert set(ti.typology) == TAGS
    planted = {c for ids in ti.customer_ids for c in ids}
    suspicious = set(labels[labels.is_suspicious].customer_id)
    assert planted == suspicious
    tags = {(c, t) for ids, t in zip(ti.customer_ids, ti.typology, strict=True) for c in ids}
    assert tags == {
        (c, t) for c, ts in zip(labels.customer_id, labels.typologies, strict=True) for t in ts
    }
    assert ti[ti.typology != "watchlist_name_variant"].txn_ids.map(len).min() > 0


def test_every_truth_txn_id_exists_in_bronze(pdf):
    ti = pdf(truth.TYPOLOGY_INSTANCES)
    wanted = {t for ids in ti.txn_ids for t in ids}
    assert wanted and wanted <= set(_legs(pdf).txn_id)


def test_truth_txns_belong_to_instance_customers(pdf):
    legs = _legs(pdf).set_index("txn_id")
    ti = pdf(truth.TYPOLOGY_INSTANCES)
    for _, row in ti.iterrows():
        owners = set(legs.loc[list(row.txn_ids), "customer_id"]) if len(row.txn_ids) else set()
        assert owners <= set(row.customer_ids), row.instance_id


def test_structuring_amounts_sit_in_the_band_below_the_threshold(pdf):
    legs = _legs(pdf).set_index("txn_id")
    fiat = (
        pdf(bronze.FIAT_LEDGER).assign(txn_id=lambda d: "FIAT:" + d.ledger_id).set_index("txn_id")
    )
    for _, row in _instances(pdf, "structuring").iterrows():
        ids = list(row.txn_ids)
        assert len(ids) >= 3
        assert set(fiat.loc[ids, "currency"]) == {"USD"}
        amounts = fiat.loc[ids, "amount"].astype(float)
        assert amounts.between(8000, 9900).all(), amounts.tolist()
        span = legs.loc[ids, "ts"].max() - legs.loc[ids, "ts"].min()
        assert span <= pd.Timedelta(days=7)


def test_cycle_leaves_and_returns_to_its_origin(pdf):
    legs = _legs(pdf).set_index("txn_id")
    for _, row in _instances(pdf, "cycle").iterrows():
        lg = legs.loc[list(row.txn_ids)].sort_values("ts")
        members = set(row.customer_ids)
        assert 2 <= len(members) <= 4
        outs, ins = lg[lg.direction == "out"], lg[lg.direction == "in"]
        assert set(outs.customer_id) == members and set(ins.customer_id) == members
        origin = outs.customer_id.iloc[0]
        assert ins.customer_id.iloc[-1] == origin
        assert ins.ts.iloc[-1] > outs.ts.iloc[0]


def test_peel_chain_hops_each_send_a_small_part_off(pdf):
    chain = pdf(bronze.CHAIN_TRANSFERS).assign(amount=lambda d: d.amount.astype(float))
    onchain = pdf(bronze.ONCHAIN_TRANSFERS)
    for _, row in _instances(pdf, "peel_chain").iterrows():
        addrs = json.loads(row.detail)["addresses"]
        assert len(addrs) >= 4
        assert addrs[0] in set(onchain[onchain.direction == "withdrawal"].to_address)
        prev_total = None
        for a, nxt in zip(addrs[:-1], addrs[1:], strict=True):
            out = chain[chain.from_address == a]
            assert len(out) == 2, a
            rest = out[out.to_address == nxt].amount.sum()
            peel = out[out.to_address != nxt].amount.sum()
            assert 0 < peel < 0.2 * (peel + rest)
            if prev_total is not None:
                assert peel + rest == pytest.approx(prev_total, rel=1e-6)
            prev_total = rest


def test_identity_ring_members_share_identifiers_and_onboard_together(pdf):
    ids = pdf(bronze.IDENTIFIERS)
    kyc = pdf(bronze.CUSTOMERS).set_index("customer_id")
    for _, row in _instances(pdf, "synthetic_identity_ring").iterrows():
        members = set(row.customer_ids)
        assert len(members) >= 3
        mine = ids[ids.customer_id.isin(members)]
        for kind in ("device", "withdrawal_address", "ip"):
            shared = mine[mine.id_type == kind].groupby("id_value").customer_id.nunique()
            assert shared.max() == len(members), kind
        onboard = pd.to_datetime(kyc.loc[list(members), "onboarded_at"], utc=True)
        assert onboard.max() - onboard.min() <= pd.Timedelta(days=5)


def test_watchlist_variants_resemble_a_list_entry_without_copying_it(pdf):
    wl = pdf(bronze.WATCHLISTS).set_index("entry_id")
    kyc = pdf(bronze.CUSTOMERS).set_index("customer_id")
    kinds = set()
    for _, row in _instances(pdf, "watchlist_name_variant").iterrows():
        d = json.loads(row.detail)
        kinds.add(d["variant"])
        entry = wl.loc[d["entry_id"]]
        cust = kyc.loc[row.customer_ids[0]]
        names = [n["name"] for n in entry.names]
        assert cust.full_name != entry.primary_name
        best = max(fuzz.token_sort_ratio(cust.full_name.lower(), n.lower()) for n in names)
        assert best >= 60 or d["variant"] == "transliteration", (cust.full_name, names)
        if d["dob_match"]:
            assert any(cust.dob.startswith(x) for x in entry.dobs)
        else:  # 20-300 days off: never an exact listed DOB, never a contradicting year
            assert cust.dob not in set(entry.dobs)
            assert any(abs(int(cust.dob[:4]) - int(x[:4])) <= 1 for x in entry.dobs)
    assert kinds <= {"typo", "transliteration", "reordered", "missing_middle"}


def test_direct_and_indirect_exposure_reach_risky_labels(pdf):
    intel = pdf(bronze.ADDRESS_INTEL)
    risky = set(
        intel[intel.category.isin(["mixer", "darknet", "sanctioned", "ransomware", "scam"])].address
    )
    labelled = set(intel.address)
    oc = (
        pdf(bronze.ONCHAIN_TRANSFERS)
        .assign(txn_id=lambda d: "CHAIN:" + d.transfer_id)
        .set_index("txn_id")
    )
    chain = pdf(bronze.CHAIN_TRANSFERS)
    nbrs: dict[str, set[str]] = {}
    for a, b in zip(chain.from_address, chain.to_address, strict=True):
        nbrs.setdefault(a, set()).add(b)
        nbrs.setdefault(b, set()).add(a)
    for _, row in _instances(pdf, "direct_exposure").iterrows():
        t = oc.loc[list(row.txn_ids)]
        ctr = t.from_address.where(t.direction == "deposit", t.to_address)
        assert ctr.isin(risky).all()
    for _, row in _instances(pdf, "indirect_exposure").iterrows():
        t = oc.loc[list(row.txn_ids)]
        for ctr in t.from_address.where(t.direction == "deposit", t.to_address):
            assert ctr not in labelled
            one = nbrs.get(ctr, set())
            two = {y for x in one for y in nbrs.get(x, set())}
            assert (one | two) & risky, ctr


def test_high_risk_wires_go_to_or_come_from_listed_countries(pdf):
    fiat = (
        pdf(bronze.FIAT_LEDGER).assign(txn_id=lambda d: "FIAT:" + d.ledger_id).set_index("txn_id")
    )
    from fcc.core.settings.synth import SynthSettings

    listed = set(SynthSettings().high_risk_countries)
    for _, row in _instances(pdf, "high_risk_jurisdiction").iterrows():
        t = fiat.loc[list(row.txn_ids)]
        assert len(t) >= 2
        assert t.counterparty_bank_country.isin(listed).all() and (t.method == "SWIFT").all()


def test_dormant_accounts_were_silent_for_months_before_reactivating(pdf):
    legs = _legs(pdf)
    for _, row in _instances(pdf, "dormant_reactivation").iterrows():
        cust = row.customer_ids[0]
        mine = legs[legs.customer_id == cust].sort_values("ts")
        first = pd.Timestamp(row.start_ts, tz="UTC")
        before = mine[mine.ts < first]
        assert len(before) >= 1
        assert first - before.ts.max() >= pd.Timedelta(days=150)


def test_fan_in_collector_receives_from_many_counterparties(pdf):
    fiat = (
        pdf(bronze.FIAT_LEDGER).assign(txn_id=lambda d: "FIAT:" + d.ledger_id).set_index("txn_id")
    )
    for _, row in _instances(pdf, "fan_in").iterrows():
        t = fiat.loc[[x for x in row.txn_ids if x.startswith("FIAT:")]]
        credits = t[t.entry_type == "CREDIT"]
        assert credits.counterparty_account.nunique() >= 5


def test_lookalikes_exist_and_are_not_suspicious(pdf):
    labels = pdf(truth.CUSTOMER_LABELS)
    kinds = set(labels.lookalike.dropna())
    assert {
        "payroll",
        "market_maker",
        "household",
        "office_nat",
        "public_ip_hub",
        "merchant_receipts",
    } <= kinds
    assert not labels[labels.lookalike.notna()].is_suspicious.any()
    fiat = pdf(bronze.FIAT_LEDGER)
    payroll = fiat[fiat.reference.str.startswith("SALARY")]
    per_run = payroll.groupby(
        ["customer_id", payroll.booked_at.str[:10]]
    ).counterparty_account.nunique()
    assert per_run.max() >= 8
    ids = pdf(bronze.IDENTIFIERS)
    ip_fanout = ids[ids.id_type == "ip"].groupby("id_value").customer_id.nunique()
    assert ip_fanout.max() >= 10


def test_declared_volume_covers_a_lookalikes_own_flows(pdf):
    """A payroll merchant declares its payroll, a market maker its rounds (at worst 1/3 of it)."""
    labels = pdf(truth.CUSTOMER_LABELS).set_index("customer_id")
    kyc = pdf(bronze.CUSTOMERS).set_index("customer_id")
    declared = kyc.expected_monthly_volume.astype(float)
    kind = labels.lookalike.reindex(declared.index)
    # payroll: 24 employees x USD 3,000 x e^(0.35^2/2) = 76,550 a month, x e^-1.1 = 25,480
    assert (kind == "payroll").any() and declared[kind == "payroll"].min() >= 25_000
    # market maker: 0.6 x 30 days x 2 legs x 200,000 x e^(0.8^2/2) = 9.91M, x e^-1.1 = 3.30M
    assert (kind == "market_maker").any() and declared[kind == "market_maker"].min() >= 3_000_000


def test_names_come_from_several_scripts(pdf):
    kyc = pdf(bronze.CUSTOMERS)
    assert {"Latin", "Cyrillic", "Arabic", "Han", "Hangul", "Greek"} <= set(kyc.name_script)
    assert set(kyc.segment) == {"retail", "hnw", "merchant", "institutional"}


def test_timestamps_are_iso_8601_with_offsets_not_all_utc(pdf):
    iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?(Z|[+-]\d\d:\d\d)$")
    booked = pdf(bronze.FIAT_LEDGER).booked_at
    assert booked.str.match(iso).all()
    assert (
        (booked.str[-6:] != "+00:00").any()
        and (booked.str[-6:] == "+00:00").any()
        or booked.str[-6:].nunique() > 1
    )
    assert pdf(bronze.TRADES).executed_at.str.match(iso).all()
    assert pdf(bronze.CUSTOMERS).onboarded_at.str.match(iso).all()


def test_fx_covers_every_currency_and_day_used(pdf):
    fx = pdf(bronze.FX_RATES)
    have = set(zip(fx.rate_date, fx.currency, strict=True))
    legs_f = pdf(bronze.FIAT_LEDGER)
    need = set(
        zip(
            pd.to_datetime(legs_f.booked_at, utc=True).dt.strftime("%Y-%m-%d"),
            legs_f.currency,
            strict=True,
        )
    )
    t = pdf(bronze.TRADES)
    days = pd.to_datetime(t.executed_at, utc=True).dt.strftime("%Y-%m-%d")
    need |= set(zip(days, t.base_asset, strict=True)) | set(zip(days, t.quote_asset, strict=True))
    assert need <= have
    assert (fx.usd_per_unit.astype(float) > 0).all()


def test_amounts_are_heavy_tailed(pdf):
    fiat = pdf(bronze.FIAT_LEDGER)
    usd = fiat[fiat.currency == "USD"].amount.astype(float)
    assert usd.quantile(0.99) > 10 * usd.median()


# ---- landing: what a real exchange receives each day


def _utc(text: pd.Series) -> pd.Series:
    """ISO-8601 strings with offsets as naive UTC timestamps (as Spark returns landed_at)."""
    return pd.to_datetime(text, utc=True).dt.tz_convert(None)


def _landing(ts: pd.Series, prefix: str) -> pd.DataFrame:
    """Expected batch_id and landed_at of rows with event times `ts`: the next morning at 02:00,
    or the initial load at the window's start for rows dated before it."""
    day = ts.dt.floor("D")
    before = ts < START
    return pd.DataFrame(
        {
            "batch_id": (prefix + day.dt.strftime("%Y%m%d")).where(
                ~before, f"{prefix}init-{INITIAL}"
            ),
            "landed_at": (day + pd.Timedelta(hours=26)).where(~before, START),
        },
        index=ts.index,
    )


def _kyc_versions(pdf) -> pd.DataFrame:
    kyc = pdf(bronze.CUSTOMERS).assign(version=lambda d: _utc(d.updated_at))
    return kyc.sort_values(["customer_id", "version"]).assign(
        n=lambda d: d.groupby("customer_id").cumcount()
    )


def test_kyc_lands_the_morning_after_onboarding_or_in_the_initial_load(pdf):
    kyc = _kyc_versions(pdf)
    first = kyc[kyc.n == 0]
    assert len(first) == N
    want = _landing(_utc(first.onboarded_at), "kyc-")
    pd.testing.assert_frame_equal(first[["batch_id", "landed_at"]], want, check_dtype=False)
    initial = want.batch_id == f"kyc-init-{INITIAL}"
    assert initial.sum() > 0.9 * N and (~initial).sum() > 0  # onboarding goes on in the window


def test_a_kyc_update_in_the_window_lands_later_as_a_second_version_of_the_same_fields(pdf):
    kyc = _kyc_versions(pdf)
    assert kyc.n.max() == 1
    second = kyc[kyc.n == 1].set_index("customer_id")
    first = kyc[kyc.n == 0].set_index("customer_id").loc[second.index]
    assert len(second) > 0
    fields = [
        c for c in first.columns if c not in ("updated_at", "batch_id", "landed_at", "version", "n")
    ]
    pd.testing.assert_frame_equal(first[fields], second[fields])
    assert (second.version >= START).all() and (second.version > first.version).all()
    pd.testing.assert_frame_equal(
        second[["batch_id", "landed_at"]], _landing(second.version, "kyc-"), check_dtype=False
    )
    assert (second.landed_at > first.landed_at).all()
    # a first version is the record as onboarded when a change follows, else the latest one
    assert (first.version == _utc(first.onboarded_at)).all()
    single = kyc[(kyc.n == 0) & ~kyc.customer_id.isin(second.index)]
    assert (single.version >= _utc(single.onboarded_at)).all()
    assert (_landing(single.version, "kyc-").landed_at == single.landed_at).all()


def test_identifiers_land_the_morning_after_first_seen_never_before_their_customer(pdf):
    ids = pdf(bronze.IDENTIFIERS)
    pd.testing.assert_frame_equal(
        ids[["batch_id", "landed_at"]], _landing(_utc(ids.first_seen), "ids-"), check_dtype=False
    )
    assert (ids.batch_id != f"ids-init-{INITIAL}").any()
    kyc = _kyc_versions(pdf)
    customer_landed = kyc[kyc.n == 0].set_index("customer_id").landed_at
    assert (ids.landed_at.to_numpy() >= customer_landed.loc[ids.customer_id].to_numpy()).all()


def test_no_transaction_lands_before_the_kyc_of_its_customers(pdf):
    kyc = _kyc_versions(pdf)
    customer_landed = kyc[kyc.n == 0].set_index("customer_id").landed_at
    parties = [
        (bronze.FIAT_LEDGER, "customer_id"),
        (bronze.ONCHAIN_TRANSFERS, "customer_id"),
        (bronze.INTERNAL_TRANSFERS, "from_customer_id"),
        (bronze.INTERNAL_TRANSFERS, "to_customer_id"),
        (bronze.TRADES, "customer_id"),
    ]
    for spec, column in parties:
        df = pdf(spec)
        early = df.landed_at.to_numpy() < customer_landed.loc[df[column]].to_numpy()
        assert not early.any(), (spec.qualified, column, df[early].batch_id.tolist()[:5])


def test_transactions_land_per_event_day_and_the_history_in_the_initial_load(pdf):
    feeds = [
        (bronze.FIAT_LEDGER, "booked_at", "fiat-"),
        (bronze.ONCHAIN_TRANSFERS, "block_time", "wallet-"),
        (bronze.INTERNAL_TRANSFERS, "created_at", "internal-"),
        (bronze.TRADES, "executed_at", "trades-"),
        (bronze.CHAIN_TRANSFERS, "block_time", "chaindata-"),
    ]
    history = 0
    for spec, column, prefix in feeds:
        df = pdf(spec)
        ts = df[column].map(_block_ts).dt.tz_convert(None)
        want = _landing(ts, prefix)
        pd.testing.assert_frame_equal(
            df[["batch_id", "landed_at"]], want, check_dtype=False, obj=spec.qualified
        )
        history += (ts < START).sum()
    assert history > 0  # dormant accounts' past activity, upstream chain hops


def test_lists_labels_and_rates_are_there_before_the_first_night(pdf):
    wl, intel = pdf(bronze.WATCHLISTS), pdf(bronze.ADDRESS_INTEL)
    assert (wl.landed_at == START).all() and set(wl.batch_id) == {f"wl-{INITIAL}"}
    assert set(wl.list_version) == {(START - pd.Timedelta(days=1)).date().isoformat()}
    assert (intel.landed_at == START).all() and (_utc(intel.updated_at) < START).all()
    fx = pdf(bronze.FX_RATES)
    rate_day = pd.to_datetime(fx.rate_date)
    pd.testing.assert_frame_equal(
        fx[["batch_id", "landed_at"]], _landing(rate_day, "fx-"), check_dtype=False
    )
    # the first night's rows need rates of the first day: they land with that night
    assert fx[rate_day == START].landed_at.max() == START + pd.Timedelta(hours=26)


def test_everything_lands_by_the_last_nights_cutoff_and_after_its_event(pdf):
    end = pd.Timestamp(END) + pd.Timedelta(days=1)
    cutoff = end + pd.Timedelta(hours=IngestSettings().landing_window_hours)
    for spec in bronze.ALL:
        df = pdf(spec)
        assert df.landed_at.notna().all() and (df.landed_at < cutoff).all(), spec.qualified
        assert df.batch_id.notna().all(), spec.qualified
    kyc = pdf(bronze.CUSTOMERS)
    assert (_utc(kyc.updated_at) < kyc.landed_at).all()
    chain = pdf(bronze.CHAIN_TRANSFERS)
    block = chain.block_time.map(_block_ts).dt.tz_convert(None)
    assert (block < chain.landed_at).all()
