"""Above/below-the-line tuning: sweep a rule's or a coded detector's parameters over history.

A declarative rule's expression is recompiled with each grid point through the typologies
domain's public `load_rules` (the same validation and parameter substitution the nightly step
uses) and evaluated over the gold.features history. A coded detector of conf/typologies.yaml
is replayed with each grid point's settings through the typologies domain's `detect_one` on
the nights of the window, over inputs read once. Both end in the same per-point metrics and
recommendation; the result is a proposal file and rows of ops.metrics (family "tuning"),
never an edit of conf/.
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml
from pydantic import ValidationError
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.settings.typologies import Detector
from fcc.core.spark import session_conf
from fcc.core.tables import gold_features, silver
from fcc.governance._metrics import confusion_metrics
from fcc.governance._truth import load_instances, load_labels, windowed_truth
from fcc.governance.validate import write_metrics

if TYPE_CHECKING:
    from fcc.typologies import DetectorInputs

log = logging.getLogger(__name__)

FAMILY = "tuning"
METRICS = ("hits", "customers", "tp", "fp", "precision", "recall", "typology_recall", "f1")
# detector settings a sweep never varies: they label hits or switch the detector, they do not
# decide which customers it finds
_NOT_SWEPT = ("version", "score", "severity", "enabled")


class TuneError(ValueError):
    """Unknown rule or detector, bad grid or no history to replay (bad input)."""


@dataclass
class Tuning:
    """A parameter sweep of one rule or detector and the setting it recommends."""

    subject: str  # "rule:<id>" or "detector:<name>"
    source: str  # where the setting lives in conf/
    replayed: str  # what was replayed, e.g. "gold.features 2026-01-01..2026-03-31"
    window: tuple[date, date]
    points: pd.DataFrame
    current: dict[str, Any]
    recommended: dict[str, Any]
    trade_off: str
    proposal: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        shown = self.points.copy()
        for c in ("precision", "recall", "typology_recall", "f1"):
            shown[c] = shown[c].map(_fmt)
        return "\n\n".join(
            [
                f"Sweep of {self.subject} ({self.source}) over {self.replayed}",
                shown.to_string(index=False),
                f"recommended: {self.recommended}",
                f"trade-off: {self.trade_off}",
                *(f"note: {n}" for n in self.notes),
            ]
        )


@dataclass
class _Sweep:
    """What a sweep varies and where its result goes, whatever it replays."""

    subject: str
    source: str
    ident: dict[str, str]  # how the proposal names the rule or detector
    version: str
    typologies: list[str]  # tags whose planted customers typology_recall counts
    params: dict[str, Any]  # current setting
    grid: dict[str, list]
    points: list[dict[str, Any]]  # grid points, the current setting first
    window: tuple[date, date]
    replayed: str
    adopt: str  # how to adopt a proposal
    notes: list[str] = field(default_factory=list)


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
    params: dict[str, Any],
    grid: dict[str, list],
    max_points: int,
    owner: str = "the rule's parameters",
) -> list[dict[str, Any]]:
    """Full cartesian grid, or one parameter at a time when that exceeds max_points; the
    current setting is always the first point."""
    unknown = sorted(set(grid) - set(params))
    if unknown:
        raise TuneError(
            f"grid names parameters not among {owner}: {unknown}; those are: {sorted(params)}"
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


# --- declarative rules over gold.features -------------------------------------------------


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
        f"(coded detectors: --detector NAME); known: {known}"
    )


def _compile(
    file: str, raw: dict, params: dict[str, Any], cfg: AppConfig, columns: list[str]
) -> tuple[str, tuple]:
    from fcc.typologies import load_rules

    one = copy.deepcopy(raw)
    one["params"] = params
    one["enabled"] = True
    rule = load_rules({file: {"rules": [one]}}, cfg.typologies.segments, columns)[0]
    return rule.sql, rule.segments


def _rule_hits(
    history: DataFrame, file: str, raw: dict, points: list[dict], cfg: AppConfig
) -> DataFrame:
    """point, customer_id, hits (days the rule holds) of every grid point over the history."""
    flags = []
    for i, p in enumerate(points):
        sql, segments = _compile(file, raw, p, cfg, history.columns)
        cond = F.coalesce(F.expr(sql), F.lit(False))
        if segments:
            cond = cond & F.coalesce(F.col("segment").isin(*segments), F.lit(False))
        flags.append(F.sum(cond.cast("int")).alias(f"h{i}"))
    per_customer = history.groupBy("customer_id").agg(*flags)
    pairs = F.array(
        *(
            F.struct(F.lit(i).alias("point"), F.col(f"h{i}").alias("hits"))
            for i in range(len(points))
        )
    )
    return (
        per_customer.select("customer_id", F.explode(pairs).alias("p"))
        .select(F.col("p.point").alias("point"), "customer_id", F.col("p.hits").alias("hits"))
        .where(F.col("hits") > 0)
    )


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
    sweep = _Sweep(
        subject=f"rule:{rule_id}",
        source=f"conf/typologies/{file}",
        ident={"rule_id": rule_id, "rule_file": f"conf/typologies/{file}"},
        version=str(raw.get("version", "1")),
        typologies=[raw.get("typology")],
        params=params,
        grid=grid,
        points=points,
        window=(start, end),
        replayed=f"gold.features {start}..{end}",
        adopt="edit the rule's params in the rule file, bump its version and record the approval",
    )
    hits = _rule_hits(history, file, raw, points, cfg)
    return _conclude(spark, lakehouse, cfg, sweep, hits, labels_table, out, t0)


# --- coded detectors replayed over silver.transactions -----------------------------------


def _find_detector(cfg: AppConfig, name: str) -> Detector:
    from fcc.typologies import DETECTORS

    if name not in DETECTORS:
        raise TuneError(
            f"{name!r} is not a coded detector of conf/typologies.yaml "
            f"(declarative rules: --rule ID); known: {', '.join(DETECTORS)}"
        )
    return getattr(cfg.typologies, name)


def detector_params(det: Detector) -> dict[str, Any]:
    """The settings a sweep may vary: numeric, and not the version, score or severity."""
    return {k: v for k, v in det.model_dump().items() if k not in _NOT_SWEPT and _is_number(v)}


def _settings_at(name: str, det: Detector, point: dict[str, Any]) -> Detector:
    """The detector's settings with a grid point applied, validated by its settings model."""
    try:
        return type(det).model_validate(det.model_copy(update=point).model_dump(warnings=False))
    except ValidationError as exc:
        err = exc.errors()[0]
        param = ".".join(str(x) for x in err["loc"])
        raise TuneError(
            f"grid value {param}={err.get('input')!r} is refused by "
            f"conf/typologies.yaml: {name}: {err['msg']}"
        ) from None


