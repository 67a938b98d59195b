"""Independent Polars implementations of every metric, sharing no code with queries/.

They read the canonical tables as Polars frames and follow docs/metrics.md, so a test that
compares them with the SQL checks two readings of the same written definition.
"""
