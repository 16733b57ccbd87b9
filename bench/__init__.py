"""Benchmarks: synthetic data at scale (`bench.synthetic`) and the measurements that use it (`bench/lookup.py`)."""
