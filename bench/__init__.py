"""Benchmarks: not tests; each prints figures and ratios measured in one run."""
