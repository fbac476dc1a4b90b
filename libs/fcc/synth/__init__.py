"""Synthetic multi-source data with planted typologies (the built-in default data set)."""

from fcc.synth.generate import DEFAULT_END_DATE, generate

__all__ = ["DEFAULT_END_DATE", "generate"]
