"""Typed configuration: conf/base.yaml + one file per domain + overlay + --conf files + --set.

Every file is merged into one tree, then validated by pydantic models whose unknown keys are
errors. A validation error names the file that set the offending key.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from fcc.core.settings import SECTION_FILES, AppConfig


class ConfigError(ValueError):
    """A configuration file or override is missing, malformed or invalid."""


def default_conf_dir() -> Path:
    """FCC_CONF_DIR, else ./conf, else the conf/ folder beside the source checkout."""
    env = os.environ.get("FCC_CONF_DIR")
    if env:
        return Path(env)
    if Path("conf/base.yaml").is_file():
        return Path("conf")
    return Path(__file__).resolve().parents[3] / "conf"


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def _merge(
    target: dict, source: dict, origin: str, provenance: dict[str, str], prefix: str = ""
) -> None:
    """Deep-merge source into target, recording which file set each leaf key."""
    for key, value in source.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value, origin, provenance, dotted + ".")
        else:
            target[key] = copy.deepcopy(value)
            provenance[dotted] = origin


_SPARK_CONF = "spark.conf."
_STEP_CONF = "spark.step_conf."


def _parse_set(expr: str) -> tuple[list[str], Any]:
    if "=" not in expr:
        raise ConfigError(f"--set {expr!r}: expected key.path=value")
    key, raw = expr.split("=", 1)
    if not key.strip():
        raise ConfigError(f"--set {expr!r}: empty key")
    key = key.strip()
    if key.startswith(_SPARK_CONF):  # Spark's own keys are dotted: one string key under spark.conf
        return ["spark", "conf", key[len(_SPARK_CONF) :]], raw.strip()
    if key.startswith(_STEP_CONF):  # spark.step_conf.<step>.<Spark's dotted key>
        step, _, spark_key = key[len(_STEP_CONF) :].partition(".")
        if not step or not spark_key:
            raise ConfigError(f"--set {expr!r}: expected spark.step_conf.<step>.<spark key>=value")
        return ["spark", "step_conf", step, spark_key], raw.strip()
    value = yaml.safe_load(raw) if raw.strip() else ""
    return key.split("."), value


def _nest(parts: list[str], value: Any) -> dict:
    out: Any = value
    for part in reversed(parts):
        out = {part: out}
    return out


def load_config(
    conf_dir: str | Path | None = None,
    env: str | None = None,
    extra_files: Iterable[str | Path] = (),
    overrides: Iterable[str] = (),
) -> AppConfig:
    """Load and validate the effective configuration.

    Order (later wins): base.yaml, <section>.yaml per domain, <env>.yaml overlay (FCC_ENV,
    default `local`), each --conf file, each --set key=value.
    """
    conf_dir = Path(conf_dir) if conf_dir else default_conf_dir()
    env = env or os.environ.get("FCC_ENV", "local")
    tree: dict[str, Any] = {}
    provenance: dict[str, str] = {}
    _merge(tree, _read_yaml(conf_dir / "base.yaml"), str(conf_dir / "base.yaml"), provenance)
    for section, filename in SECTION_FILES.items():
        path = conf_dir / filename
        if path.is_file():
            _merge(tree, {section: _read_yaml(path)}, str(path), provenance)
    rule_dir = conf_dir / "typologies"
    if rule_dir.is_dir():
        rule_sets = {p.name: _read_yaml(p) for p in sorted(rule_dir.glob("*.yaml"))}
        _merge(tree, {"typologies": {"rule_sets": rule_sets}}, str(rule_dir), provenance)
    overlay = conf_dir / f"{env}.yaml"
    if env and overlay.is_file():
        _merge(tree, _read_yaml(overlay), str(overlay), provenance)
    for extra in extra_files:
        path = Path(extra)
        _merge(tree, _read_yaml(path), str(path), provenance)
    for expr in overrides:
        parts, value = _parse_set(expr)
        _merge(tree, _nest(parts, value), f"--set {expr}", provenance)
    try:
        return AppConfig.model_validate(tree)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, provenance)) from None


def _explain(exc: ValidationError, provenance: dict[str, str]) -> str:
    lines = ["invalid configuration:"]
    for err in exc.errors():
        dotted = ".".join(str(p) for p in err["loc"])
        origin = _origin_of(dotted, provenance)
        kind = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        got = "" if err["type"] == "credential_setting" else f" (got {err.get('input')!r})"
        lines.append(f"  {origin}: {dotted}: {kind}{got}")
    return "\n".join(lines)


def _origin_of(dotted: str, provenance: dict[str, str]) -> str:
    parts = dotted.split(".")
    for n in range(len(parts), 0, -1):
        key = ".".join(parts[:n])
        if key in provenance:
            return provenance[key]
    return "defaults"


def config_dict(cfg: AppConfig) -> dict[str, Any]:
    return cfg.model_dump(mode="json")


def config_hash(cfg: AppConfig) -> str:
    """Stable SHA-256 of the effective configuration (recorded in ops.runs)."""
    canonical = json.dumps(config_dict(cfg), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
