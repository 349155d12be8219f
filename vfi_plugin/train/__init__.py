"""Training: data preparation, the resumable loop and its configs (dev only)."""
