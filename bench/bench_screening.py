"""Benchmark: screen N generated customers against the real OFAC SDN name set.

Reports wall time, candidate pairs scored per second, recall of planted list-name variants,
and the blocking recall loss against brute force on a customer sample. Results go to JSON.

    .venv/bin/python bench/bench_screening.py --customers 20000 --sample 200
    .venv/bin/python bench/bench_screening.py --customers 1000000 --sample 10000 --master 'local[*]'
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

from rapidfuzz import fuzz, process

from fcc.core.settings.screening import ScreeningSettings
from fcc.screening._match import key_params, score_params, screen_names
from fcc.screening._names import analyse_name, single_token_keys
from fcc.screening._run import with_entry_hash
from fcc.screening._score import score_names

SDN = (
    Path(__file__).resolve().parents[2]
    / "shared/data/sanctions/ofac_sdn_advanced_2025-11-19.xml.bz2"
)

# Background population: common given and family names of several cultures.
GIVEN = (
    "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Maria Jose Juan Carmen Ana Luis Carlos "
    "Ahmed Fatima Ali Aisha Omar Hassan Layla Yusuf Wei Li Ming Hui Hiroshi Yuki Kenji "
    "Sakura Olga Ivan Sergei Natalia Dmitri Anna Pierre Sophie Lukas Lena Giulia Marco "
    "Priya Rahul Amit Sunita Chinedu Ngozi Kwame Ama Mehmet Ayse Nikos Eleni Jan Piotr"
).split()
FAMILY = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White "
    "Khan Ahmed Hussain Rahman Haddad Nasser Wang Zhang Liu Chen Yang Tanaka Suzuki Sato "
    "Ivanov Smirnova Kuznetsov Popov Dubois Laurent Muller Schmidt Schneider Rossi Russo "
    "Sharma Patel Singh Gupta Okafor Adeyemi Mensah Boateng Yilmaz Kaya Papadopoulos "
    "Nowak Kowalski Novak Jensen Hansen Nielsen Silva Santos Costa Pereira"
).split()


def _perturb(rng: random.Random, name: str) -> str:
    """A planted variant: reorder, drop a middle part, or one typo."""
    parts = name.replace(",", " ").split()
    kind = rng.choice(["reorder", "drop", "typo", "same"])
    if kind == "reorder" and len(parts) > 1:
        parts = parts[1:] + parts[:1]
    elif kind == "drop" and len(parts) > 2:
        del parts[rng.randrange(1, len(parts) - 1)]
    elif kind == "typo":
        i = max(range(len(parts)), key=lambda k: len(parts[k]))
        p = parts[i]
        if len(p) > 4:
            j = rng.randrange(1, len(p) - 1)
            parts[i] = p[:j] + p[j + 1] + p[j] + p[j + 2 :]
    return " ".join(parts).title()


def _customers(n: int, rows: list[dict], plant_rate: float, seed: int) -> tuple[list[tuple], dict]:
    rng = random.Random(seed)
    persons = [r for r in rows if r["entity_type"] == "person" and r["names"]]
    out, planted = [], {}
    for i in range(n):
        cid = f"C{i:07d}"
        if rng.random() < plant_rate:
            entry = rng.choice(persons)
            name = _perturb(rng, rng.choice(entry["names"])["name"])
            planted[cid] = entry["entry_id"]
        else:
            name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
        dob = date(rng.randint(1940, 2004), rng.randint(1, 12), rng.randint(1, 28))
        if cid in planted:  # the listed person: their listed full DOB, else unknown
            full = [d for e in persons if e["entry_id"] == planted[cid] for d in e["dobs"]]
            full = [d for d in full if len(d) == 10]
            dob = date.fromisoformat(full[0]) if full else None
        given, _, family = name.partition(" ")
        out.append((cid, name, given, family, dob, None, None, "retail", f"h{i}"))
    return out, planted


def _blocking_recall(sample: list[tuple], names: list, index: dict, cfg: ScreeningSettings) -> dict:
    """Brute force (every list name, pre-filtered by rapidfuzz cdist) vs blocked candidates."""
    kp, sp = key_params(cfg), score_params(cfg)
    list_texts = [" ".join(a.tokens) for _, _, a in names]
    found_brute, found_blocked = 0, 0
    start = time.monotonic()
    analysed = [analyse_name(c[1], "person", kp) for c in sample]
    matrix = process.cdist(
        [" ".join(a.tokens) for a in analysed],
        list_texts,
        scorer=fuzz.token_set_ratio,
        score_cutoff=60,
        workers=-1,
    )
    for row, a in enumerate(analysed):
        blocked = {i for k in a.keys + single_token_keys(a.tokens, kp) for i in index.get(k, ())}
        for i in matrix[row].nonzero()[0]:
            b = names[i][2]
            s = score_names(list(a.tokens), list(b.tokens), list(a.symbols), list(b.symbols), sp)
            if s.name_score >= cfg.threshold:
                found_brute += 1
                found_blocked += i in blocked
    return {
        "sample_customers": len(sample),
        "brute_force_pairs_at_threshold": found_brute,
        "of_which_blocked": found_blocked,
        "blocking_recall_loss": round(1 - found_blocked / found_brute, 4) if found_brute else 0.0,
        "seconds": round(time.monotonic() - start, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--sample", type=int, default=200, help="customers in the brute-force sample")
    ap.add_argument("--plant-rate", type=float, default=0.002, help="share of planted variants")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--sdn", type=Path, default=SDN)
    ap.add_argument("--out", type=Path, default=Path("bench/results/screening.json"))
    args = ap.parse_args()

    from pyspark.sql import types as T

    from fcc.core.spark import build_spark
    from fcc.core.tables.bronze import WATCHLIST_FIELDS
    from fcc.ingest.lists.ofac_advanced import parse

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers import fcc
    cfg = ScreeningSettings()
    t0 = time.monotonic()
    rows = parse(args.sdn).rows
    n_names = sum(len(r["names"]) for r in rows)
    customers, planted = _customers(args.customers, rows, args.plant_rate, args.seed)
    spark = build_spark(
        "bench-screening",
        master=args.master,
        conf={
            "spark.sql.shuffle.partitions": str(args.partitions),
            "spark.ui.enabled": "false",
            "spark.driver.memory": "4g",
        },
    )
    schema = (
        "customer_id string, full_name string, given_name string, family_name string, "
        "dob date, nationality string, residence_country string, segment string, "
        "record_hash string"
    )
    cust_df = spark.createDataFrame(customers, schema).repartition(args.partitions)
    fields = [f for f in rows[0] if f != "loaded_at"]
    entries = spark.createDataFrame(
        [tuple(r[f] for f in fields) for r in rows], T.StructType(list(WATCHLIST_FIELDS))
    )
    entries = with_entry_hash(entries).persist()
    entries.count()
    setup = time.monotonic() - t0

    t1 = time.monotonic()
    pairs, hits, cached, _ = screen_names(cust_df, entries, cfg)
    n_pairs = pairs.count()
    t_block = time.monotonic() - t1
    t2 = time.monotonic()
    hit_rows = hits.select("customer_id", "entry_id").collect()
    t_score = time.monotonic() - t2
    found = {(r.customer_id, r.entry_id) for r in hit_rows}
    recalled = sum((c, e) in found for c, e in planted.items())
    hit_customers = {r.customer_id for r in hit_rows}
    background_hits = len(hit_customers - set(planted))
    for df in cached:
        df.unpersist()
    spark.stop()

    kp = key_params(cfg)
    names, index = [], collections.defaultdict(list)
    for r in rows:
        for n in r["names"]:
            a = analyse_name(n["name"], r["entity_type"], kp)
            for k in a.keys:
                index[k].append(len(names))
            names.append((r["entry_id"], n["name"], a))
    rng = random.Random(args.seed)
    planted_rows = [c for c in customers if c[0] in planted]
    sample = rng.sample(customers, min(args.sample, len(customers))) + planted_rows
    recall = _blocking_recall(sample, names, index, cfg)

    result = {
        "customers": args.customers,
        "list_names": n_names,
        "list_entries": len(rows),
        "master": args.master,
        "seed": args.seed,
        "plant_rate": args.plant_rate,
        "planted_dob": "listed full DOB, else unknown",
        "setup_seconds": round(setup, 1),
        "blocking_seconds": round(t_block, 1),
        "scoring_seconds": round(t_score, 1),
        "total_screening_seconds": round(t_block + t_score, 1),
        "candidate_pairs": n_pairs,
        "pairs_per_customer": round(n_pairs / args.customers, 2),
        "pairs_scored_per_second": round(n_pairs / t_score) if t_score else None,
        "planted_variants": len(planted),
        "planted_recalled": recalled,
        "planted_recall": round(recalled / len(planted), 4) if planted else None,
        "background_customers_hit": background_hits,
        "background_hit_rate": round(background_hits / (args.customers - len(planted)), 5),
        "blocking": recall,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
