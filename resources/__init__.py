"""Shipped data: weights, icons, the sample clip, host add-on files."""
