"""fcc-scoring: nightly financial-crime-compliance scoring on Spark and Delta."""

__version__ = "0.1.0"
