"""Marks for slow integration modules that run only when their environment variable is 1."""

from __future__ import annotations

import os

import pytest


def opt_in(variable: str, what: str) -> list:
    """`pytestmark` for a module `make test` skips: slow, and run only with `variable`=1."""
    return [
        pytest.mark.slow,
        pytest.mark.skipif(
            os.environ.get(variable) != "1", reason=f"{what}; run with {variable}=1"
        ),
    ]
