"""Benchmarks that need a running Home Assistant (run by scripts/bench-integration)."""
