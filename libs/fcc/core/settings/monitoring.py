"""Settings of the monitoring step and model governance (conf/monitoring.yaml)."""

from __future__ import annotations

from pydantic import Field

from fcc.core.settings._base import Strict


class DriftSettings(Strict):
    bins: int = Field(default=10, ge=2, le=100)
    watch: float = 0.1  # PSI at or above: watch
    shift: float = 0.25  # PSI above: significant shift (breach)
    baseline_days: int = Field(
        default=7, ge=1
    )  # compare D with the snapshot this many days earlier
    features: list[str] = Field(default_factory=list)


class KriSettings(Strict):
    control_window_days: int = Field(default=30, ge=3)
    sigma: float = Field(default=3.0, gt=0)
    min_history_days: int = Field(default=5, ge=2)
    max_quarantine_rate: float = Field(default=0.01, ge=0, le=1)
    max_null_rate_increase: float = Field(default=0.2, ge=0, le=1)  # null share rise vs baseline


class ValidationSettings(Strict):
    lookback_days: int = Field(default=90, ge=1)  # alerts / hits of D-(n-1)..D are validated
    labels_table: str = "truth.customer_labels"  # default ground truth (registered table)
    instances_table: str = "truth.typology_instances"  # planted instances: timing and coverage
    # typologies seen in standing state (name, identifiers): in scope from their start onwards
    standing_typologies: list[str] = Field(
        default_factory=lambda: ["watchlist_name_variant", "synthetic_identity_ring"]
    )
    # days after an instance's last transaction on which a run still reports it: detectors
    # that report a state over a window (exposure, a 30-day volume) keep seeing the pattern
    reported_for_days: dict[str, int] = Field(
        default_factory=lambda: {
            "direct_exposure": 364,
            "indirect_exposure": 364,
            "profile_mismatch": 29,
        }
    )
    # label dispositions (investigation outcomes) that mean "suspicious"
    suspicious_dispositions: list[str] = Field(
        default_factory=lambda: ["sar_filed", "true_positive", "escalated"]
    )
    # alert dispositions that count as converted to a case (alert-to-case conversion)
    case_dispositions: list[str] = Field(
        default_factory=lambda: ["sar_filed", "true_positive", "escalated", "case_opened"]
    )
    nightly: bool = True  # run_monitoring also validates D when the labels table exists
    min_precision: float = Field(default=0.0, ge=0, le=1)  # rule precision below: breach
    min_recall: float = Field(default=0.0, ge=0, le=1)  # overall recall below: breach


class TuningSettings(Strict):
    # days up to D swept: gold.features history of a rule, nights a detector is replayed on
    lookback_days: int = Field(default=90, ge=1)
    # a detector is replayed on D, D-k, D-2k ... within lookback_days (1 = every night)
    night_step_days: int = Field(default=1, ge=1)
    multipliers: list[float] = Field(
        default_factory=lambda: [0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0]
    )  # default grid: current value x these, per numeric parameter
    max_points: int = Field(default=200, ge=1)  # larger full grids sweep one parameter at a time
    objective: str = Field(default="keep_recall", pattern="^(keep_recall|f1)$")
    max_recall_loss: float = Field(default=0.0, ge=0, le=1)  # keep_recall: recall drop allowed


class ModelSettings(Strict):
    algorithm: str = Field(default="gbt", pattern="^gbt$")  # Spark ML GBTClassifier
    features: list[str] = Field(default_factory=list)  # gold.features columns; [] = all numeric
    history_days: int = Field(default=90, ge=1)  # as-of dates up to D used for training
    snapshot_every_days: int = Field(default=7, ge=1)  # one as-of snapshot per this many days
    label_window_days: int = Field(default=30, ge=1)  # a row is positive when a planted instance
    # of its customer overlaps the 30 days ending on its as-of
    test_share: float = Field(default=0.3, gt=0, lt=1)  # latest dates (or customers) held out
    calibration_share: float = Field(
        default=0.2, gt=0, lt=1
    )  # of the rest, latest part: calibration
    max_iter: int = Field(default=40, ge=1)  # boosting rounds
    max_depth: int = Field(default=4, ge=1, le=30)  # tree depth
    step_size: float = Field(default=0.1, gt=0, le=1)  # learning rate
    seed: int = 42
    alert_threshold: float = Field(default=0.5, gt=0, lt=1)  # calibrated P(suspicious) that alerts
    top_importances: int = Field(default=15, ge=1)  # feature importances kept in the registry


class ReportSettings(Strict):
    history_days: int = Field(default=90, ge=1)  # time-series charts cover D-(n-1)..D
    max_series: int = Field(default=8, ge=1)  # rules / sources drawn per time-series chart


class MonitoringSettings(Strict):
    drift: DriftSettings = Field(default_factory=DriftSettings)
    kri: KriSettings = Field(default_factory=KriSettings)
    validation: ValidationSettings = Field(default_factory=ValidationSettings)
    tuning: TuningSettings = Field(default_factory=TuningSettings)
    model: ModelSettings = Field(default_factory=ModelSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)
