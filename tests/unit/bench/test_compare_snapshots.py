"""bench/compare_snapshots.py: which rows and columns of D's detection differ between two runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

from compare_snapshots import compare_table  # noqa: E402


def test_identical_tables_give_no_lines_whatever_the_row_order():
    a = pd.DataFrame({"hit_id": ["h1", "h2"], "score": ["0.5", "0.9"]})
    assert compare_table(a, a.iloc[::-1], ["hit_id"]) == []


def test_missing_added_and_changed_rows_are_each_named():
    before = pd.DataFrame({"hit_id": ["h1", "h2", "h3"], "score": ["0.5", "0.9", "0.1"]})
    after = pd.DataFrame({"hit_id": ["h1", "h2", "h4"], "score": ["0.5", "0.8", "0.1"]})
    lines = compare_table(before, after, ["hit_id"])
    assert lines == [
        "  before only: 1, e.g. [['h3']]",
        "  after only: 1, e.g. [['h4']]",
        "  score differs on 1 rows, e.g. ['h2']: 0.9 -> 0.8",
    ]
