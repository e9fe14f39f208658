"""Entities and rules with no I/O: money, financial years, the application workflow."""
