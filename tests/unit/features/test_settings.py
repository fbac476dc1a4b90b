"""conf/features.yaml and the FeaturesSettings model."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from fcc.core.settings.features import FeaturesSettings
from fcc.core.tables.gold_features import FEATURES

CONF = Path(__file__).resolve().parents[3] / "conf" / "features.yaml"


def test_shipped_config_validates_and_dates_its_high_risk_lists():
    cfg = FeaturesSettings.model_validate(yaml.safe_load(CONF.read_text()))
    assert cfg.windows_days == [1, 7, 30, 90]
    assert cfg.reporting_thresholds[0].amount_usd == Decimal("10000")
    assert {lst.name for lst in cfg.high_risk_lists} == {
        "fatf_call_for_action",
        "fatf_increased_monitoring",
    }
    assert all(lst.published >= date(2025, 1, 1) for lst in cfg.high_risk_lists)
    assert {"IR", "KP", "MM"} <= set(cfg.high_risk_countries)


@pytest.mark.parametrize(
    "bad",
    [
        {"windows_days": [14]},
        {"cash_like_families": ["cash"]},
        {"rail_families": {"wire": ["sepa"], "card": ["sepa"]}},
        {"high_risk_lists": [{"name": "x", "published": "2025-06-13", "countries": ["IRN"]}]},
        {"pass_through_hour": 24},
    ],
)
def test_invalid_settings_are_rejected(bad):
    with pytest.raises(ValidationError):
        FeaturesSettings.model_validate(bad)


def test_every_feature_column_is_documented_with_unit_and_window():
    for field in FEATURES.schema.fields:
        doc = field.metadata.get("doc", "")
        assert doc, field.name
        if field.name.endswith(("_1d", "_7d", "_30d", "_90d")):
            assert "Unit:" in doc and "Window:" in doc, field.name
    names = FEATURES.schema.fieldNames()
    assert len(names) == len(set(names))
    assert all(n == n.lower() and " " not in n for n in names)
