"""`make bench` (python -m tools.bench): the client's cost as ratios; see __main__ and docs/performance.md."""
