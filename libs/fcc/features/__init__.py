"""The features domain."""
