"""Reconciliation: per source and batch, rows read = inserted + updated + duplicates + quarantined."""

from __future__ import annotations

from dataclasses import dataclass, field

OUTCOMES = ("inserted", "updated", "duplicate", "quarantined")


class ReconciliationError(RuntimeError):
    """Bronze rows read do not add up to the rows accounted for."""


@dataclass
class BatchCounts:
    source: str
    batch_id: str
    rows_read: int
    outcomes: dict[str, int] = field(default_factory=dict)

    def get(self, outcome: str) -> int:
        return int(self.outcomes.get(outcome, 0))

    @property
    def accounted(self) -> int:
        return sum(self.get(o) for o in OUTCOMES)

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.accounted and set(self.outcomes) <= set(OUTCOMES)

    def describe(self) -> str:
        parts = " + ".join(f"{self.get(o)} {o}" for o in OUTCOMES)
        return f"{self.rows_read} read vs {parts} = {self.accounted}"


def reconcile(
    source: str, rows_read: dict[str, int], outcomes: dict[tuple[str, str], int]
) -> list[BatchCounts]:
    """Counts per batch of one source from rows read per batch and (batch, outcome) counts."""
    batches = sorted(set(rows_read) | {b for b, _ in outcomes})
    result = []
    for b in batches:
        own = {o: n for (bb, o), n in outcomes.items() if bb == b}
        result.append(BatchCounts(source, b, int(rows_read.get(b, 0)), own))
    return result


def assert_balanced(counts: list[BatchCounts]) -> None:
    """Raise ReconciliationError naming every source and batch whose counts do not add up."""
    bad = [c for c in counts if not c.balanced]
    if bad:
        lines = "; ".join(f"source {c.source} batch {c.batch_id}: {c.describe()}" for c in bad)
        raise ReconciliationError(f"reconciliation failed: {lines}")
