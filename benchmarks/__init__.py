"""Speed, memory and load checks: `make bench` (benchmarks.run) and `make load` (benchmarks.load)."""
