"""The monitoring domain."""
