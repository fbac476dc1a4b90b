"""`fcc screen` (one name at a prompt, same matcher as the nightly step) and `fcc hits`
(list a date's hits, decide on one, recorded in ops.runs)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from fcc.core.settings import AppConfig
from fcc.core.tables import gold, ops, silver
from fcc.core.tables.extra_screening import SCREENING_DECISIONS
from fcc.screening import (
    Query,
    ReviewError,
    SearchError,
    decide_hit,
    hits_of,
    search_name,
    watchlist_frame,
)
from fcc.screening._match import screen_names
from fcc.screening._run import with_customer_hash, with_entry_hash


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("FCC_CACHE_DIR", str(tmp_path / "cache"))


def _entry(eid, etype, names, dobs=(), nats=(), list_name="OFAC-SDN"):
    return {
        "entry_id": eid,
        "list_name": list_name,
        "list_version": "2025-01-01",
        "entity_type": etype,
        "primary_name": names[0],
        "names": [
            {
                "name": n,
                "name_type": "primary" if i == 0 else "aka",
                "quality": "strong",
                "script": None,
            }
            for i, n in enumerate(names)
        ],
        "dobs": list(dobs),
        "nationalities": list(nats),
        "countries": list(nats),
        "programs": ["TEST"],
        "crypto_addresses": [],
        "remarks": None,
        "loaded_at": datetime(2025, 1, 1),
    }


ENTRIES = [
    _entry(
        "E1",
        "person",
        ["Usama bin Muhammad bin Awad BIN LADIN", "Osama bin Laden"],
        ["1957"],
        ["SA"],
    ),
    _entry("E2", "person", ["Hamza bin Usama bin Muhammad bin Laden"], ["1989"], ["SA"]),
    _entry("E3", "entity", ["Bin Laden Construction Group"]),
    _entry("E4", "person", ["Ivan Petrovich Sidorov"], ["1961-05-17"], ["RU"], "INTERNAL-BLOCK"),
    _entry("E5", "person", ["Laden Bin Trading"]),  # both tokens, another order: contains too
    _entry("E6", "person", ["Maria Laden Gomez"]),  # one token only: not a contains match
]


def _watchlist(spark, lakehouse):
    names = silver.WATCHLIST.schema.fieldNames()
    rows = [tuple(e.get(n) for n in names) for e in ENTRIES]
    lakehouse.overwrite(silver.WATCHLIST, spark.createDataFrame(rows, silver.WATCHLIST.schema))
    return watchlist_frame(lakehouse.read(silver.WATCHLIST))


def test_screen_gives_the_nightly_steps_scores_for_the_same_name_dob_and_country(spark, lakehouse):
    cfg = AppConfig().screening
    entries = _watchlist(spark, lakehouse)
    customer = spark.createDataFrame(
        [("C1", "Ivan Sidorov", "Ivan", "Sidorov", date(1961, 5, 17), "RU", "RU", "retail", "h1")],
        "customer_id string, full_name string, given_name string, family_name string, dob date, "
        "nationality string, residence_country string, segment string, record_hash string",
    )
    low = cfg.model_copy(update={"threshold": 0.0})  # every scored pair, as the search shows
    nightly = screen_names(
        with_customer_hash(customer), with_entry_hash(lakehouse.read(silver.WATCHLIST)), low
    ).hits
    expected = {
        r.entry_id: (r.name_score, r.dob_score, r.country_score, r.score) for r in nightly.collect()
    }

    found = search_name(
        spark, entries, Query("Ivan Sidorov", "1961-05-17", "RU"), low, min_score=0.0
    )

    got = {
        r.entry_id: (r.name_score, r.dob_score, r.country_score, r.score)
        for r in found.itertuples()
        if not r.contains or r.entry_id in expected
    }
    assert "E4" in expected and got == expected
    e4 = found.set_index("entry_id").loc["E4"]
    assert (e4["dob_score"], e4["country_score"], bool(e4["hit"])) == (1.0, 1.0, True)


def test_short_partial_query_returns_every_list_name_holding_its_tokens(spark, lakehouse):
    entries = _watchlist(spark, lakehouse)

    found = search_name(spark, entries, Query("bin Laden"), AppConfig().screening)

    contains = found[found["contains"]]
    assert sorted(contains["entry_id"]) == ["E1", "E2", "E3", "E5"]
    assert contains.set_index("entry_id").loc["E1", "matched_name"] == "Osama bin Laden"
    assert "E6" not in set(contains["entry_id"])


def test_list_filter_and_a_name_without_letters(spark, lakehouse):
    _watchlist(spark, lakehouse)
    only = watchlist_frame(lakehouse.read(silver.WATCHLIST), ["internal-block"])
    assert list(only["entry_id"]) == ["E4"]
    with pytest.raises(SearchError, match="nothing to screen"):
        search_name(spark, only, Query("-- !!"), AppConfig().screening)


def _hit(hit_id, as_of, customer="C1", entry="E4", score=0.95):
    row = dict.fromkeys(gold.SCREENING_HITS.schema.fieldNames())
    row.update(
        as_of=as_of,
        hit_id=hit_id,
        customer_id=customer,
        match_type="name",
        subject="Ivan Sidorov",
        entry_id=entry,
        list_name="INTERNAL-BLOCK",
        list_version="v1",
        entity_type="person",
        matched_list_name="Ivan Petrovich Sidorov",
        name_score=0.93,
        dob_score=1.0,
        country_score=1.0,
        score=score,
        threshold=0.88,
        components="{}",
        status="open",
        customer_hash="ch1",
        entry_hash="eh1",
    )
    return tuple(row[n] for n in gold.SCREENING_HITS.schema.fieldNames())


def test_hits_list_and_decide_record_the_decision_and_a_ledger_run(spark, lakehouse):
    a, b = "ab" * 32, "cd" * 32
    hits = [
        _hit(a, date(2025, 1, 1)),
        _hit(a, date(2025, 1, 2)),
        _hit(b, date(2025, 1, 2), "C2", score=0.9),
    ]
    lakehouse.overwrite(
        gold.SCREENING_HITS, spark.createDataFrame(hits, gold.SCREENING_HITS.schema)
    )

    listed = hits_of(lakehouse, date(2025, 1, 2))
    assert list(zip(listed["hit_id"], listed["score"], strict=True)) == [(a, 0.95), (b, 0.9)]

    result = decide_hit(
        lakehouse, AppConfig(), a[:12], "false_positive", "other person, DOB differs", "ann"
    )

    assert (result["hit_id"], result["as_of"], result["decision"]) == (
        a,
        "2025-01-02",
        "false_positive",
    )
    d = lakehouse.read(SCREENING_DECISIONS).collect()
    assert [
        (r.customer_id, r.entry_id, r.decision, r.customer_hash, r.entry_hash, r.analyst, r.reason)
        for r in d
    ] == [("C1", "E4", "false_positive", "ch1", "eh1", "ann", "other person, DOB differs")]
    runs = lakehouse.read(ops.RUNS).where(f"run_id = '{result['run_id']}'").collect()
    assert sorted((r.job, r.step, r.status, r.as_of) for r in runs) == [
        ("screening-decision", "*", "succeeded", date(2025, 1, 2)),
        ("screening-decision", f"false_positive:{a[:16]}", "succeeded", date(2025, 1, 2)),
    ]
    step = next(r for r in runs if r.step != "*")
    assert step.row_counts == {"decisions": 1}
    assert step.output_versions == {
        "gold.screening_decisions": lakehouse.version(SCREENING_DECISIONS)
    }


def test_decide_rejects_unknown_ambiguous_short_ids_and_a_blank_reason(spark, lakehouse):
    one, two = "abababab" + "1" * 56, "abababab" + "2" * 56
    hits = [_hit(one, date(2025, 1, 1)), _hit(two, date(2025, 1, 1), "C2")]
    lakehouse.overwrite(
        gold.SCREENING_HITS, spark.createDataFrame(hits, gold.SCREENING_HITS.schema)
    )
    cfg = AppConfig()
    with pytest.raises(ReviewError, match="no screening hit with id ffffffff"):
        decide_hit(lakehouse, cfg, "ffffffff", "false_positive", "x", "ann")
    with pytest.raises(ReviewError, match="ambiguous: it starts 2 hit ids"):
        decide_hit(lakehouse, cfg, "abababab", "false_positive", "x", "ann")
    with pytest.raises(ReviewError, match="expected 8 to 64 hex digits"):
        decide_hit(lakehouse, cfg, "abab", "false_positive", "x", "ann")
    with pytest.raises(ReviewError, match="needs a reason"):
        decide_hit(lakehouse, cfg, one, "false_positive", " ", "ann")
    assert not lakehouse.exists(SCREENING_DECISIONS)


def test_the_analysis_cache_is_keyed_by_every_name_analysis_module(tmp_path, monkeypatch):
    import fcc.screening._search as search
    from fcc.screening._match import key_params

    monkeypatch.setenv("FCC_CACHE_DIR", str(tmp_path))
    params = key_params(AppConfig().screening)
    before = search._cache_file(params)
    import fcc.screening._translit as translit

    changed = tmp_path / "_translit.py"
    source = Path(translit.__file__).read_text(encoding="utf-8")
    changed.write_text(source + "\n# another reading\n", encoding="utf-8")
    monkeypatch.setattr(translit, "__file__", str(changed))
    after = search._cache_file(params)
    assert before.parent == after.parent == tmp_path
    assert before != after
