"""Fixtures of the features tests."""

import pytest

from fcc.core.tables.silver import ADDRESS_LABELS, CUSTOMERS, TRANSACTIONS
from tests.unit.features.builders import frame


@pytest.fixture
def frames(spark):
    """(txn dicts, customer dicts, label dicts) -> silver DataFrames."""

    def build(txns=(), customers=(), labels=()):
        return (
            frame(spark, txns, TRANSACTIONS),
            frame(spark, customers, CUSTOMERS),
            frame(spark, labels, ADDRESS_LABELS),
        )

    return build
