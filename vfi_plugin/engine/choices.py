"""Names the front-ends offer before anything heavy loads (torch-free)."""
from __future__ import annotations

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")
