import math

import pytest

from fcc.monitoring import psi, psi_from_shares
from fcc.monitoring.run import control_limits


def test_psi_of_known_shares_matches_the_formula():
    expected, actual = [0.5, 0.5], [0.25, 0.75]
    by_hand = (0.25 - 0.5) * math.log(0.25 / 0.5) + (0.75 - 0.5) * math.log(0.75 / 0.5)
    assert psi_from_shares(expected, actual) == pytest.approx(by_hand)
    assert by_hand == pytest.approx(0.2747, abs=1e-4)


def test_psi_of_identical_distributions_is_zero_and_empty_bins_stay_finite():
    assert psi_from_shares([0.2] * 5, [0.2] * 5) == 0.0
    assert math.isfinite(psi_from_shares([0.5, 0.5, 0.0], [0.4, 0.4, 0.2]))


def test_psi_on_dataframes_uses_baseline_deciles(spark):
    base = spark.createDataFrame([(float(i),) for i in range(100)], ["x"])
    same = spark.createDataFrame([(float(i) + 0.5,) for i in range(100)], ["x"])
    shifted = spark.createDataFrame([(float(i) + 50,) for i in range(100)], ["x"])
    assert psi(base, same, "x", bins=10) < 0.01
    # shifted by half the range: the upper 5 baseline deciles get all of the mass -> large PSI
    assert psi(base, shifted, "x", bins=10) > 0.25


def test_control_limits_zero_fill_missing_days():
    mean, low, high = control_limits([4, 6], days=4, sigma=1.0)
    assert mean == 2.5
    sd = math.sqrt(((4 - 2.5) ** 2 + (6 - 2.5) ** 2 + 2 * 2.5**2) / 3)
    assert (low, high) == pytest.approx((max(0.0, 2.5 - sd), 2.5 + sd))