def _valid_default_grid(
    name: str, det: Detector, grid: dict[str, list]
) -> tuple[dict[str, list], list[str]]:
    """The default grid without the values the settings model refuses (e.g. a share above 1),
    and a note naming them."""
    kept: dict[str, list] = {}
    refused = []
    for param, values in grid.items():
        kept[param] = []
        for v in values:
            try:
                _settings_at(name, det, {param: v})
                kept[param].append(v)
            except TuneError:
                refused.append(f"{param}={v}")
    note = f"default grid values outside the settings' range left out: {', '.join(refused)}"
    return kept, [note] if refused else []


def detector_grid(
    cfg: AppConfig, name: str, grid: dict[str, list] | None = None
) -> tuple[dict[str, list], list[dict[str, Any]], list[Detector], list[str]]:
    """A detector's grid (default: `default_grid` of its numeric settings), its points, the
    validated settings of each point and notes; raises TuneError on a bad name or grid."""
    s = cfg.monitoring.tuning
    det = _find_detector(cfg, name)
    params = detector_params(det)
    notes = [] if det.enabled else [f"{name} is disabled in conf: swept as if it were enabled"]
    if not grid:
        grid, refused = _valid_default_grid(name, det, default_grid(params, s.multipliers))
        notes += refused
    points = grid_points(params, grid, s.max_points, f"detector {name}'s numeric settings")
    return grid, points, [_settings_at(name, det, p) for p in points], notes


def _nights(end: date, days: int, step: int) -> list[date]:
    """D, D-step, D-2*step ... within the `days` nights ending on D, oldest first."""
    return sorted(end - timedelta(days=k) for k in range(0, days, step))


def _latest_night(lakehouse: Lakehouse) -> date:
    end = lakehouse.read(silver.TRANSACTIONS).agg(F.max("event_date")).first()[0]
    if end is None:
        raise TuneError("silver.transactions is empty: nothing to replay (run ingest first)")
    return end


def _union(frames: list[DataFrame]) -> DataFrame:
    return reduce(DataFrame.unionByName, frames)


def _replay(
    cfg: AppConfig,
    name: str,
    settings: list[Detector],
    lookbacks: list[int],
    nights: list[date],
    inputs: DetectorInputs,
) -> DataFrame:
    """point, customer_id, hits (nights the detector hit the customer) of every grid point.

    The points of one night form one plan (the parts they share are computed once) whose few
    customer ids are kept in memory; the nights' results are aggregated lazily.
    """
    from fcc.typologies import detect_one

    t0 = time.monotonic()
    per_night = []
    # without adaptive execution the points of one night share the shuffles their settings do
    # not change (measured on 9 points of fan_in, one night: 26 s adaptive, 5.5 s not)
    with session_conf(inputs.txns.sparkSession, "spark.sql.adaptive.enabled", "false"):
        for d in nights:
            frames = [
                detect_one(cfg, name, det, d, inputs.until(d, days)).select(
                    "customer_id", F.lit(i).alias("point"), F.lit(d).alias("night")
                )
                for i, (det, days) in enumerate(zip(settings, lookbacks, strict=True))
            ]
            per_night.append(_union(frames).localCheckpoint())
            log.info(
                "tune %s: night %s replayed (%d of %d, %d points) at %.0fs",
                name,
                d,
                len(per_night),
                len(nights),
                len(settings),
                time.monotonic() - t0,
            )
    return (
        _union(per_night)
        .groupBy("point", "customer_id")
        .agg(F.countDistinct("night").alias("hits"))
    )


