"""Reads of the report pages: every figure aggregated in the database from the real tables."""
