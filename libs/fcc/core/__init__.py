"""Core shared by every domain: config, Spark session, table registry, Delta I/O.

The core imports no domain package.
"""
