"""The screening domain."""
