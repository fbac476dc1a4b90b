"""The audit ledger ops.runs: one row per run and step, written as the run progresses."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from fcc import __version__
from fcc.core.config import config_dict, config_hash
from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import ops


def new_run_id(job: str, as_of: date | None) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return f"{job}-{as_of.isoformat() if as_of else 'na'}-{stamp}-{uuid.uuid4().hex[:6]}"


def git_commit() -> str | None:
    """Source commit: FCC_GIT_COMMIT (baked into the image) or `git rev-parse` of the checkout."""
    import os

    if os.environ.get("FCC_GIT_COMMIT"):
        return os.environ["FCC_GIT_COMMIT"]
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


@dataclass
class StepRecord:
    step: str
    started: float = field(default_factory=time.time)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    input_versions: dict[str, int] = field(default_factory=dict)
    output_versions: dict[str, int] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)


class RunLedger:
    """Writes ops.runs rows (MERGE on run_id, step) so a run's progress is visible as it goes."""

    def __init__(
        self,
        lakehouse: Lakehouse,
        job: str,
        as_of: date | None,
        cfg: AppConfig,
        run_id: str | None = None,
    ):
        self.lakehouse = lakehouse
        self.job = job
        self.as_of = as_of
        self.cfg = cfg
        self.run_id = run_id or new_run_id(job, as_of)
        self.config_hash = config_hash(cfg)
        self.config_json = json.dumps(config_dict(cfg), sort_keys=True)
        self.commit = git_commit()

    def _write(
        self, rec: StepRecord, status: str, error: str | None = None, ended: bool = False
    ) -> None:
        now = datetime.now(UTC)
        row = (
            self.run_id,
            self.job,
            rec.step,
            self.as_of,
            status,
            rec.started_at,
            now if ended else None,
            (time.time() - rec.started) if ended else None,
            __version__,
            self.commit,
            self.config_hash,
            self.config_json if rec.step == "*" else None,
            rec.input_versions,
            rec.output_versions,
            rec.row_counts,
            (error or "")[:4000] or None,
        )
        df = self.lakehouse.spark.createDataFrame([row], ops.RUNS.schema)
        self.lakehouse.merge(ops.RUNS, df)

    def started(self, rec: StepRecord) -> None:
        self._write(rec, "running")

    def succeeded(self, rec: StepRecord) -> None:
        self._write(rec, "succeeded", ended=True)

    def failed(self, rec: StepRecord, error: str) -> None:
        self._write(rec, "failed", error=error, ended=True)
