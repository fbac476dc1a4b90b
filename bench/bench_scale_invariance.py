"""Benchmark: detection at several money scales and densities of the same generated world.

For each (amount scale, background density) the generator writes the same customers and the
same planted typologies (one seed), every amount times the scale except those the absolute
reporting threshold defines; density multiplies the everyday background. The chain's detection
steps (ingest, graph, features, typologies) then run night by night over the last `--nights`,
and the rule hits of that window are scored against the planted truth per typology. With
`--full`, the whole nightly chain runs instead, and the alerts and the model (when one is
trained) are scored beside the hits by `fcc validate`'s own code. With `--model`, the GBT model
is trained on the window's nightly features (one snapshot per night) and its customer-level
metrics on the test split are given beside all rules' on the same customers.

    PYTHONPATH=libs .venv/bin/python bench/bench_scale_invariance.py \\
        --customers 1000 --days 45 --nights 7 --variant 1:1 --variant 0.01:1 --variant 100:1
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
DETECTION_STEPS = ("ingest", "graph", "features", "typologies")


def _variant(text: str) -> tuple[float, float]:
    scale, _, density = text.partition(":")
    return float(scale), float(density or 1.0)


def run_variant(spark, args, scale: float, density: float, root: Path) -> dict:
    """Generate one variant, run its nights and score them; the result as a JSON-ready dict."""
    from fcc.core.config import load_config
    from fcc.core.lakehouse import Lakehouse
    from fcc.governance.validate import typology_hit_table, validate
    from fcc.pipeline import backfill
    from fcc.synth import generate

    if root.exists():
        shutil.rmtree(root)
    cfg = load_config(env="local", overrides=[f"lakehouse={root}", *args.set])
    synth = cfg.synth.model_copy(update={"amount_scale": scale, "background_density": density})
    end = date.fromisoformat(args.end_date)
    start = end - timedelta(days=args.nights - 1)
    t0 = time.monotonic()
    generate(spark, str(root), args.customers, args.days, args.seed, end, synth)
    t_gen = time.monotonic() - t0
    lakehouse = Lakehouse(spark, str(root))
    t0 = time.monotonic()
    steps = ("nightly",) if args.full else DETECTION_STEPS
    backfill(spark, lakehouse, cfg, start, end, steps=steps)
    t_nights = time.monotonic() - t0
    hits = typology_hit_table(lakehouse, cfg, start, end)
    out = {
        "amount_scale": scale,
        "background_density": density,
        "generate_seconds": round(t_gen, 1),
        "nights_seconds": round(t_nights, 1),
        "hits": _records(hits),
    }
    if args.full:
        out["alerts"] = _records(validate(spark, lakehouse, cfg, end, write=False).table)
    if args.model:
        out["model"] = model_beside_rules(spark, lakehouse, cfg, end, args.nights)
    return out


def model_beside_rules(spark, lakehouse, cfg, end: date, nights: int) -> dict:
    """Train the GBT model on the nights' features; its test-split metrics beside all rules'."""
    from fcc.governance import ModelError, train_model

    m = cfg.monitoring.model.model_copy(update={"snapshot_every_days": 1, "history_days": nights})
    cfg = cfg.model_copy(update={"monitoring": cfg.monitoring.model_copy(update={"model": m})})
    try:
        trained = train_model(spark, lakehouse, cfg, end)
    except ModelError as exc:
        return {"error": str(exc)}
    return {
        "split": trained.split_method,
        "metrics": trained.metrics,
        "comparison": _records(trained.comparison),
        "by_typology": json.loads(trained.by_typology.to_json(orient="records")),
    }


def _records(table: pd.DataFrame) -> list[dict]:
    cols = ["scope", "subject", "customers", "tp", "fp", "fn", "precision", "recall"]
    table = table[[c for c in cols if c in table.columns]]
    return json.loads(table.to_json(orient="records"))


def side_by_side(results: list[dict], key: str = "hits") -> pd.DataFrame:
    """Per typology: precision and recall of every variant in columns."""
    frames = []
    for r in results:
        t = pd.DataFrame(r[key])
        t = t[t["scope"].isin(["typology", "overall", "model"])]
        label = f"x{r['amount_scale']:g}/d{r['background_density']:g}"
        frames.append(
            t.set_index("subject")[["tp", "fp", "fn", "precision", "recall"]].add_prefix(
                f"{label} "
            )
        )
    return pd.concat(frames, axis=1)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--customers", type=int, default=1000)
    p.add_argument("--days", type=int, default=45)
    p.add_argument("--nights", type=int, default=7, help="last nights run and scored")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--end-date", default="2026-11-27")
    p.add_argument(
        "--variant",
        action="append",
        type=_variant,
        help="SCALE:DENSITY (repeatable; default 1:1, 0.01:1, 100:1)",
    )
    p.add_argument("--full", action="store_true", help="run the whole nightly chain per night")
    p.add_argument("--model", action="store_true", help="train and score the GBT model too")
    p.add_argument("--work", default="/tmp/fcc-bench-scale", help="scratch lakehouses")
    p.add_argument("--set", action="append", default=[], help="config override KEY=VALUE")
    p.add_argument("--out", default=str(HERE / "results" / "scale_invariance.json"))
    args = p.parse_args(argv)
    variants = args.variant or [(1.0, 1.0), (0.01, 1.0), (100.0, 1.0)]

    from fcc.core.config import load_config
    from fcc.core.spark import session_for

    spark = session_for(load_config(env="local"), app_name="bench-scale-invariance")
    results = []
    for scale, density in variants:
        root = Path(args.work) / f"x{scale:g}-d{density:g}"
        results.append(run_variant(spark, args, scale, density, root))
        print(json.dumps({k: v for k, v in results[-1].items() if k.endswith("seconds")}))
    doc = {
        "benchmark": "scale_invariance",
        "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": list(os.getloadavg()),
        "customers": args.customers,
        "days": args.days,
        "nights": args.nights,
        "seed": args.seed,
        "full_chain": args.full,
        "variants": results,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    with pd.option_context("display.width", 250, "display.max_columns", 50):
        print(side_by_side(results).round(3).to_string())
        if args.full:
            print(side_by_side(results, "alerts").round(3).to_string())
        for r in results:
            model = r.get("model", {})
            if "by_typology" in model:
                label = f"x{r['amount_scale']:g}/d{r['background_density']:g}"
                print(f"{label} model on its test split, recall per typology beside the rules:")
                print(pd.DataFrame(model["by_typology"]).round(3).to_string(index=False))
                print(pd.DataFrame(model["comparison"]).round(3).to_string(index=False))
            elif model:
                print(model)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent / "libs"))
    sys.exit(main())
