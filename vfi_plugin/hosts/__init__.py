"""Adapters between host editors and the core."""
