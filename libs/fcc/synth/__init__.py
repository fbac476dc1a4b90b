"""The synth domain."""
