"""Benchmark of `fcc import` on an AMLworld-format transactions CSV.

    python bench/bench_import.py                  # 1,000,000 rows
    python bench/bench_import.py --rows 200000

Writes a synthetic CSV in the AMLworld column layout (duplicate "Account" header, timestamps
like 2022/09/01 00:20, spelled-out currencies and payment formats, 0.1% malformed rows) with
Spark into a scratch folder, then times `import_file` with conf/mappings/amlworld_transactions.yaml
into a scratch lakehouse (bronze internal transfers + fiat legs, derived customers and
identifiers, FX rows, quarantine). Prints rows/s and writes a JSON record to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.spark import build_spark
from fcc.imports import import_file

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
MAPPING = ROOT / "conf" / "mappings" / "amlworld_transactions.yaml"
HEADER = (
    "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,"
    "Amount Paid,Payment Currency,Payment Format,Is Laundering"
)
CURRENCIES = ["US Dollar"] * 6 + ["Euro", "UK Pound", "Yuan", "Rupee", "Swiss Franc", "Bitcoin"]
FORMATS = ["Cheque", "ACH", "Credit Card", "Wire", "Cash", "Reinvestment"]


def _pick(values: list[str], r) -> F.Column:
    return F.element_at(
        F.array(*[F.lit(v) for v in values]), (F.floor(r * len(values)) + 1).cast("int")
    )


def _account(r: F.Column, accounts: int) -> F.Column:
    """AMLworld-like 9-character hex account number drawn from `accounts` values."""
    return F.upper(F.lpad(F.hex((F.floor(r * accounts) + 0x8000000).cast("long")), 9, "0"))


def write_csv(spark: SparkSession, rows: int, accounts: int, out: Path) -> Path:
    """One CSV file of `rows` AMLworld-format lines (0.1% malformed) at `out`/trans.csv."""
    i = F.col("id")
    r = [F.rand(seed) for seed in range(8)]
    bank_from = (F.floor(r[0] * 40) + 1).cast("int")
    same = r[1] < 0.3
    bank_to = F.when(same, bank_from).otherwise((F.floor(r[2] * 40) + 1).cast("int"))
    currency = _pick(CURRENCIES, r[3])
    fmt = F.when(currency == "Bitcoin", F.lit("Bitcoin")).otherwise(_pick(FORMATS, r[4]))
    amount = F.format_number(F.exp(r[5] * 10), 2)
    ts = F.date_format(
        F.timestamp_seconds(F.lit(1661990400) + (i * 864000 / rows).cast("long")),
        "yyyy/MM/dd HH:mm",
    )
    line = F.concat_ws(
        ",",
        ts,
        bank_from.cast("string"),
        _account(r[6], accounts),
        bank_to.cast("string"),
        _account(r[7], accounts),
        F.regexp_replace(amount, ",", ""),
        currency,
        F.regexp_replace(amount, ",", ""),
        currency,
        fmt,
        F.when(F.rand(9) < 0.001, "1").otherwise("0"),
    )
    line = F.when(i % 1000 == 999, F.concat(ts, F.lit(",1"))).otherwise(line)  # malformed
    tmp = out / "_parts"
    spark.range(rows).select(line.alias("value")).coalesce(1).write.mode("overwrite").text(str(tmp))
    part = next(tmp.glob("part-*"))
    target = out / "trans.csv"
    with target.open("w", encoding="utf-8") as dst, part.open(encoding="utf-8") as src:
        dst.write(HEADER + "\n")
        shutil.copyfileobj(src, dst, 1 << 20)
    shutil.rmtree(tmp)
    return target


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--accounts", type=int, default=100_000)
    p.add_argument("--master", default=os.environ.get("SPARK_MASTER", "local[*]"))
    p.add_argument("--driver-memory", default="2g")
    p.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = p.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="bench-import-"))
    spark = build_spark(
        app_name="bench-import",
        master=args.master,
        conf={
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": "8",
            "spark.driver.memory": args.driver_memory,
        },
        checkpoint_dir=str(scratch / "checkpoints"),
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        t0 = time.monotonic()
        csv = write_csv(spark, args.rows, args.accounts, scratch)
        gen_s = time.monotonic() - t0
        size_mb = csv.stat().st_size / 1e6
        lakehouse = Lakehouse(spark, str(scratch / "lakehouse"))
        t1 = time.monotonic()
        counts = import_file(spark, lakehouse, "fiat", str(csv), "csv", str(MAPPING), "bench")
        import_s = time.monotonic() - t1
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    result = {
        "benchmark": "import_amlworld_csv",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": args.rows,
        "accounts": args.accounts,
        "csv_mb": round(size_mb, 1),
        "generate_s": round(gen_s, 1),
        "import_s": round(import_s, 1),
        "rows_per_s": round(args.rows / import_s),
        "counts": counts,
        "master": args.master,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "spark": spark.version,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"import_amlworld_{args.rows}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    print(
        f"import: {args.rows:,} rows in {import_s:.1f}s = {args.rows / import_s:,.0f} rows/s -> {out}"
    )
    spark.stop()


if __name__ == "__main__":
    main()