def tune_detector(
    spark: SparkSession,
    lakehouse: Lakehouse,
    cfg: AppConfig,
    name: str,
    grid: dict[str, list] | None = None,
    out: str | Path | None = None,
    as_of: date | None = None,
    labels_table: str | None = None,
) -> Tuning:
    """Sweep a coded detector's settings by replaying it on the nights ending on D (default:
    the latest night of silver.transactions), every `tuning.night_step_days`-th night."""
    from fcc.typologies import lookback_days, read_inputs, typology_tags

    t0 = time.monotonic()
    s = cfg.monitoring.tuning
    det = _find_detector(cfg, name)
    grid, points, settings, notes = detector_grid(cfg, name, grid)
    lookbacks = [
        lookback_days(
            cfg.typologies.model_copy(update={name: one}), cfg.graph.exposure.lookback_days
        )
        for one in settings
    ]
    end = as_of or _latest_night(lakehouse)
    start = end - timedelta(days=s.lookback_days - 1)
    nights = _nights(end, s.lookback_days, s.night_step_days)
    every = "every night" if s.night_step_days == 1 else f"every {s.night_step_days} days"
    sweep = _Sweep(
        subject=f"detector:{name}",
        source=f"conf/typologies.yaml: {name}",
        ident={"detector": name, "settings": f"conf/typologies.yaml: {name}"},
        version=det.version,
        typologies=typology_tags(det),
        params=points[0],
        grid=grid,
        points=points,
        window=(start, end),
        replayed=f"{len(nights)} nights {nights[0]}..{end} ({every}) of silver.transactions",
        adopt="edit the detector's section of conf/typologies.yaml, bump its version and record "
        "the approval",
        notes=notes,
    )
    inputs = read_inputs(lakehouse, name, nights[0], end, max(lookbacks))
    try:
        hits = _replay(cfg, name, settings, lookbacks, nights, inputs)
        return _conclude(spark, lakehouse, cfg, sweep, hits, labels_table, out, t0)
    finally:
        inputs.unpersist()


# --- what both share: metrics per point, recommendation, proposal, ops.metrics -----------


def _truth_totals(truth: DataFrame, tags: Any) -> tuple[int, int, int]:
    """Labelled customers in scope, positives among them and positives of the tags."""
    own = F.col("positive") & F.coalesce(F.arrays_overlap("typologies", tags), F.lit(False))
    tot = (
        truth.where("in_scope")
        .agg(
            F.count("*").alias("n"),
            F.sum(F.col("positive").cast("long")).alias("p"),
            F.sum(own.cast("long")).alias("pt"),
        )
        .first()
    )
    return int(tot["n"] or 0), int(tot["p"] or 0), int(tot["pt"] or 0)


def _point_counts(hits: DataFrame, truth: DataFrame, tags: Any) -> dict[int, Any]:
    """Per grid point: hits, customers, TP, FP and TP of the tags (one action)."""
    labelled = F.coalesce(F.col("in_scope"), F.lit(False))
    pos = F.coalesce(F.col("positive"), F.lit(False))
    own = pos & F.coalesce(F.arrays_overlap("typologies", tags), F.lit(False))
    rows = (
        hits.join(truth, "customer_id", "left")
        .groupBy("point")
        .agg(
            F.sum("hits").alias("hits"),
            F.count("*").alias("customers"),
            F.sum((labelled & pos).cast("long")).alias("tp"),
            F.sum((labelled & ~pos).cast("long")).alias("fp"),
            F.sum((labelled & own).cast("long")).alias("tpt"),
        )
        .collect()
    )
    return {r["point"]: r for r in rows}


