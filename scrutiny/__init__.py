"""Shared helpers for the early years scrutiny dashboard.

The statistics (stats), the data contract (contract), loading and validating an
extract (extract, validation), running the named SQL in queries/ (queries), the
shared chart look (charts) and the sidebar filters (filters) live here, so that
the pages stay thin.
"""
