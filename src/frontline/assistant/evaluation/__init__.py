"""Benchmarks of the assistant that need a database (see answers.py)."""