def _points_table(sweep: _Sweep, counts: dict[int, Any], totals: tuple[int, int, int]):
    """The metrics of every grid point, the current one first, with its side of the line."""
    n, p_all, p_typ = totals
    rows = []
    for i, p in enumerate(sweep.points):
        c = counts.get(i)
        tp, fp = (int(c["tp"] or 0), int(c["fp"] or 0)) if c else (0, 0)
        m = confusion_metrics(tp, fp, p_all - tp, (n - p_all) - fp)
        rows.append(
            {
                **{f"param:{k}": v for k, v in p.items() if k in sweep.grid},
                "hits": int(c["hits"]) if c else 0,
                "customers": int(c["customers"]) if c else 0,
                "tp": tp,
                "fp": fp,
                "precision": m["precision"],
                "recall": m["recall"],
                "typology_recall": (int(c["tpt"] or 0) if c else 0) / p_typ if p_typ else None,
                "f1": m["f1"],
                "changed": sum(1 for k in p if p[k] != sweep.params[k]),
            }
        )
    table = pd.DataFrame(rows)
    base = table.loc[0, "customers"]
    table["side"] = ["current"] + [
        "btl" if c > base else "atl" if c < base else "same" for c in table["customers"].iloc[1:]
    ]
    return table


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


def _point_metrics(row: pd.Series) -> dict[str, Any]:
    out = {}
    for k in (*METRICS, "side"):
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


def _proposal(
    sweep: _Sweep, table: pd.DataFrame, best: int, trade: str, labels: str, objective: str
) -> dict[str, Any]:
    v = sweep.version
    start, end = sweep.window
    return {
        **sweep.ident,
        "current_version": v,
        "proposed_version": str(int(v) + 1) if v.isdigit() else f"{v}.1",
        "as_of": end.isoformat(),
        "window": [start.isoformat(), end.isoformat()],
        "replayed": sweep.replayed,
        "labels": labels,
        "objective": objective,
        "current": {"params": sweep.params, "metrics": _point_metrics(table.loc[0])},
        "recommended": {"params": sweep.points[best], "metrics": _point_metrics(table.loc[best])},
        "trade_off": trade,
        "grid": [
            {"params": sweep.points[i], **_point_metrics(table.loc[i])}
            for i in range(len(sweep.points))
        ],
        "note": f"A proposal only: conf/ is unchanged. To adopt it, {sweep.adopt}.",
    }


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


def tuning_rows(proposal: dict[str, Any], subject: str, best: int, run_id: str) -> list[tuple]:
    """ops.metrics rows of a sweep: one per grid point and metric (metric '<name>#<point>'),
    the point's params, side and whether it is the current or the recommended one in detail."""
    as_of = date.fromisoformat(proposal["as_of"])
    shared = {k: proposal[k] for k in ("window", "replayed", "labels", "objective")}
    shared["proposed_version"] = proposal["proposed_version"]
    rows = []
    for i, point in enumerate(proposal["grid"]):
        detail = json.dumps(
            {
                "point": i,
                "params": point["params"],
                "side": point["side"],
                "current": i == 0,
                "recommended": i == best,
                **shared,
            },
            default=str,
        )
        for m in METRICS:
            value = None if point[m] is None else float(point[m])
            rows.append((as_of, run_id, FAMILY, subject, f"{m}#{i}", value, None, False, detail))
    return rows


def _conclude(
    spark: SparkSession,
    lakehouse: Lakehouse,
    cfg: AppConfig,
    sweep: _Sweep,
    hits: DataFrame,
    labels_table: str | None,
    out: str | Path | None,
    t0: float,
) -> Tuning:
    """Score every grid point against the labels, recommend one, write the proposal file and
    the sweep's rows of ops.metrics."""
    s = cfg.monitoring.tuning
    start, end = sweep.window
    instances = None if labels_table else load_instances(lakehouse, cfg)
    truth = windowed_truth(load_labels(lakehouse, cfg, labels_table), instances, start, end)
    tags = [t for t in sweep.typologies if t]
    tag_array = F.array(*(F.lit(t) for t in tags)).cast("array<string>")
    table = _points_table(
        sweep, _point_counts(hits, truth, tag_array), _truth_totals(truth, tag_array)
    )
    best = _recommend(table, s.objective, s.max_recall_loss)
    trade = _trade_off(table.iloc[0], table.loc[best])
    labels = labels_table or cfg.monitoring.validation.labels_table
    proposal = _proposal(sweep, table, best, trade, labels, s.objective)
    if out:
        _write_proposal(out, proposal)
    run_id = f"tune-{end.isoformat()}-{datetime.now().strftime('%Y%m%dT%H%M%S')}"
    rows = tuning_rows(proposal, sweep.subject, best, run_id)
    write_metrics(spark, lakehouse, rows, end, FAMILY, subject=sweep.subject)
    log.info(
        "tune %s: %d grid points over %s in %.1fs",
        sweep.subject,
        len(sweep.points),
        sweep.replayed,
        time.monotonic() - t0,
    )
    return Tuning(
        sweep.subject,
        sweep.source,
        sweep.replayed,
        sweep.window,
        table.drop(columns=["changed"]),
        sweep.params,
        sweep.points[best],
        trade,
        proposal,
        sweep.notes,
    )
