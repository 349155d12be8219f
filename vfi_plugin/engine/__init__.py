"""Frames in, frames out: inference, recursion, batching, tiling and device choice.

Names load on first use, so the torch-free parts (timing) import without torch.
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "available_devices": "device", "resolve_device": "device",
    "InferenceOptions": "interpolator", "Interpolator": "interpolator",
    "default_weights_path": "interpolator", "load_interpolator": "interpolator",
    "Retimer": "retime", "RetimePlan": "timing", "parse_factor": "timing",
    "Ramp": "ramp", "RampKey": "ramp", "parse_ramp": "ramp",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
