"""Benchmark: screen N generated customers against the real OFAC SDN and UN name sets.

The customers are written to a Delta table first (setup), and the step reads them from it as
the nightly reads silver.customers. Reports the time to analyse the list names (what a night
after a list change adds; the nightly keeps them in silver.watchlist_name_analysis), the
screening step's wall time with the list names analysed (blocking and scoring each distinct
name, in one action as the nightly runs it), the distinct names and name pairs it scored, the
candidate pairs per customer, recall of planted list-name variants, and two comparisons with
brute force:
- speed: rapidfuzz scoring every (customer, list name) pair on all cores, timed on the first
  `--brute-sample` customers and scaled to all of them (its cost is linear in customers); and
  the same brute force over each distinct customer name once;
- blocking loss: on a sample of random and planted customers, every list name is scored with the
  product's own scorer, and the pairs at or above the threshold missing from the step's
  candidate pairs are counted (target: at most 0.5%).
The background population is common given and family names (few distinct names), or with
`--diverse` one or two given names and a common or invented surname (most names distinct).
Results go to JSON, with the machine's load.

    PYTHONPATH=libs .venv/bin/python bench/bench_screening.py --customers 20000
    PYTHONPATH=libs .venv/bin/python bench/bench_screening.py --customers 1000000 \\
        --plant-rate 0.001 --out bench/results/screening_1000000.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from normality import ascii_text
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _lists import load_entries  # noqa: E402
from bench_blocking_loss import Prefilter  # noqa: E402

from fcc.core.settings.screening import ScreeningSettings  # noqa: E402
from fcc.screening._index import NameIndex, best_scores  # noqa: E402
from fcc.screening._match import (  # noqa: E402
    analysed_list_names,
    key_params,
    list_names,
    screen_names,
    to_name_analysis_rows,
)
from fcc.screening._names import analyse_readings, analysis_fingerprint  # noqa: E402
from fcc.screening._run import with_entry_hash  # noqa: E402

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


# Syllables of invented surnames for the diverse population (--diverse)
SYLLABLES = (
    "ka ro mi ten sa vel lo na ri dan be to gar ni sel mo ha ju ven ta li mar "
    "do ra ko sen vi ga len tu pe rin ba lu mo fer ci hal zan po del wa kin"
).split()


def _diverse_name(rng: random.Random) -> str:
    """A background name that rarely repeats: one or two given names and a common or an
    invented (two or three syllable) surname."""
    given = [rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))]
    if rng.random() < 0.5:
        family = rng.choice(FAMILY)
    else:
        family = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3)))).title()
    return " ".join([*given, family])


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


def _customers(
    n: int, rows: list[dict], plant_rate: float, seed: int, diverse: bool = False
) -> tuple[list[tuple], dict]:
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
            name = _diverse_name(rng) if diverse else f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
        dob = date(rng.randint(1940, 2004), rng.randint(1, 12), rng.randint(1, 28))
        if cid in planted:  # the listed person: their listed full DOB, else unknown
            full = [d for e in persons if e["entry_id"] == planted[cid] for d in e["dobs"]]
            full = [d for d in full if len(d) == 10]
            dob = date.fromisoformat(full[0]) if full else None
        given, _, family = name.rpartition(" ")
        out.append((cid, name, given, family, dob, None, None, "retail", f"h{i}"))
    return out, planted


def _brute_force_seconds(names: list[str], list_texts: list[str], chunk: int = 2_000) -> float:
    """Seconds rapidfuzz takes to score every (customer, list name) pair of `names`.

    The naive route the step is compared with: Jaro-Winkler over ASCII-folded lower-case full
    names, all list names for every customer, on every core (`workers=-1`), in chunks so the
    score matrix fits in memory."""
    folded = [ascii_text(n).lower() for n in names]
    started = time.monotonic()
    for i in range(0, len(folded), chunk):
        process.cdist(
            folded[i : i + chunk],
            list_texts,
            scorer=JaroWinkler.normalized_similarity,
            score_cutoff=0.9,
            dtype="float32",
            workers=-1,
        )
    return time.monotonic() - started


def _blocking_loss(
    sample: list[tuple], blocked: set[tuple[str, str]], entries: list[dict], cfg: ScreeningSettings
) -> dict:
    """Brute force with the product's own scorer on a customer sample, against the step's pairs.

    Every list name the exact pre-filter of bench_blocking_loss.py keeps is scored (a name it
    drops scores 0); a (customer, entry) pair at or above the threshold that the step's
    candidate pairs lack is lost to blocking."""
    started = time.monotonic()
    index = NameIndex.build(entries, cfg)
    pre = Prefilter(index, cfg.name.token_min)
    brute: set[tuple[str, str]] = set()
    for c in sample:
        readings = analyse_readings(c[1], "person")
        for i in pre(readings) if readings else ():
            if best_scores(readings, index.names[i].readings, cfg).name_score >= cfg.threshold:
                brute.add((c[0], index.names[i].entry_id))
    lost = sorted(brute - blocked)
    return {
        "sample_customers": len(sample),
        "brute_force_pairs_at_threshold": len(brute),
        "of_which_blocked": len(brute) - len(lost),
        "blocking_loss": round(len(lost) / len(brute), 4) if brute else 0.0,
        "lost": [list(p) for p in lost[:50]],
        "seconds": round(time.monotonic() - started, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--sample", type=int, default=200, help="random customers in the loss sample")
    ap.add_argument("--planted-sample", type=int, default=200, help="planted ones added to it")
    ap.add_argument("--brute-sample", type=int, default=20_000, help="customers brute force times")
    ap.add_argument("--plant-rate", type=float, default=0.002, help="share of planted variants")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--driver-memory", default="8g")
    ap.add_argument(
        "--diverse", action="store_true", help="background names that rarely repeat (see above)"
    )
    ap.add_argument("--out", type=Path, default=Path("bench/results/screening.json"))
    args = ap.parse_args()

    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from fcc.core.config import load_config
    from fcc.core.spark import build_spark
    from fcc.core.tables.bronze import WATCHLIST_FIELDS

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers import fcc
    cfg = ScreeningSettings()
    kp = key_params(cfg)
    fingerprint = analysis_fingerprint(kp)
    load_start = os.getloadavg()
    t0 = time.monotonic()
    rows = load_entries()
    n_names = sum(len(r["names"]) for r in rows)
    customers, planted = _customers(args.customers, rows, args.plant_rate, args.seed, args.diverse)
    rng = random.Random(args.seed)
    planted_rows = [c for c in customers if c[0] in planted]
    sample = rng.sample(customers, min(args.sample, len(customers))) + rng.sample(
        planted_rows, min(args.planted_sample, len(planted_rows))
    )
    # the session the nightly builds (conf/ with the laptop overlay), at the given partitions
    spark_conf = {
        **load_config(env="local").spark.conf,
        "spark.sql.shuffle.partitions": str(args.partitions),
        "spark.ui.enabled": "false",
        "spark.driver.memory": args.driver_memory,
    }
    spark = build_spark("bench-screening", master=args.master, conf=spark_conf)
    schema = (
        "customer_id string, full_name string, given_name string, family_name string, "
        "dob date, nationality string, residence_country string, segment string, "
        "record_hash string"
    )
    # the customers are read from a Delta table, as the nightly reads silver.customers
    silver_customers = tempfile.mkdtemp(prefix="bench-screening-customers-")
    spark.createDataFrame(customers, schema).repartition(args.partitions).write.format(
        "delta"
    ).mode("overwrite").save(silver_customers)
    cust_df = spark.read.format("delta").load(silver_customers)
    fields = [f.name for f in WATCHLIST_FIELDS if f.name != "loaded_at"]
    entries = spark.createDataFrame(
        [tuple(r.get(f) for f in fields) for r in rows],
        T.StructType([f for f in WATCHLIST_FIELDS if f.name != "loaded_at"]),
    )
    entries = with_entry_hash(entries).persist()
    entries.count()
    setup = time.monotonic() - t0

    # the list names analysed as a night stores them (silver.watchlist_name_analysis): timed
    # apart, the cost of a night after a list change; the step then reuses them
    t_list = time.monotonic()
    known = to_name_analysis_rows(
        analysed_list_names(list_names(entries), None, kp, fingerprint), fingerprint
    ).persist()
    n_list_analysed = known.count()
    list_s = time.monotonic() - t_list

    # the step as the nightly runs it: one action over the hits (blocking and scoring in one
    # plan); the name pairs are counted while they are computed
    t1 = time.monotonic()
    pairs, hits, cached, pair_count, *_ = screen_names(cust_df, entries, cfg, known)
    hit_rows = hits.where(F.col("status") != "error").select("customer_id", "entry_id").collect()
    step_s = time.monotonic() - t1
    n_name_pairs = pair_count.get()["n"]
    # outside the timing: the same pairs per customer, and the distinct names screened
    n_pairs = pairs.count()
    n_distinct = cached[1].count()
    sample_ids = spark.createDataFrame([(c[0],) for c in sample], "customer_id string")
    blocked = {
        (r.customer_id, r.entry_id)
        for r in pairs.join(F.broadcast(sample_ids), "customer_id")
        .select("customer_id", "entry_id")
        .distinct()
        .collect()
    }
    load_spark = os.getloadavg()
    found = {(r.customer_id, r.entry_id) for r in hit_rows}
    recalled = sum((c, e) in found for c, e in planted.items())
    hit_customers = {r.customer_id for r in hit_rows}
    background_hits = len(hit_customers - set(planted))
    for df in cached:
        df.unpersist()
    spark.stop()
    shutil.rmtree(silver_customers, ignore_errors=True)

    list_texts = [ascii_text(n["name"]).lower() for r in rows for n in r["names"]]
    brute_n = min(args.brute_sample, len(customers))
    brute_s = _brute_force_seconds([c[1] for c in customers[:brute_n]], list_texts)
    brute_total = brute_s * len(customers) / brute_n
    # the same brute force over each distinct customer name once (its cost is linear in names)
    brute_distinct = brute_s * n_distinct / brute_n
    loss = _blocking_loss(sample, blocked, rows, cfg)

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": {"start": load_start, "after_spark": load_spark, "end": os.getloadavg()},
        "cpu_count": os.cpu_count(),
        "customers": args.customers,
        "lists": "OFAC SDN (advanced XML) + UN consolidated",
        "list_names": n_names,
        "list_entries": len(rows),
        "master": args.master,
        "spark_conf": spark_conf,
        "seed": args.seed,
        "plant_rate": args.plant_rate,
        "planted_dob": "listed full DOB, else unknown",
        "setup_seconds": round(setup, 1),
        "background_names": "diverse" if args.diverse else "common given x family",
        "distinct_subject_names": n_distinct,
        "list_names_analysed": n_list_analysed,
        "list_analysis_seconds": round(list_s, 1),
        "total_screening_seconds": round(step_s, 1),
        "total_screening_seconds_with_list_analysis": round(step_s + list_s, 1),
        "name_pairs_scored": n_name_pairs,
        "name_pairs_scored_per_second": round(n_name_pairs / step_s) if step_s else None,
        "candidate_pairs": n_pairs,
        "pairs_per_customer": round(n_pairs / args.customers, 2),
        "planted_variants": len(planted),
        "planted_recalled": recalled,
        "planted_recall": round(recalled / len(planted), 4) if planted else None,
        "background_customers_hit": background_hits,
        "background_hit_rate": round(background_hits / (args.customers - len(planted)), 5),
        "brute_force": {
            "route": "rapidfuzz cdist, Jaro-Winkler >= 0.9 on ASCII-folded lower-case full names",
            "customers_timed": brute_n,
            "seconds_timed": round(brute_s, 1),
            "pairs_per_second": round(brute_n * len(list_texts) / brute_s),
            "seconds_for_all_customers": round(brute_total, 1),
            "extrapolated": brute_n < len(customers),
        },
        "speed_ratio_brute_force_over_step": round(brute_total / step_s, 2),
        "speed_ratio_brute_force_over_step_with_list_analysis": round(
            brute_total / (step_s + list_s), 2
        ),
        "brute_force_over_distinct_names_seconds": round(brute_distinct, 1),
        "speed_ratio_distinct_brute_force_over_step": round(brute_distinct / step_s, 2),
        "blocking": loss,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "blocking"}, indent=2))
    print(json.dumps({k: v for k, v in loss.items() if k != "lost"}, indent=2))


if __name__ == "__main__":
    main()
