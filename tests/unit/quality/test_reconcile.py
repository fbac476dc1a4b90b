import pytest

from fcc.quality import ReconciliationError, assert_balanced, reconcile


def test_counts_balance_when_every_row_has_one_outcome():
    counts = reconcile(
        "fiat_ledger",
        {"b1": 10, "b2": 3},
        {
            ("b1", "inserted"): 6,
            ("b1", "duplicate"): 1,
            ("b1", "quarantined"): 3,
            ("b2", "updated"): 3,
        },
    )
    assert [(c.batch_id, c.rows_read, c.accounted, c.balanced) for c in counts] == [
        ("b1", 10, 10, True),
        ("b2", 3, 3, True),
    ]
    assert_balanced(counts)


def test_mismatch_names_source_and_batch():
    counts = reconcile("trades", {"b1": 4, "b2": 2}, {("b1", "inserted"): 4, ("b2", "inserted"): 3})
    with pytest.raises(
        ReconciliationError, match=r"source trades batch b2: 2 read vs 3 inserted .* = 3"
    ) as err:
        assert_balanced(counts)
    assert "batch b1" not in str(err.value)


def test_rows_for_a_batch_never_read_are_a_mismatch():
    counts = reconcile("trades", {}, {("ghost", "inserted"): 1})
    assert not counts[0].balanced
