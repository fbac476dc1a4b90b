import pytest

from fcc.core.config import ConfigError, load_config
from fcc.core.settings.ingest import IngestSettings


def test_conf_ingest_yaml_loads_with_documented_defaults():
    cfg = load_config(overrides=["ingest.redact_raw=true"])
    assert cfg.ingest.future_tolerance_minutes == 15
    assert cfg.ingest.redact_raw is True
    assert "EUR" in cfg.ingest.fiat_currencies and "USDT" in cfg.ingest.stablecoins


def test_unknown_ingest_key_is_an_error_naming_it():
    with pytest.raises(ConfigError, match="ingest.tolerance: unknown key"):
        load_config(overrides=["ingest.tolerance=5"])


def test_an_asset_in_two_classes_is_rejected():
    with pytest.raises(ValueError, match=r"more than one class: \['USDT'\]"):
        IngestSettings(fiat_currencies=["usdt"], stablecoins=["USDT"])
