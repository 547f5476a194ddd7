"""Benchmarks: the project's time beside the limit measured in the same run, and the ratio.

Run ``python -m bench --help``. Never imported by ladder/, cli/ or the tests' assertions.
"""
