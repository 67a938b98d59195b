"""Demo data for Handoff: the generator (generate.py) and the committed CSV files (README.md)."""
