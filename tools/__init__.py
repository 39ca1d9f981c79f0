"""Maintainer tools: spec corrections, API change reports, benchmarks (not shipped)."""
