from pathlib import Path

import pytest

from fcc.core.config import ConfigError, config_hash, load_config
from tests.unit.credential_keys import CREDENTIAL_SPARK_KEYS

REPO_CONF = Path(__file__).resolve().parents[3] / "conf"


def _conf_dir(tmp_path: Path, base: str = "lakehouse: /tmp/x\n", **files: str) -> Path:
    (tmp_path / "base.yaml").write_text(base)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_repository_config_loads_and_hashes_stably():
    a = load_config(REPO_CONF, env="local")
    b = load_config(REPO_CONF, env="local")
    assert a.spark.master == "local[*]"
    assert config_hash(a) == config_hash(b) and len(config_hash(a)) == 64


def test_overlay_conf_file_and_set_apply_in_order(tmp_path):
    conf = _conf_dir(
        tmp_path, "lakehouse: /a\nspark:\n  master: local[1]\n", **{"local.yaml": "lakehouse: /b\n"}
    )
    extra = tmp_path / "extra.yaml"
    extra.write_text("lakehouse: /c\n")
    assert load_config(conf, env="local").lakehouse == "/b"
    assert load_config(conf, env="local", extra_files=[extra]).lakehouse == "/c"
    cfg = load_config(
        conf, env="local", extra_files=[extra], overrides=["lakehouse=/d", "spark.master=local[2]"]
    )
    assert (cfg.lakehouse, cfg.spark.master) == ("/d", "local[2]")


def test_changing_a_value_changes_the_hash(tmp_path):
    conf = _conf_dir(tmp_path)
    assert config_hash(load_config(conf)) != config_hash(
        load_config(conf, overrides=["lakehouse=/other"])
    )


def test_unknown_key_names_the_file_and_the_key(tmp_path):
    conf = _conf_dir(tmp_path, "lakehouse: /x\nspark:\n  mastr: local\n")
    with pytest.raises(ConfigError) as err:
        load_config(conf)
    assert f"{conf / 'base.yaml'}: spark.mastr: unknown key" in str(err.value)


def test_wrong_type_names_the_file_and_the_key(tmp_path):
    conf = _conf_dir(tmp_path, **{"local.yaml": "spark:\n  conf: [not, a, mapping]\n"})
    with pytest.raises(ConfigError) as err:
        load_config(conf, env="local")
    assert f"{conf / 'local.yaml'}: spark.conf:" in str(err.value)


def test_set_override_with_unknown_key_is_reported_as_set(tmp_path):
    with pytest.raises(ConfigError, match=r"--set nope=1: nope: unknown key"):
        load_config(_conf_dir(tmp_path), overrides=["nope=1"])


def test_set_override_of_a_spark_setting_keeps_its_dotted_key_and_string_value(tmp_path):
    cfg = load_config(
        _conf_dir(tmp_path), overrides=["spark.conf.spark.sql.adaptive.enabled=false"]
    )
    assert cfg.spark.conf["spark.sql.adaptive.enabled"] == "false"


def test_set_override_of_a_step_setting_keeps_the_step_and_the_dotted_key(tmp_path):
    cfg = load_config(
        _conf_dir(tmp_path),
        overrides=["spark.step_conf.typologies.spark.sql.adaptive.enabled=true"],
    )
    assert cfg.spark.step_conf == {"typologies": {"spark.sql.adaptive.enabled": "true"}}
    with pytest.raises(ConfigError, match=r"spark.step_conf.<step>.<spark key>=value"):
        load_config(_conf_dir(tmp_path), overrides=["spark.step_conf.typologies=1"])


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"config file not found: .*missing.yaml"):
        load_config(_conf_dir(tmp_path), extra_files=[tmp_path / "missing.yaml"])


def test_malformed_yaml_is_named(tmp_path):
    conf = _conf_dir(tmp_path, "lakehouse: [unclosed\n")
    with pytest.raises(ConfigError, match=r"base.yaml: not valid YAML"):
        load_config(conf)


@pytest.mark.parametrize("key", CREDENTIAL_SPARK_KEYS)
def test_a_credential_as_a_spark_setting_is_refused_and_never_echoed(tmp_path, key):
    """The config is stored in ops.runs: a credential there would sit in the run ledger."""
    conf = _conf_dir(tmp_path, **{"local.yaml": f'spark:\n  conf:\n    {key}: "s3cr3t-value"\n'})
    with pytest.raises(ConfigError) as err:
        load_config(conf, env="local")
    assert f"spark.conf.{key} looks like a credential" in str(err.value)
    assert "s3cr3t-value" not in str(err.value)
    # nor as one step's setting
    conf = _conf_dir(
        tmp_path,
        **{"local.yaml": f'spark:\n  step_conf:\n    graph:\n      {key}: "s3cr3t-value"\n'},
    )
    with pytest.raises(ConfigError) as err:
        load_config(conf, env="local")
    assert f"spark.step_conf.graph.{key} looks like a credential" in str(err.value)
    assert "s3cr3t-value" not in str(err.value)


def test_credential_providers_and_ordinary_spark_settings_are_accepted(tmp_path):
    conf = _conf_dir(
        tmp_path,
        **{
            "local.yaml": "spark:\n  conf:\n"
            "    spark.hadoop.fs.s3a.aws.credentials.provider: com.amazonaws.auth.WebIdentityTokenCredentialsProvider\n"
            '    spark.sql.shuffle.partitions: "8"\n'
        },
    )
    assert load_config(conf, env="local").spark.conf["spark.sql.shuffle.partitions"] == "8"
