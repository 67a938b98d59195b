"""Engines other than the workspace's DuckDB that run the same metric SQL (see docs/scale.md)."""
