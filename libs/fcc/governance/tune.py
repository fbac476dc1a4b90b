"""Above/below-the-line tuning of a declarative rule: sweep its parameters over stored features.

The rule's expression is recompiled with each grid point through the typologies domain's
public `load_rules` (the same validation and parameter substitution the nightly step uses)
and evaluated over the gold.features history; the result is a proposal file, never an edit
of conf/.
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import gold_features
from fcc.governance._metrics import confusion_metrics
from fcc.governance._truth import load_instances, load_labels, windowed_truth

log = logging.getLogger(__name__)


class TuneError(ValueError):
    """Unknown rule, bad grid or no feature history (bad input)."""


@dataclass
class Tuning:
    """A parameter sweep of one rule and the setting it recommends."""

    rule_id: str
    rule_file: str
    window: tuple[date, date]
    points: pd.DataFrame
    current: dict[str, Any]
    recommended: dict[str, Any]
    trade_off: str
    proposal: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        shown = self.points.copy()
        for c in ("precision", "recall", "typology_recall", "f1"):
            shown[c] = shown[c].map(lambda v: "-" if v is None or pd.isna(v) else f"{v:.3f}")
        return "\n\n".join(
            [
                f"Sweep of {self.rule_id} ({self.rule_file}) over gold.features {self.window[0]}..{self.window[1]}",
                shown.to_string(index=False),
                f"recommended: {self.recommended}",
                f"trade-off: {self.trade_off}",
            ]
        )


def _find_rule(cfg: AppConfig, rule_id: str) -> tuple[str, dict]:
    for file, content in sorted(cfg.typologies.rule_sets.items()):
        for raw in (content or {}).get("rules") or []:
            if isinstance(raw, dict) and raw.get("id") == rule_id:
                return file, raw
    known = sorted(
        r.get("id")
        for c in cfg.typologies.rule_sets.values()
        for r in (c or {}).get("rules") or []
        if isinstance(r, dict)
    )
    raise TuneError(
        f"rule {rule_id!r} is not a declarative rule of conf/typologies/*.yaml "
        f"(coded detectors are tuned through conf/typologies.yaml); known: {known}"
    )


def parse_grid(items: list[str]) -> dict[str, list]:
    """`PARAM=V1,V2,...` strings (numbers, or text) into a grid; raises TuneError on bad syntax."""
    grid: dict[str, list] = {}
    for item in items:
        name, sep, values = item.partition("=")
        if not sep or not name.strip() or not values.strip():
            raise TuneError(f"--grid {item!r}: expected PARAM=V1,V2,...")
        parsed = []
        for text in values.split(","):
            text = text.strip()
            try:
                parsed.append(int(text))
            except ValueError:
                try:
                    parsed.append(float(text))
                except ValueError:
                    parsed.append(text)
        grid[name.strip()] = parsed
    return grid


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def default_grid(params: dict[str, Any], multipliers: list[float]) -> dict[str, list]:
    """Each numeric parameter times the multipliers (integers rounded), current value included."""
    grid = {}
    for name, value in sorted(params.items()):
        if not _is_number(value):
            continue
        values = {value}
        for m in multipliers:
            v = value * m
            values.add(int(round(v)) if isinstance(value, int) else round(v, 10))
        grid[name] = sorted(values)
    return grid


def grid_points(
    params: dict[str, Any], grid: dict[str, list], max_points: int
) -> list[dict[str, Any]]:
    """Full cartesian grid, or one parameter at a time when that exceeds max_points; the
    current setting is always the first point."""
    unknown = sorted(set(grid) - set(params))
    if unknown:
        raise TuneError(
            f"grid names parameters the rule does not have: {unknown} (has {sorted(params)})"
        )
    names = sorted(grid)
    size = 1
    for n in names:
        size *= len(grid[n])
    if size <= max_points:
        combos = [
            dict(zip(names, vals, strict=True))
            for vals in itertools.product(*(grid[n] for n in names))
        ]
    else:
        combos = [{n: v} for n in names for v in grid[n]]
    points = [dict(params)]
    for c in combos:
        p = {**params, **c}
        if p not in points:
            points.append(p)
    return points


def _compile(
    file: str, raw: dict, params: dict[str, Any], cfg: AppConfig, columns: list[str]
) -> tuple[str, tuple]:
    from fcc.typologies import load_rules

    one = copy.deepcopy(raw)
    one["params"] = params
    one["enabled"] = True
    rule = load_rules({file: {"rules": [one]}}, cfg.typologies.segments, columns)[0]
    return rule.sql, rule.segments


def _recommend(points: pd.DataFrame, objective: str, max_recall_loss: float) -> int:
    cur = points.iloc[0]
    if objective == "f1":
        ranked = points.assign(_f1=pd.to_numeric(points["f1"]).fillna(-1.0)).sort_values(
            ["_f1", "customers", "changed"], ascending=[False, True, True], kind="stable"
        )
        return int(ranked.index[0])
    floor = (0.0 if pd.isna(cur["recall"]) else float(cur["recall"])) - max_recall_loss
    ok = points[pd.to_numeric(points["recall"]).fillna(0.0) >= floor - 1e-12]
    ranked = ok.assign(_p=pd.to_numeric(ok["precision"]).fillna(-1.0)).sort_values(
        ["customers", "_p", "hits", "changed"], ascending=[True, False, True, True], kind="stable"
    )
    return int(ranked.index[0])


def _fmt(v: Any) -> str:
    return "-" if v is None or pd.isna(v) else f"{v:.3f}"


def _trade_off(cur: pd.Series, rec: pd.Series) -> str:
    if rec.name == cur.name:
        return "keep the current setting: no grid point alerts fewer customers or hits at the same recall"
    d_alerts = int(rec["customers"]) - int(cur["customers"])
    pct = f" ({d_alerts / cur['customers']:+.0%})" if cur["customers"] else ""
    return (
        f"customers alerted {int(cur['customers'])} -> {int(rec['customers'])}{pct}, "
        f"hits {int(cur['hits'])} -> {int(rec['hits'])}; "
        f"precision {_fmt(cur['precision'])} -> {_fmt(rec['precision'])}, "
        f"recall {_fmt(cur['recall'])} -> {_fmt(rec['recall'])}; "
        f"true positives {int(cur['tp'])} -> {int(rec['tp'])} "
        f"({int(rec['tp']) - int(cur['tp']):+d}), false positives {int(cur['fp'])} -> {int(rec['fp'])} "
        f"({int(rec['fp']) - int(cur['fp']):+d})"
    )


def _write_proposal(out: str | Path, proposal: dict) -> Path:
    path = Path(out)
    if "conf" in path.resolve().parent.parts and path.suffix in (".yaml", ".yml"):
        raise TuneError(f"{path}: tune writes a proposal, never into conf/; choose another path")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix in (".yaml", ".yml"):
        path.write_text(yaml.safe_dump(proposal, sort_keys=False), encoding="utf-8")
    else:
        path.write_text(json.dumps(proposal, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def tune(
    spark: SparkSession,
    lakehouse: Lakehouse,
    cfg: AppConfig,
    rule_id: str,
    grid: dict[str, list] | None = None,
    out: str | Path | None = None,
    as_of: date | None = None,
    labels_table: str | None = None,
) -> Tuning:
    """Sweep a rule's parameters over the gold.features history ending on D (default: latest)."""
    t0 = time.monotonic()
    s = cfg.monitoring.tuning
    file, raw = _find_rule(cfg, rule_id)
    params = dict(raw.get("params") or {})
    grid = grid or default_grid(params, s.multipliers)
    if not grid:
        raise TuneError(f"rule {rule_id} has no numeric parameter to sweep; pass a grid")
    points = grid_points(params, grid, s.max_points)
    features = lakehouse.read(gold_features.FEATURES)
    end = as_of or features.agg(F.max("as_of")).first()[0]
    if end is None:
        raise TuneError("gold.features is empty: run the features step first")
    start = end - timedelta(days=s.lookback_days - 1)
    history = features.where((F.col("as_of") >= F.lit(start)) & (F.col("as_of") <= F.lit(end)))
    if history.limit(1).count() == 0:
        raise TuneError(f"gold.features has no rows in {start}..{end}: nothing to replay")
    flags = []
    for i, p in enumerate(points):
        sql, segments = _compile(file, raw, p, cfg, features.columns)
        cond = F.coalesce(F.expr(sql), F.lit(False))
        if segments:
            cond = cond & F.coalesce(F.col("segment").isin(*segments), F.lit(False))
        flags.append(F.sum(cond.cast("int")).alias(f"h{i}"))
    per_customer = history.groupBy("customer_id").agg(*flags)
    instances = None if labels_table else load_instances(lakehouse, cfg)
    truth = windowed_truth(load_labels(lakehouse, cfg, labels_table), instances, start, end)
    typology = raw.get("typology")
    scoped = truth.where("in_scope")
    tot = scoped.agg(
        F.count("*").alias("n"),
        F.sum(F.col("positive").cast("long")).alias("p"),
        F.sum((F.col("positive") & F.array_contains("typologies", typology)).cast("long")).alias(
            "pt"
        ),
    ).first()
    n, p_all, p_typ = int(tot["n"] or 0), int(tot["p"] or 0), int(tot["pt"] or 0)
    j = per_customer.join(truth, "customer_id", "left")
    labelled = F.coalesce(F.col("in_scope"), F.lit(False))
    pos = F.coalesce(F.col("positive"), F.lit(False))
    own = pos & F.coalesce(F.array_contains("typologies", typology), F.lit(False))
    aggs = []
    for i in range(len(points)):
        hit = F.col(f"h{i}") > 0
        aggs += [
            F.sum(f"h{i}").alias(f"hits{i}"),
            F.sum(hit.cast("long")).alias(f"cust{i}"),
            F.sum((hit & labelled & pos).cast("long")).alias(f"tp{i}"),
            F.sum((hit & labelled & ~pos).cast("long")).alias(f"fp{i}"),
            F.sum((hit & labelled & own).cast("long")).alias(f"tpt{i}"),
        ]
    agg = j.agg(*aggs).first()
    rows = []
    for i, p in enumerate(points):
        tp, fp = int(agg[f"tp{i}"] or 0), int(agg[f"fp{i}"] or 0)
        m = confusion_metrics(tp, fp, p_all - tp, (n - p_all) - fp)
        rows.append(
            {
                **{f"param:{k}": v for k, v in p.items() if k in grid},
                "hits": int(agg[f"hits{i}"] or 0),
                "customers": int(agg[f"cust{i}"] or 0),
                "tp": tp,
                "fp": fp,
                "precision": m["precision"],
                "recall": m["recall"],
                "typology_recall": (int(agg[f"tpt{i}"] or 0) / p_typ) if p_typ else None,
                "f1": m["f1"],
                "changed": sum(1 for k in p if p[k] != params[k]),
            }
        )
    table = pd.DataFrame(rows)
    cur = table.iloc[0]
    base = table.loc[0, "customers"]
    table["side"] = ["current"] + [
        "btl" if c > base else "atl" if c < base else "same" for c in table["customers"].iloc[1:]
    ]
    best = _recommend(table, s.objective, s.max_recall_loss)
    rec = table.loc[best]
    trade = _trade_off(cur, rec)
    version = str(raw.get("version", "1"))
    proposal = {
        "rule_id": rule_id,
        "rule_file": f"conf/typologies/{file}",
        "current_version": version,
        "proposed_version": str(int(version) + 1) if version.isdigit() else f"{version}.1",
        "as_of": end.isoformat(),
        "window": [start.isoformat(), end.isoformat()],
        "labels": labels_table or cfg.monitoring.validation.labels_table,
        "objective": s.objective,
        "current": {"params": params, "metrics": _point_metrics(cur)},
        "recommended": {"params": points[best], "metrics": _point_metrics(rec)},
        "trade_off": trade,
        "grid": [
            {**{"params": points[i]}, **_point_metrics(table.loc[i])} for i in range(len(points))
        ],
        "note": "A proposal only: conf/ is unchanged. To adopt it, edit the rule's params in the rule "
        "file, bump its version and record the approval.",
    }
    if out:
        _write_proposal(out, proposal)
    log.info(
        "tune %s: %d grid points over %s..%s in %.1fs",
        rule_id,
        len(points),
        start,
        end,
        time.monotonic() - t0,
    )
    return Tuning(
        rule_id,
        file,
        (start, end),
        table.drop(columns=["changed"]),
        params,
        points[best],
        trade,
        proposal,
    )


def _point_metrics(row: pd.Series) -> dict[str, Any]:
    out = {}
    for k in (
        "hits",
        "customers",
        "tp",
        "fp",
        "precision",
        "recall",
        "typology_recall",
        "f1",
        "side",
    ):
        v = row.get(k)
        out[k] = (
            None
            if v is None or (not isinstance(v, str) and pd.isna(v))
            else (
                v
                if isinstance(v, str)
                else (int(v) if k in ("hits", "customers", "tp", "fp") else float(v))
            )
        )
    return out
