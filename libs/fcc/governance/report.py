"""The model-governance report: one self-contained HTML file with charts and model cards."""

from __future__ import annotations

import html
import json
import logging
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from fcc import __version__
from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import gold, ops
from fcc.core.tables.extra_monitoring import MODEL_REGISTRY
from fcc.governance import _charts

log = logging.getLogger(__name__)
_TIERS = ["low", "medium", "high", "very_high"]
_CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 7px}
th{background:#f3f3f3;text-align:left}.nodata{color:#888;font-style:italic}
.card{border:1px solid #bbb;border-radius:6px;padding:.6em 1.2em;margin:1em 0;background:#fafafa}
img.chart{max-width:100%;display:block;margin:.5em 0}.breach{color:#b00;font-weight:bold}
"""
# Counts the chart images the browser actually decoded (read back by the rendering test).
_SCRIPT = """window.addEventListener('load',function(){var n=0;
document.querySelectorAll('img.chart').forEach(function(i){if(i.complete&&i.naturalWidth>0){n++;}});
document.body.setAttribute('data-charts-rendered',String(n));});"""


def _esc(v) -> str:
    return html.escape("" if v is None else str(v))


def _num(v, digits: int = 3) -> str:
    return "-" if v is None else f"{v:.{digits}f}" if isinstance(v, float) else _esc(v)


def _table(header: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_num(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _nodata(what: str) -> str:
    return f'<p class="nodata">No data yet: {_esc(what)}.</p>'


def _metrics(lakehouse: Lakehouse, family: str, start: date, end: date) -> DataFrame:
    m = lakehouse.read(ops.METRICS)
    return m.where(
        (F.col("family") == family)
        & (F.col("as_of") >= F.lit(start))
        & (F.col("as_of") <= F.lit(end))
    )


def _latest(df: DataFrame) -> tuple[date | None, list]:
    """Rows of the latest as-of in df (bounded: one date of one metric family)."""
    d = df.agg(F.max("as_of")).first()[0]
    return d, (df.where(F.col("as_of") == F.lit(d)).collect() if d else [])


def alerts_by_typology(lakehouse: Lakehouse, start: date, end: date, cfg: AppConfig) -> str:
    rows = (
        lakehouse.read(gold.ALERTS)
        .where((F.col("opened_as_of") >= F.lit(start)) & (F.col("opened_as_of") <= F.lit(end)))
        .select("opened_as_of", F.explode_outer("typologies").alias("t"))
        .groupBy("opened_as_of", F.coalesce("t", F.lit("(none)")).alias("t"))
        .count()
        .collect()
    )
    if not rows:
        return _nodata("no alerts opened in the period")
    table: dict = {}
    for r in rows:
        table.setdefault(r["opened_as_of"], {})[r["t"]] = r["count"]
    return _charts.stacked_bars(table, "Alerts opened per day by typology", "alerts")


def kri_chart(lakehouse: Lakehouse, start: date, end: date, cfg: AppConfig) -> str:
    df = _metrics(lakehouse, "kri", start, end).where(F.col("metric") == "hits")
    top = [
        r["subject"]
        for r in df.groupBy("subject")
        .agg(F.sum("value").alias("v"))
        .orderBy(F.desc("v"), "subject")
        .limit(cfg.monitoring.report.max_series)
        .collect()
    ]
    if not top:
        return _nodata("no KRI history (fcc run monitoring)")
    series, limits, breaches = {}, {}, {}
    for r in (
        df.where(F.col("subject").isin(*top))
        .select("as_of", "subject", "value", "threshold", "breach")
        .collect()
    ):
        series.setdefault(r["subject"], []).append((r["as_of"], r["value"] or 0.0))
        if r["threshold"] is not None:
            limits.setdefault(r["subject"], []).append((r["as_of"], r["threshold"]))
        if r["breach"]:
            breaches.setdefault(r["subject"], []).append((r["as_of"], r["value"] or 0.0))
    return _charts.lines(
        series,
        "Rule hits per day with upper control limit (dashed; red = breach)",
        "hits",
        limits,
        breaches,
    )


def precision_recall_chart(
    lakehouse: Lakehouse, start: date, end: date, cfg: AppConfig
) -> tuple[str, dict]:
    d, rows = _latest(
        _metrics(lakehouse, "validation", start, end).where(
            F.col("metric").isin("precision", "recall", "f1", "alerts", "customers", "type_i_error")
        )
    )
    per: dict[str, dict] = {}
    for r in rows:
        per.setdefault(r["subject"], {})[r["metric"]] = r["value"]
    rules = sorted(s for s in per if s.startswith(("rule:", "overall:")))
    if not rules:
        return _nodata("no validation results (fcc validate)"), per
    labels = [s.split(":", 1)[1] for s in rules]
    chart = _charts.grouped_bars(
        labels,
        {
            "precision": [per[s].get("precision") for s in rules],
            "recall": [per[s].get("recall") for s in rules],
        },
        f"Precision and recall per rule (customer level, validated {d})",
        horizontal=True,
    )
    return chart, per


def _pair(cur, rec, digits: int = 3) -> str:
    """'current -> recommended' of one metric (one value when they are equal)."""
    a, b = _num(cur, digits), _num(rec, digits)
    return a if a == b else f"{a} → {b}"


def tuning_table(lakehouse: Lakehouse, start: date, end: date, cfg: AppConfig) -> str:
    """The latest sweep of each rule and detector in the period (ops.metrics family tuning):
    the settings it recommends changing and customers, precision and recall before and after."""
    m = _metrics(lakehouse, "tuning", start, end)
    latest = m.groupBy("subject").agg(F.max("as_of").alias("_latest"))
    current = F.get_json_object("detail", "$.current") == "true"
    recommended = F.get_json_object("detail", "$.recommended") == "true"
    rows = (
        m.join(latest, "subject")
        .where((F.col("as_of") == F.col("_latest")) & (current | recommended))
        .select("as_of", "subject", "metric", "value", "detail")
        .collect()
    )  # bounded: two grid points of each subject's latest sweep
    if not rows:
        return _nodata("no tuning sweeps (fcc tune --rule ID or --detector NAME)")
    sweeps: dict[str, dict] = {}
    for r in rows:
        detail = json.loads(r["detail"])
        one = sweeps.setdefault(r["subject"], {"as_of": r["as_of"]})
        metric = r["metric"].split("#")[0]
        for role in ("current", "recommended"):
            if detail[role]:
                one.setdefault(role, {"params": detail["params"]})[metric] = r["value"]
    out = []
    for subject, one in sorted(sweeps.items()):
        cur, rec = one["current"], one["recommended"]
        changes = [
            f"{k} {cur['params'].get(k)} → {v}"
            for k, v in rec["params"].items()
            if v != cur["params"].get(k)
        ]
        out.append(
            [
                subject,
                one["as_of"],
                "; ".join(changes) or "keep the current setting",
                _pair(cur.get("customers"), rec.get("customers"), 0),
                _pair(cur.get("precision"), rec.get("precision")),
                _pair(cur.get("recall"), rec.get("recall")),
            ]
        )
    header = [
        "rule / detector",
        "swept on",
        "recommended change",
        "customers",
        "precision",
        "recall",
    ]
    return _table(header, out)


def psi_chart(lakehouse: Lakehouse, start: date, end: date, cfg: AppConfig) -> str:
    d, rows = _latest(_metrics(lakehouse, "drift", start, end).where(F.col("metric") == "psi"))
    rows = [r for r in rows if r["value"] is not None]
    if not rows:
        return _nodata("no PSI yet (needs a baseline snapshot)")
    rows.sort(key=lambda r: r["subject"])
    dr = cfg.monitoring.drift
    return _charts.grouped_bars(
        [r["subject"] for r in rows],
        {"PSI": [r["value"] for r in rows]},
        f"Population stability index against the baseline ({d})",
        hlines={f"watch {dr.watch:g}": dr.watch, f"shift {dr.shift:g}": dr.shift},
        horizontal=True,
    )


def dq_chart(lakehouse: Lakehouse, start: date, end: date, cfg: AppConfig) -> str:
    rows = (
        _metrics(lakehouse, "dq", start, end)
        .where(F.col("metric") == "quarantine_rate")
        .select("as_of", "subject", "value")
        .collect()
    )
    if not rows:
        return _nodata("no data-quality results (fcc run monitoring)")
    series: dict = {}
    for r in rows:
        series.setdefault(r["subject"], []).append((r["as_of"], r["value"] or 0.0))
    keep = sorted(series, key=lambda s: -max(v for _, v in series[s]))[
        : cfg.monitoring.report.max_series
    ]
    return _charts.lines(
        {k: series[k] for k in keep},
        "Quarantine rate per source",
        "share of rows read",
        hline=cfg.monitoring.kri.max_quarantine_rate,
    )


def tier_chart(lakehouse: Lakehouse, start: date, end: date, cfg: AppConfig) -> str:
    scores = lakehouse.read(gold.RISK_SCORES).where(F.col("as_of") <= F.lit(end))
    d = scores.agg(F.max("as_of")).first()[0]
    if d is None:
        return _nodata("no risk scores")
    counts = {
        r["tier"]: r["count"]
        for r in scores.where(F.col("as_of") == F.lit(d)).groupBy("tier").count().collect()
    }
    tiers = [t for t in _TIERS if t in counts] + sorted(t for t in counts if t not in _TIERS and t)
    return _charts.grouped_bars(
        tiers, {"customers": [counts[t] for t in tiers]}, f"Risk tier distribution ({d})"
    )


def _declared_rules(cfg: AppConfig) -> dict[str, list[dict]]:
    out = {}
    for file, content in sorted(cfg.typologies.rule_sets.items()):
        out[file] = [r for r in (content or {}).get("rules") or [] if isinstance(r, dict)]
    return out


def _validation_rows(ids: list[str], per: dict) -> list[list]:
    return [
        [
            rid,
            per.get(f"rule:{rid}", {}).get("customers"),
            per.get(f"rule:{rid}", {}).get("precision"),
            per.get(f"rule:{rid}", {}).get("recall"),
            per.get(f"rule:{rid}", {}).get("f1"),
            per.get(f"rule:{rid}", {}).get("type_i_error"),
        ]
        for rid in ids
    ]


def _limitations(ids: list[str], per: dict, labels: str) -> list[str]:
    out = [
        "Validated at customer level: a hit on a suspicious customer counts as a true positive even "
        "when the customer was planted for another typology.",
        f"Labels: {labels}; generator labels are synthetic and cover only planted typologies, so "
        "precision on production outcomes (SAR / closed as false positive) will differ.",
    ]
    silent = [r for r in ids if not per.get(f"rule:{r}", {}).get("customers")]
    if silent:
        out.append(f"No alerted customers in the validation window: {', '.join(silent)}.")
    precision = {r: per.get(f"rule:{r}", {}).get("precision") for r in ids}
    weak = [r for r, p in precision.items() if p is not None and p < 0.1]
    if weak:
        out.append(
            f"Precision below 10% (tuning candidates, fcc tune --rule ID or --detector NAME): "
            f"{', '.join(weak)}."
        )
    return out


def _card(
    title: str, purpose: str, data: str, params_html: str, validation_html: str, limits: list[str]
) -> str:
    items = "".join(f"<li>{_esc(x)}</li>" for x in limits)
    return (
        f'<div class="card"><h3>{_esc(title)}</h3><p><b>Purpose.</b> {purpose}</p>'
        f"<p><b>Data.</b> {data}</p><p><b>Parameters.</b></p>{params_html}"
        f"<p><b>Validation.</b></p>{validation_html}<p><b>Known limitations.</b></p><ul>{items}</ul></div>"
    )


def rule_cards(cfg: AppConfig, per: dict, hit_rules: set[str]) -> list[str]:
    """A model card per rule family (rule file) and one for the coded detectors."""
    labels = cfg.monitoring.validation.labels_table
    header = ["rule", "customers", "precision", "recall", "F1", "Type I"]
    cards = []
    declared = _declared_rules(cfg)
    for file, rules in declared.items():
        ids = [r["id"] for r in rules]
        purpose = "; ".join(
            f"<b>{_esc(r['id'])}</b> ({_esc(r.get('typology'))}): {_esc(r.get('description'))}"
            for r in rules
        )
        params = _table(
            ["rule", "version", "expression", "params", "segments"],
            [
                [
                    r["id"],
                    r.get("version"),
                    r.get("expression"),
                    json.dumps(r.get("params", {})),
                    ", ".join(r.get("segments") or []) or "all",
                ]
                for r in rules
            ],
        )
        cards.append(
            _card(
                f"Rule family conf/typologies/{file}",
                purpose,
                "gold.features of each as-of date (rolling 1/7/30/90-day windows per customer).",
                params,
                _table(header, _validation_rows(ids, per)),
                _limitations(ids, per, labels),
            )
        )
    declared_ids = {r["id"] for rules in declared.values() for r in rules}
    coded = sorted(
        (hit_rules | {s.split(":", 1)[1] for s in per if s.startswith("rule:")}) - declared_ids
    )
    t = cfg.typologies.model_dump()
    settings = [
        [
            k,
            v.get("version"),
            v.get("typology"),
            v.get("enabled"),
            json.dumps(
                {
                    a: b
                    for a, b in v.items()
                    if a not in ("enabled", "version", "typology", "severity", "score")
                }
            ),
        ]
        for k, v in sorted(t.items())
        if isinstance(v, dict) and "typology" in v
    ]
    cards.append(
        _card(
            "Coded detectors (conf/typologies.yaml, graph rings)",
            "Shapes a threshold cannot express: structuring, pass-through, fan-in/out, scatter-gather, cycles, "
            "peel chains, dormancy, high-risk jurisdictions, exposure, rapid conversion, profile mismatch, rings.",
            "silver.transactions, gold.features, gold.entity_clusters and gold.exposure.",
            _table(["detector", "version", "typology", "enabled", "thresholds"], settings),
            _table(header, _validation_rows(coded, per))
            if coded
            else _nodata("no detector hits validated"),
            _limitations(coded, per, labels),
        )
    )
    return cards


def model_cards(lakehouse: Lakehouse, end: date, cfg: AppConfig) -> tuple[list[str], list[str]]:
    """Cards (and importance charts) of the latest registered model on or before D."""
    if not lakehouse.exists(MODEL_REGISTRY):
        return [_nodata("no supervised model trained (fcc model train)")], []
    reg = lakehouse.read(MODEL_REGISTRY).where(F.col("as_of") <= F.lit(end))
    latest = reg.orderBy(F.desc("as_of"), F.desc("trained_at")).limit(1).collect()
    if not latest:
        return [_nodata("no supervised model trained (fcc model train)")], []
    r = latest[0]
    comp = (
        lakehouse.read(ops.METRICS)
        .where(
            (F.col("family") == "model")
            & (F.col("as_of") == F.lit(r["as_of"]))
            & F.col("metric").isin(
                "customers", "tp", "fp", "precision", "recall", "f1", "type_i_error"
            )
        )
        .collect()
    )
    per: dict[str, dict] = {}
    for m in comp:
        per.setdefault(m["subject"], {})[m["metric"]] = m["value"]
    subjects = [s for s in (f"model:{r['model_id']}", "rule:all_rules") if s in per]
    validation = _table(
        ["on the test period", "customers", "TP", "FP", "precision", "recall", "F1", "Type I"],
        [
            [
                s,
                *(
                    per[s].get(k)
                    for k in ("customers", "tp", "fp", "precision", "recall", "f1", "type_i_error")
                ),
            ]
            for s in subjects
        ],
    )
    metrics = r["metrics"] or {}
    validation += _table(
        ["test metric", "value"], [[k, float(v)] for k, v in sorted(metrics.items())]
    )
    imps = json.loads(r["feature_importances"] or "[]")
    charts = []
    if imps:
        charts.append(
            _charts.grouped_bars(
                [n for n, _ in imps],
                {"importance": [v for _, v in imps]},
                f"Feature importances of {r['model_id']}",
                horizontal=True,
            )
        )
    split = json.loads(r["split_detail"] or "{}")
    limits = [
        "Trained on generator labels: it learns the planted typologies' shapes, not unseen schemes.",
        "Scores are calibrated on a later period than training (isotonic); the calibration holds only "
        "while the population is stable: watch PSI.",
        "A candidate beside the rules, not a replacement: promotion needs an independent review.",
    ]
    if r["split_method"] == "onboarding":
        limits.append(split.get("note", "customers split by onboarding date"))
    card = _card(
        f"Supervised model {r['model_id']} ({r['status']})",
        "Ranks customers by calibrated probability of taking part in a suspicious typology, to compare "
        "with (and find gaps in) the rules.",
        f"{len(r['features'] or [])} gold.features columns; {r['split_method']} split {_esc(json.dumps(split))}; "
        f"{r['train_rows']} training rows, {r['test_rows']} test rows; inputs "
        f"{_esc(json.dumps(r['input_versions'] or {}))}; artefacts {_esc(r['path'])}.",
        f"<pre>{_esc(r['params'])}</pre>",
        validation + "".join(charts),
        limits,
    )
    return [card], charts


def report(
    spark: SparkSession, lakehouse: Lakehouse, cfg: AppConfig, as_of: date, out_html: str | Path
) -> dict[str, int]:
    """Write the self-contained HTML report for D; returns counts of charts, cards and bytes."""
    t0 = time.monotonic()
    start = as_of - timedelta(days=cfg.monitoring.report.history_days - 1)
    pr_chart, per = precision_recall_chart(lakehouse, start, as_of, cfg)
    hit_rules = {
        r[0]
        for r in lakehouse.read(gold.RULE_HITS)
        .where((F.col("as_of") >= F.lit(start)) & (F.col("as_of") <= F.lit(as_of)))
        .select("rule_id")
        .distinct()
        .collect()
    }
    sections = [
        ("Alerts by typology over time", alerts_by_typology(lakehouse, start, as_of, cfg)),
        ("KRIs: rule volumes with control limits", kri_chart(lakehouse, start, as_of, cfg)),
        ("Precision and recall per rule", pr_chart),
        ("Tuning: current and recommended settings", tuning_table(lakehouse, start, as_of, cfg)),
        ("Drift (PSI)", psi_chart(lakehouse, start, as_of, cfg)),
        ("Data quality", dq_chart(lakehouse, start, as_of, cfg)),
        ("Risk tier distribution", tier_chart(lakehouse, start, as_of, cfg)),
    ]
    overall = per.get("overall:all_alerts", {})
    summary = (
        _table(
            ["overall (customer level)", "alerts", "precision", "recall", "F1", "Type I"],
            [
                [
                    "all alerts",
                    overall.get("alerts"),
                    overall.get("precision"),
                    overall.get("recall"),
                    overall.get("f1"),
                    overall.get("type_i_error"),
                ]
            ],
        )
        if overall
        else ""
    )
    cards = rule_cards(cfg, per, hit_rules)
    m_cards, _ = model_cards(lakehouse, as_of, cfg)
    body = [
        f"<h1>fcc-scoring model governance report, as of {as_of}</h1>",
        f"<p>Period {start}..{as_of}; generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by fcc-scoring "
        f"{__version__}; lakehouse {_esc(lakehouse.root)}.</p>",
        summary,
    ]
    body += [f"<h2>{_esc(t)}</h2>{c}" for t, c in sections]
    body += [
        "<h2>Model cards: rule families</h2>",
        *cards,
        "<h2>Model card: supervised model</h2>",
        *m_cards,
    ]
    doc = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Model governance report {as_of}'
        f"</title><style>{_CSS}</style><script>{_SCRIPT}</script></head><body>{''.join(body)}</body></html>"
    )
    path = Path(out_html)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(doc, encoding="utf-8")
    charts = doc.count('<img class="chart"')
    log.info(
        "report as_of=%s: %d charts, %d cards, %d bytes in %.1fs",
        as_of,
        charts,
        len(cards) + len(m_cards),
        len(doc),
        time.monotonic() - t0,
    )
    return {"charts": charts, "cards": len(cards) + len(m_cards), "bytes": len(doc)}
