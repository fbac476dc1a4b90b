import re
import shutil
import subprocess
from datetime import date, datetime, timedelta

import pytest

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import gold, ops
from fcc.core.tables.extra_monitoring import MODEL_REGISTRY
from fcc.governance import report
from tests.unit.governance._tables import alert, put

D = date(2026, 3, 31)
DAYS = [D - timedelta(days=i) for i in range(5, -1, -1)]
CHARTS = 7  # alerts, KRIs, precision/recall, PSI, quarantine rate, risk tiers, model importances
CFG = AppConfig.model_validate(
    {
        "typologies": {
            "rule_sets": {
                "fiat.yaml": {
                    "rules": [
                        {
                            "id": "rule_a",
                            "version": 1,
                            "typology": "structuring",
                            "description": "Banded deposits.",
                            "segments": [],
                            "expression": "near_threshold_count_30d >= :n",
                            "params": {"n": 6},
                            "severity": "high",
                            "score": 55,
                        }
                    ]
                }
            }
        }
    }
)


def _metric(d, family, subject, metric, value, threshold=None, breach=False, detail="{}"):
    return {
        "as_of": d,
        "run_id": "r",
        "family": family,
        "subject": subject,
        "metric": metric,
        "value": value,
        "threshold": threshold,
        "breach": breach,
        "detail": detail,
    }


@pytest.fixture(scope="module")
def html_report(spark, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    lh = Lakehouse(spark, str(tmp / "lakehouse"))
    metrics = []
    for k, d in enumerate(DAYS):
        metrics += [
            _metric(d, "kri", "rule_a", "hits", 3.0 + k, 9.0),
            _metric(d, "kri", "structuring", "hits", 1.0 + (k == 5) * 9, 6.0, k == 5),
            _metric(d, "dq", "fiat_ledger", "quarantine_rate", 0.002 * k, 0.01, False),
        ]
    metrics += [
        _metric(D, "drift", "score", "psi", 0.03),
        _metric(D, "drift", "out_usd_7d", "psi", 0.31, 0.25, True),
    ]
    for subject, p, r in (
        ("overall:all_alerts", 0.5, 0.5),
        ("rule:rule_a", 2 / 3, 0.5),
        ("rule:structuring", 0.04, 0.25),
    ):
        metrics += [
            _metric(D, "validation", subject, "precision", p),
            _metric(D, "validation", subject, "recall", r),
            _metric(D, "validation", subject, "customers", 3.0),
        ]
    metrics += [
        _metric(D, "model", "model:gbt-x", "precision", 0.8),
        _metric(D, "model", "rule:all_rules", "precision", 0.5),
    ]
    put(lh, ops.METRICS, metrics)
    put(
        lh,
        gold.ALERTS,
        [
            alert("c01", ["rule_a"], ["structuring"], DAYS[2], D),
            alert("c02", ["fan_in"], ["fan_in"], D, D),
        ],
    )
    put(
        lh,
        gold.RISK_SCORES,
        [
            {
                "as_of": D,
                "customer_id": f"c{i:02d}",
                "score": 10.0 * i,
                "tier": ["low", "low", "medium", "high", "very_high"][i % 5],
            }
            for i in range(10)
        ],
    )
    put(
        lh,
        MODEL_REGISTRY,
        [
            {
                "model_id": "gbt-x",
                "as_of": D,
                "run_id": "m",
                "algorithm": "gbt",
                "path": f"{lh.root}/models/gbt-x",
                "status": "candidate",
                "split_method": "time",
                "split_detail": "{}",
                "params": "{}",
                "features": ["in_usd_7d", "segment"],
                "feature_importances": '[["in_usd_7d", 0.9], ["segment", 0.1]]',
                "metrics": {"auc_roc": 0.93},
                "train_rows": 10,
                "test_rows": 5,
                "input_versions": {"gold.features": 1},
                "code_version": "0",
                "trained_at": datetime(2026, 3, 31, 3),
            }
        ],
    )
    out = tmp / "report.html"
    return report(spark, lh, CFG, D, out), out


def test_report_is_one_self_contained_file_with_every_chart_and_card(html_report):
    counts, out = html_report
    doc = out.read_text()
    assert counts["charts"] == CHARTS == doc.count('<img class="chart"')
    assert "http://" not in doc and "https://" not in doc and "<link" not in doc
    for heading in (
        "Alerts by typology",
        "KRIs",
        "Precision and recall",
        "PSI",
        "Data quality",
        "Risk tier",
        "Rule family conf/typologies/fiat.yaml",
        "Coded detectors",
        "Supervised model gbt-x",
    ):
        assert heading in doc, heading
    for section in ("Purpose.", "Data.", "Parameters.", "Validation.", "Known limitations."):
        assert doc.count(section) == 3, section  # fiat rules, coded detectors, the model
    assert "Precision below 10%" in doc and "structuring" in doc  # the weak detector is named


def _chromium() -> str | None:
    return (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )


@pytest.mark.skipif(
    _chromium() is None, reason="chromium is not installed (apt-get install -y chromium)"
)
def test_report_renders_in_headless_chromium_with_every_chart_decoded(html_report, tmp_path):
    _, out = html_report
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        [_chromium(), *flags, "--dump-dom", out.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    ).stdout
    assert len(re.findall(r'<img class="chart"', dom)) == CHARTS
    assert f'data-charts-rendered="{CHARTS}"' in dom  # every PNG decoded (naturalWidth > 0)
    shot = tmp_path / "report.png"
    subprocess.run(
        [_chromium(), *flags, f"--screenshot={shot}", "--window-size=1100,3000", out.as_uri()],
        capture_output=True,
        timeout=180,
        check=True,
    )
    assert shot.stat().st_size > 10_000
